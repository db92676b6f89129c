/**
 * Consolidation benchmark (not a test): closing every consolidation of a 10,000-unit, three-level tree
 * and computing the provincial totals, the per-unit tables and the live progress, through the
 * application's own ConsolidationService on a real database.
 *
 * The tree is generated (bench/support/generated-tree.ts: 20 agencies + 99 districts × 100 communes
 * = 10,019 units) and imported as a data set; every unit's report is then written straight into the
 * tables as the cycle would leave it (sent, approved version with generated figures, issued document
 * with its number and symbol) — running 10,000 report processes is the full-cycle benchmark's job.
 * Measured, each the median of `rounds` runs: every district's closing snapshot (bottom level first),
 * the province's snapshot over them, the consolidated report's content (totals + per-unit tables of
 * 10,000 rows), the XLSX tables, and the progress dashboard of the province (10,000 rows).
 *
 *   node -r ./scripts/register-typescript.js bench/consolidation.bench.ts [districts=99] [communes=100] [rounds=3] [DATABASE_URL]
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Session } from 'node:inspector';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { DataSource, EntityManager } from 'typeorm';
import { AppModule } from '../src/app.module';
import { loadAppConfig } from '../src/config/load-app-config';
import { consolidatedReportContent, consolidatedTotals } from '../src/consolidation/consolidated-document';
import { ConsolidationEntity } from '../src/consolidation/consolidation.entity';
import { ConsolidationService } from '../src/consolidation/consolidation.service';
import { CycleEntity } from '../src/cycles/cycle.entity';
import { MigrationService } from '../src/database/migration.service';
import { IssuedDocumentEntity } from '../src/documents/issuing/issued-document.entity';
import { DataSetImporter } from '../src/organization/import/data-set-importer.service';
import { UnitEntity } from '../src/organization/unit.entity';
import { formForYear } from '../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../src/reports/form/generate-report-values';
import { ReportVersionEntity } from '../src/reports/report-version.entity';
import { ReportEntity } from '../src/reports/report.entity';
import { generatedTree } from './support/generated-tree';

const [districts = 99, communes = 100, rounds = 3] = process.argv.slice(2, 5).map(Number);
const databaseUrl = process.argv[5];
const YEAR = 2026;
const CHUNK = 500;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
/** With CONSOLIDATION_BENCH_PROFILE=<dir>, each measured operation of the first round leaves a CPU profile there. */
const profileDir = process.env.CONSOLIDATION_BENCH_PROFILE;
const inspector = profileDir ? new Session() : null;
inspector?.connect();
const post = (method: string, params?: object) => new Promise<any>((resolve, reject) => inspector!.post(method, params, (error, result) => (error ? reject(error) : resolve(result))));

async function timed<T>(work: () => Promise<T>, profileAs?: string): Promise<[T, number]> {
  if (inspector && profileAs) await post('Profiler.enable').then(() => post('Profiler.start'));
  const start = process.hrtime.bigint();
  const result = await work();
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  if (inspector && profileAs) writeFileSync(join(profileDir!, `${profileAs}.cpuprofile`), JSON.stringify((await post('Profiler.stop')).profile));
  return [result, elapsed];
}

