import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source-options';
import { IssuedDocumentEntity } from '../../src/documents/issuing/issued-document.entity';
import { figuresOf, formForYear } from '../../src/reports/form/form-definition';
import { ReportReviewEntity } from '../../src/reports/report-review.entity';
import { ReportEntity } from '../../src/reports/report.entity';
import { isoCivilDate } from '../../src/shared/civil-date';
import { runSimulation } from '../../src/simulation/simulate.command';
import { SimulationSummary } from '../../src/simulation/cycle-simulator';
import { createTestDatabase, TEST_DATABASE_KINDS, TestDatabaseKind } from '../support/test-databases';

/**
 * `simulate` end to end: a whole cycle on its own empty database, then its output checked against the
 * database by independent SQL and against the provincial PDF read back with pdftotext. By default the
 * 2025 data set on SQLite and the 2021 one on MariaDB (both data sets, both databases);
 * SIMULATE_ALL=1 runs every data set on every database under test.
 */
jest.setTimeout(1_800_000);

const DATA_SETS = { 'quang-ngai-2025': 110, 'quang-ngai-2021': 205 } as const;
const CASES: Array<[keyof typeof DATA_SETS, TestDatabaseKind]> = process.env.SIMULATE_ALL
  ? (Object.keys(DATA_SETS) as Array<keyof typeof DATA_SETS>).flatMap((d) => TEST_DATABASE_KINDS.map((k) => [d, k] as [keyof typeof DATA_SETS, TestDatabaseKind]))
  : ([['quang-ngai-2025', 'sqlite'], ['quang-ngai-2021', 'mariadb']] as Array<[keyof typeof DATA_SETS, TestDatabaseKind]>).filter(([, k]) => TEST_DATABASE_KINDS.includes(k));

/** The figure as the documents print it: Vietnamese thousands separators, two digits at least. */
const printed = (n: number) => (n < 10 ? String(n).padStart(2, '0') : n.toLocaleString('de-DE'));

describe.each(CASES)('simulate %s on %s', (dataSetId, kind) => {
  let out: string;
  let summary: SimulationSummary;
  let dataSource: DataSource;
  let destroy: () => Promise<void>;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'iso-cycle-simulate-'));
    const db = await createTestDatabase(kind);
    destroy = db.destroy;
    const databaseUrl = kind === 'sqlite' ? undefined : db.config.displayUrl;
    summary = await runSimulation({ org: dataSetId, year: 2026, out: join(out, 'run'), seed: 7, returnRate: 0.2, lateRate: 0.1, databaseUrl });
    dataSource = await createDataSource(kind === 'sqlite' ? { kind: 'sqlite', sqlitePath: join(out, 'run', 'iso-cycle.sqlite'), displayUrl: 'sqlite' } : db.config).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await destroy?.();
    rmSync(out, { recursive: true, force: true });
  });

  it('runs the cycle to the provincial submission, every report approved, some returned and some late', () => {
    expect(summary).toMatchObject({ organization: dataSetId, year: 2026, units: DATA_SETS[dataSetId], reportsApproved: DATA_SETS[dataSetId] });
    expect(summary.returned).toBeGreaterThan(0);
    expect(summary.lateUnits.length).toBeGreaterThan(0);
    expect(summary.ministryDraft?.pages).toBeGreaterThan(0);
    const kinds = new Set(summary.documents.map((d) => d.kind));
    expect([...kinds].sort()).toEqual(['consolidated-report', 'request-to-report-letter', 'unit-report', 'urge-letter']);
  });

  it('writes every issued PDF as recorded, numbered once per unit and year', () => {
    const numbers = summary.documents.map((d) => `${d.unit}/${d.date.slice(0, 4)}/${d.symbol}`);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const document of summary.documents) {
      expect(createHash('sha256').update(readFileSync(join(out, 'run', document.file))).digest('hex')).toBe(document.sha256);
      expect(document.symbol.startsWith(String(document.number).padStart(2, '0') + '/')).toBe(true);
    }
  });

  it('issues every report on the day its head approved it (people act concurrently, but no day ends with work in flight)', async () => {
    const reports = await dataSource.getRepository(ReportEntity).find();
    const approvals = await dataSource.getRepository(ReportReviewEntity).findBy({ stage: 'head', decision: 'approved' });
    const documents = new Map((await dataSource.getRepository(IssuedDocumentEntity).find()).map((d) => [d.id, d]));
    const mismatches: string[] = [];
    for (const report of reports) {
      const approval = approvals.find((a) => a.reportId === report.id && a.versionNo === report.approvedVersion)!;
      const issued = documents.get(report.issuedDocumentId!)!;
      const approvedOn = isoCivilDate(approval.decidedAt, 'Asia/Ho_Chi_Minh');
      if (issued.issueDate !== approvedOn) mismatches.push(`${issued.symbol}: approved ${approvedOn}, issued ${issued.issueDate}`);
    }
    expect(reports.length).toBe(DATA_SETS[dataSetId]);
    expect(mismatches).toEqual([]);
  });

  it('gives provincial totals equal to an independent SQL sum over the approved figures, and to the numbers printed in the provincial PDF', async () => {
    const totals = summary.provincialReport!.totals;
    const json = (path: string) => (kind === 'sqlite' ? `json_extract(v."values", '$.figures.${path}')` : `JSON_EXTRACT(v.\`values\`, '$.figures.${path}')`);
    // Counted: the standing agency's own report, and every report that reached its consolidating unit
    // before it closed, through a chain of reports that did the same up to the standing agency.
    const counted = `FROM reports r
      JOIN report_versions v ON v.report_id = r.id AND v.version_no = r.approved_version
      JOIN units u ON u.id = r.unit_id
      JOIN units p ON p.id = u.reports_to_id
      LEFT JOIN reports pr ON pr.unit_id = p.id AND pr.cycle_id = r.cycle_id
      WHERE r.sent_at IS NOT NULL AND r.received_after_close = 0
        AND (u.is_standing_agency = 1 OR p.is_standing_agency = 1 OR (pr.sent_at IS NOT NULL AND pr.received_after_close = 0))`;
    const text = execFileSync('pdftotext', ['-layout', join(out, 'run', summary.provincialReport!.file), '-']).toString('utf8');
    for (const { path, field } of figuresOf(formForYear(2026))) {
      if (field.aggregate === 'none') continue;
      const expression = field.aggregate === 'sum' ? `CAST(${json(path)} AS ${kind === 'sqlite' ? 'INTEGER' : 'SIGNED'})` : `CASE WHEN ${json(path)} = ${kind === 'sqlite' ? '1' : "'true'"} THEN 1 ELSE 0 END`;
      const [row] = await dataSource.query(`SELECT COALESCE(SUM(${expression}), 0) AS total ${counted}`);
      expect(`${path} = ${totals[path]}`).toBe(`${path} = ${Number(row.total)}`);
      // The grand total is the last column of its row in the totals table.
      expect(text).toMatch(new RegExp(`\\s${printed(totals[path]).replace(/\./g, '\\.')}\\s*$`, 'm'));
    }
  });
});
