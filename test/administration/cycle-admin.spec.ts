import { DataSetEntity } from '../../src/organization/data-set.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { insertCycle } from '../support/cycle-fixture';
import { ApiClient, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/** The administrator's cycles and data sets through the API (opening itself is driven in test/web/admin.spec.ts). */
describe.each(TEST_DATABASE_KINDS)('cycles and data sets for administrators [%s]', (kind) => {
  let t: TestApp;
  let admin: ApiClient;
  let agency: UnitEntity;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'] });
    agency = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', code: 'skhcn' });
    await insertCycle(t.dataSource, 'quang-ngai-2025');
    admin = new ApiClient(t.baseUrl);
    expect((await admin.login('administrator.skhcn@quang-ngai-2025', DEMO_PASSWORD)).status).toBe(200);
  });
  afterAll(() => t?.close());

  it('shows the data set, its cycles and the data sets shipped with the application', async () => {
    const response = await admin.request('GET', `/api/admin/overview?unitId=${agency.id}`);
    expect(response.status).toBe(200);
    expect(response.body.dataSet.id).toBe('quang-ngai-2025');
    expect(response.body.cycles).toEqual([expect.objectContaining({ year: 2026, status: 'open', periodStart: '2025-11-15', periodEnd: '2026-11-14' })]);
    expect(response.body.available).toEqual([
      { id: 'quang-ngai-2021', imported: false, title: null },
      { id: 'quang-ngai-2025', imported: true, title: expect.any(String) },
    ]);
  });

  it('refuses a year already open, naming it, and a year out of range', async () => {
    const again = await admin.request('POST', '/api/admin/cycles', { body: { unitId: agency.id, year: 2026 } });
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual(expect.objectContaining({ code: 'cycle-exists', message: 'Kỳ báo cáo năm 2026 của bộ dữ liệu quang-ngai-2025 đã mở' }));
    const early = await admin.request('POST', '/api/admin/cycles', { body: { unitId: agency.id, year: 2014 } });
    expect(early.status).toBe(422);
    expect(early.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['year']);
    const noSuchDay = await admin.request('POST', '/api/admin/cycles', { body: { unitId: agency.id, year: 2027, deadline: '2027-02-30' } });
    expect(noSuchDay.status).toBe(422);
    expect(noSuchDay.body.error.fields).toEqual([{ path: 'deadline', code: 'date', message: 'Ngày 30/02/2027 không có thật' }]);
    const beforePeriodEnd = await admin.request('POST', '/api/admin/cycles', { body: { unitId: agency.id, year: 2027, deadline: '2027-11-10' } });
    expect(beforePeriodEnd.status).toBe(422);
    expect(beforePeriodEnd.body.error.fields.map((f: { path: string }) => f.path)).toEqual(['periodEnd']);
  });

  it('imports a data set shipped with the application by its id, and nothing else', async () => {
    const unknown = await admin.request('POST', '/api/admin/data-sets/import', { body: { dataSetId: 'ha-noi-2025' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.fields[0].message).toBe('Không có bộ dữ liệu “ha-noi-2025”; có: quang-ngai-2021, quang-ngai-2025');
    expect((await admin.request('POST', '/api/admin/data-sets/import', { body: { dataSetId: '../../etc/passwd' } })).status).toBe(422);
    const imported = await admin.request('POST', '/api/admin/data-sets/import', { body: { dataSetId: 'quang-ngai-2021' } });
    expect(imported.status).toBe(200);
    expect(imported.body.dataSetId).toBe('quang-ngai-2021');
    expect(imported.body.units.inserted).toBeGreaterThan(100);
    expect(await t.dataSource.getRepository(DataSetEntity).existsBy({ id: 'quang-ngai-2021' })).toBe(true);
    // Idempotent: a second import changes nothing.
    const again = await admin.request('POST', '/api/admin/data-sets/import', { body: { dataSetId: 'quang-ngai-2021' } });
    expect(again.body.units).toEqual({ inserted: 0, updated: 0, unchanged: imported.body.units.inserted });
    expect(again.body.people.inserted).toBe(0);
  }, 120_000);
});