async function insertChunked<T extends object>(manager: EntityManager, entity: new () => T, rows: T[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await manager.insert(entity, rows.slice(i, i + CHUNK) as never);
}

/** Every unit's report as the cycle leaves it: sent on time, approved, its document issued. */
async function seedReports(dataSource: DataSource, dataSetId: string): Promise<{ cycle: CycleEntity; reporting: UnitEntity[] }> {
  const form = formForYear(YEAR);
  const units = await dataSource.getRepository(UnitEntity).find({ where: { dataSetId }, order: { sortOrder: 'ASC' } });
  const reporting = units.filter((u) => u.reportsToId !== null);
  const deadlineAt = new Date(`${YEAR}-11-14T16:59:59.999Z`);
  await dataSource.getRepository(CycleEntity).insert({ year: YEAR, dataSetId, deadlineAt, periodStart: `${YEAR - 1}-11-15`, periodEnd: `${YEAR}-11-14`, status: 'open', openedAt: new Date(`${YEAR}-10-01T01:00:00Z`), openedBy: null });
  const cycle = await dataSource.getRepository(CycleEntity).findOneByOrFail({ dataSetId, year: YEAR });
  const random = seededRandom(7);
  const sentAt = new Date(`${YEAR}-11-10T03:00:00Z`);
  await dataSource.transaction(async (manager) => {
    await insertChunked(manager, IssuedDocumentEntity, reporting.map((unit, i) => ({
      id: `bench-${cycle.id}-${unit.id}`, unitId: unit.id, register: 'outgoing', documentType: 'BC', templateKind: 'unit-report',
      subject: `Báo cáo kết quả duy trì HTQLCL năm ${YEAR}`, divisionId: null, signerPersonId: null, signerName: 'Nguyễn Văn A', recipients: [],
      content: {}, copies: 1, correctsDocumentId: null, state: 'issued', number: i + 1, year: YEAR, symbol: `${i + 1}/BC-UBND`, issueDate: `${YEAR}-11-10`,
      numberedAt: sentAt, sha256: null, pages: 2, templateVersion: null, storedAt: sentAt, approvedBy: null, approvedAt: sentAt, voidedAt: null, voidedBy: null,
      voidNote: null, issuedAt: sentAt, updatedAt: sentAt,
    }) as unknown as IssuedDocumentEntity));
    await insertChunked(manager, ReportEntity, reporting.map((unit) => ({
      cycleId: cycle.id, unitId: unit.id, formId: form.id, status: 'issued', draftValues: { figures: {}, narratives: {} }, divisionReview: false, processInstanceKey: null,
      currentVersion: 1, approvedVersion: 1, issuedDocumentId: `bench-${cycle.id}-${unit.id}`, updatedAt: sentAt, deadlineAt: null, lateSince: null, sentAt,
      receivedAfterClose: false, onPaper: false, paperReference: null, deadlineWatchKey: null,
    }) as unknown as ReportEntity));
  });
  const reportIds = new Map((await dataSource.getRepository(ReportEntity).findBy({ cycleId: cycle.id })).map((r) => [r.unitId, r.id]));
  await dataSource.transaction(async (manager) => {
    await insertChunked(manager, ReportVersionEntity, reporting.map((unit) => ({
      reportId: reportIds.get(unit.id)!, versionNo: 1, values: generateReportValues(form, random, { start: cycle.periodStart, end: cycle.periodEnd }, unit.officialName), submittedBy: 1, submittedAt: sentAt,
    }) as unknown as ReportVersionEntity));
    const receivers = new Set(reporting.map((u) => u.reportsToId));
    await insertChunked(manager, ConsolidationEntity, reporting.filter((u) => receivers.has(u.id)).map((unit) => ({
      cycleId: cycle.id, unitId: unit.id, status: 'open', unitsDeadlineAt: null, processInstanceKey: null, closedAt: null, closedBy: null, snapshot: null,
    }) as unknown as ConsolidationEntity));
  });
  return { cycle, reporting };
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-consolidation-bench-'));
  const tree = generatedTree({ agencies: 20, districts, communes });
  const treeFile = join(dir, `${tree.id}.json`);
  writeFileSync(treeFile, JSON.stringify(tree));
  const config = loadAppConfig({ ...process.env, DATABASE_URL: databaseUrl ?? `sqlite:${join(dir, 'bench.sqlite')}`, RUNTIME_DIR: join(dir, 'runtime') });
  const app = await NestFactory.createApplicationContext(AppModule.forRoot({ config }), { logger: ['error', 'warn'], abortOnError: false });
  try {
    const dataSource = app.get(DataSource);
    await app.get(MigrationService).migrateUp();
    const [, importMs] = await timed(() => app.get(DataSetImporter).importDataSet(treeFile));
    const [{ cycle, reporting }, seedMs] = await timed(() => seedReports(dataSource, tree.id));
    const service = app.get(ConsolidationService);
    const all = await service.forCycle(cycle.id);
    const units = new Map((await dataSource.getRepository(UnitEntity).findBy({ dataSetId: tree.id })).map((u) => [u.id, u]));
    const standing = [...units.values()].find((u) => u.isStandingAgency)!;
    const province = all.find((c) => c.unitId === standing.id)!;
    const districtConsolidations = all.filter((c) => c !== province);
    const form = formForYear(YEAR);
    const provinceValues = generateReportValues(form, seededRandom(1), { start: cycle.periodStart, end: cycle.periodEnd }, standing.officialName);

    const timings: Record<string, number[]> = { districtSnapshots: [], provinceSnapshot: [], reportContent: [], tablesWorkbook: [], progress: [] };
    let check: Record<string, unknown> = {};
    for (let round = 0; round < rounds; round++) {
      // Each round closes the tree afresh: district snapshots first, stored as a closing stores them.
      await dataSource.getRepository(ConsolidationEntity).update({ cycleId: cycle.id }, { status: 'open', snapshot: null, closedAt: null });
      const profile = (name: string) => (round === 0 ? name : undefined);
      const [, districtMs] = await timed(async () => {
        for (const consolidation of districtConsolidations) {
          const snapshot = await service.snapshot(consolidation);
          await dataSource.getRepository(ConsolidationEntity).update({ id: consolidation.id }, { status: 'closed', snapshot, closedAt: new Date(snapshot.closedAt) });
        }
      }, profile('district-snapshots'));
      const [snapshot, provinceMs] = await timed(() => service.snapshot(province), profile('province-snapshot'));
      await dataSource.getRepository(ConsolidationEntity).update({ id: province.id }, { status: 'closed', snapshot, closedAt: new Date(snapshot.closedAt) });
      const [content, contentMs] = await timed(async () => {
        const totals = consolidatedTotals(form, provinceValues, snapshot);
        const body = consolidatedReportContent({
          form, values: provinceValues, snapshot, units, unit: standing, consolidatingUnit: null, period: { start: cycle.periodStart, end: cycle.periodEnd }, year: YEAR,
          signer: { title: 'GIÁM ĐỐC', name: 'Nguyễn Văn A' } as never, archiveDivision: 'VP',
        });
        return { totals, body };
      }, profile('report-content'));
      const [workbook, workbookMs] = await timed(() => service.tablesWorkbook(province.id), profile('tables-workbook'));
      const [progress, progressMs] = await timed(() => service.progress(province.id), profile('progress'));
      timings.districtSnapshots.push(districtMs);
      timings.provinceSnapshot.push(provinceMs);
      timings.reportContent.push(contentMs);
      timings.tablesWorkbook.push(workbookMs);
      timings.progress.push(progressMs);
      const rows = (content.body.unitTable as { groups: { units: unknown[] }[] }).groups.reduce((n, g) => n + g.units.length, 0);
      check = { included: snapshot.included.length, expected: snapshot.expected, unitTableRows: rows, progressRows: progress.units.length, workbookBytes: workbook.length, totalFigures: Object.keys(content.totals).length };
      const below = reporting.length - 1; // every reporting unit but the standing agency itself
      if (snapshot.included.length !== below || rows !== below || progress.units.length !== below) throw new Error(`counts do not match the tree: ${JSON.stringify(check)}`);
      process.stderr.write(`round ${round + 1}/${rounds}: ${Object.entries(timings).map(([k, v]) => `${k} ${v[round].toFixed(0)} ms`).join(', ')}\n`);
    }
    const report = {
      database: config.database.kind,
      units: reporting.length - 1,
      districts: districtConsolidations.length,
      rounds,
      setup: { importMs: Math.round(importMs), seedMs: Math.round(seedMs) },
      medianMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, Math.round(median(v))])),
      minMaxMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, [Math.round(Math.min(...v)), Math.round(Math.max(...v))]])),
      provinceTotalsAndTablesMs: Math.round(median(timings.provinceSnapshot) + median(timings.reportContent)),
      check,
      loadAverage: require('node:os').loadavg().map((value: number) => Number(value.toFixed(1))),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
