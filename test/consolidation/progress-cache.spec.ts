import { join } from 'node:path';
import { Actor } from '../../src/access/actor';
import { ConsolidationEntity } from '../../src/consolidation/consolidation.entity';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { ProgressCache } from '../../src/consolidation/progress-cache';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { CyclesService } from '../../src/cycles/cycles.service';
import { writeTransaction } from '../../src/database/write-transaction';
import { DeadlinesService } from '../../src/deadlines/deadlines.service';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportEntity } from '../../src/reports/report.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/**
 * The consolidation dashboard's progress is kept between reads (ProgressCache): every write that
 * changes what it shows must be visible in the very next read — a draft's status, a unit's deadline,
 * a paper report counted in the totals so far, a closing — and a write rolled back must not stay.
 * The last case switches invalidation off (test-only) to show that these reads do come from the cache,
 * i.e. that the checks above would fail without it.
 */
jest.setTimeout(180_000);

const DATA_SET = 'tiny-2021';
const FIXTURE = join(__dirname, '..', 'fixtures', 'organizations', 'tiny-2021.json');
const period = { start: '2025-11-15', end: '2026-11-14' };

describe.each(TEST_DATABASE_KINDS)('consolidation progress kept between reads [%s]', (kind) => {
  let t: TestApp;
  let consolidations: ConsolidationService;
  let cache: ProgressCache;
  let cycle: CycleEntity;
  const units = new Map<string, UnitEntity>();

  const unit = (name: string) => [...units.values()].find((u) => u.officialName.includes(name))!;
  const actor = async (role: string, u: UnitEntity): Promise<Actor> => {
    const person = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `${role}.${u.code}@${DATA_SET}` });
    return { personId: person.id, login: person.login } as Actor;
  };
  const reportOf = (u: UnitEntity) => t.dataSource.getRepository(ReportEntity).findOneByOrFail({ cycleId: cycle.id, unitId: u.id });
  const consolidationOf = async (u: UnitEntity) => (await t.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ cycleId: cycle.id, unitId: u.id })).id;
  const standing = () => [...units.values()].find((u) => u.isStandingAgency)!;
  const rowOf = async (consolidationId: number, u: UnitEntity) => (await consolidations.progress(consolidationId)).units.find((row) => row.unitId === u.id)!;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [FIXTURE], runtime: true });
    consolidations = t.app.get(ConsolidationService);
    cache = t.app.get(ProgressCache);
    for (const u of await t.dataSource.getRepository(UnitEntity).findBy({ dataSetId: DATA_SET })) units.set(u.code, u);
    cycle = await t.app.get(CyclesService).openCycle({ dataSetId: DATA_SET, year: 2026 });
    await t.app.get(WorkflowEngine).whenIdle();
  });
  afterAll(() => t?.close());

  it('is kept while nothing changes', async () => {
    expect(cache.enabled).toBe(true);
    const id = await consolidationOf(standing());
    const first = await consolidations.progress(id);
    expect(await consolidations.progress(id)).toBe(first);
    expect(Object.isFrozen(first.units[0])).toBe(true);
  });

  it('a saved draft is in the next read', async () => {
    const commune = unit('Lê Hồng Phong');
    const id = await consolidationOf(standing());
    expect((await rowOf(id, commune)).status).toBe('not-started');
    await t.app.get(ReportsService).saveDraft((await reportOf(commune)).id, { figures: {}, narratives: {} }, await actor('staff', commune));
    expect((await rowOf(id, commune)).status).toBe('drafting');
    // The district's own dashboard too (another consolidation's kept value).
    expect((await rowOf(await consolidationOf(unit('thành phố Quảng Ngãi')), commune)).status).toBe('drafting');
  });

  it("a unit's deadline extension is in the next read", async () => {
    const commune = unit('Trần Phú');
    const district = unit('thành phố Quảng Ngãi');
    const id = await consolidationOf(district);
    const before = (await rowOf(id, commune)).deadline;
    await t.app.get(DeadlinesService).setUnitDeadline((await reportOf(commune)).id, new Date('2026-11-20T23:59:59.999+07:00'), await actor('consolidator', district));
    const after = (await rowOf(id, commune)).deadline;
    expect(after).not.toBe(before);
    expect(after).toBe('2026-11-20T16:59:59.999Z');
  });

  it('a paper report is counted in the totals so far at the next read', async () => {
    const paperUnit = unit('Châu Ổ');
    const district = unit('Bình Sơn');
    const id = await consolidationOf(district);
    const before = await consolidations.progress(id);
    expect(before.totals.counted).toBe(0);
    const scan = { originalname: 'bao-cao.pdf', mimetype: 'application/pdf', size: 20, buffer: Buffer.from('%PDF-1.4\n%scan of it\n') };
    const values = generateReportValues(formForYear(2026), seededRandom(2), period, paperUnit.officialName);
    await consolidations.enterPaperReport((await reportOf(paperUnit)).id, { values, reference: '12/BC-UBND ngày 12/11/2026' }, scan, await actor('consolidator', district));
    const after = await consolidations.progress(id);
    expect(after.totals.counted).toBe(1);
    expect(after.units.find((row) => row.unitId === paperUnit.id)).toMatchObject({ status: 'submitted', onPaper: true, reference: '12/BC-UBND ngày 12/11/2026' });
    expect(after.totals.rows.some((row) => row.value !== 0)).toBe(true);
  });

  it('the API answers the same JSON, and a deadline set through the API is in its next answer', async () => {
    const district = unit('Bình Sơn');
    const commune = unit('Châu Ổ');
    const id = await consolidationOf(district);
    const client = new ApiClient(t.baseUrl);
    expect((await client.login(`consolidator.${district.code}@${DATA_SET}`, DEMO_PASSWORD)).status).toBe(200);
    const first = await client.request('GET', `/api/consolidations/${id}/progress`);
    const firstPage = await client.request('GET', `/api/consolidations/${id}/progress?limit=2`);
    expect(first.status).toBe(200);
    expect(firstPage.body).toEqual({ ...first.body, units: first.body.units.slice(0, 2), page: { offset: 0, limit: 2, matching: first.body.units.length } });
    const pageEtag = firstPage.headers.get('etag')!;
    expect(pageEtag).not.toBe(first.headers.get('etag'));
    expect((await client.request('GET', `/api/consolidations/${id}/progress?limit=2`, { headers: { 'if-none-match': pageEtag } })).status).toBe(304);
    expect(first.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(first.body).toEqual(JSON.parse(JSON.stringify(await consolidations.progress(id))));
    // Revalidation as Express answers it: the same weak ETag, 304 while nothing changed.
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"[0-9a-f]+-[A-Za-z0-9+/]{27}"$/);
    expect((await client.request('GET', `/api/consolidations/${id}/progress`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    expect(first.body.units.find((row: { unitId: number }) => row.unitId === commune.id)).toMatchObject({ status: 'submitted', onPaper: true });
    const set = await client.request('PUT', `/api/consolidations/${id}/units-deadline`, { body: { deadline: '2026-11-10T23:59:59.999+07:00' } });
    expect(set.status).toBe(200);
    const next = await client.request('GET', `/api/consolidations/${id}/progress`);
    expect(next.body.consolidation.unitsDeadlineAt).toBe('2026-11-10T16:59:59.999Z');
    expect(next.body.consolidation.unitsDeadlineAt).not.toBe(first.body.consolidation.unitsDeadlineAt);
    expect((await client.request('GET', `/api/consolidations/${id}/progress`, { headers: { 'if-none-match': etag } })).status).toBe(200);
    // A page of it (kept per page asked for) too.
    const nextPage = await client.request('GET', `/api/consolidations/${id}/progress?limit=2`, { headers: { 'if-none-match': pageEtag } });
    expect(nextPage.status).toBe(200);
    expect(nextPage.body.consolidation.unitsDeadlineAt).toBe('2026-11-10T16:59:59.999Z');
  });

  it('a write rolled back is not kept, even if read before the rollback', async () => {
    const commune = unit('Lê Hồng Phong');
    const id = await consolidationOf(standing());
    expect((await rowOf(id, commune)).status).toBe('drafting');
    const failed = await writeTransaction(t.dataSource, async (manager) => {
      await manager.update(ReportEntity, { id: (await reportOf(commune)).id }, { status: 'returned' });
      // SQLite's one connection reads the uncommitted row here; MariaDB the committed one.
      await consolidations.progress(id);
      throw new Error('rolled back');
    }).catch((error: Error) => error.message);
    expect(failed).toBe('rolled back');
    expect((await rowOf(id, commune)).status).toBe('drafting');
  });

  it('(control) with invalidation switched off, the next read would be stale: the reads above come from the cache', async () => {
    const commune = unit('Trần Phú');
    const id = await consolidationOf(standing());
    expect((await rowOf(id, commune)).status).toBe('not-started');
    cache.invalidating = false;
    try {
      await t.app.get(ReportsService).saveDraft((await reportOf(commune)).id, { figures: {}, narratives: {} }, await actor('staff', commune));
      expect((await reportOf(commune)).status).toBe('drafting');
      expect((await rowOf(id, commune)).status).toBe('not-started');
    } finally {
      cache.invalidating = true;
    }
  });
});
