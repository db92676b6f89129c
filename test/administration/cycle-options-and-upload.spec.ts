import { CycleEntity } from '../../src/cycles/cycle.entity';
import { DataSetEntity } from '../../src/organization/data-set.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { RoleAssignmentEntity } from '../../src/organization/role-assignment.entity';
import { Role } from '../../src/organization/roles';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ApiClient, ApiResponse, startTestApp, TestApp } from '../support/http-app';
import { smallDataSet } from '../support/small-data-set';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/** One file upload as a browser sends it (multipart/form-data with the `file` field). */
function multipartFile(fileName: string, content: string, type = 'application/json'): { rawBody: string; contentType: string } {
  const boundary = '----iso-cycle-data-set-boundary';
  const rawBody = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: ${type}\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return { rawBody, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Issue #9's two gaps in administration, through the API: a data set file that is not shipped
 * (checked by the importer's own rules, all or nothing, never over another administrator's data
 * set, its people without a usable password), and a cycle opened with its own data period,
 * reminder days and escalation (each refused at its field when out of range or out of order).
 */
describe.each(TEST_DATABASE_KINDS)('uploaded data sets and cycle options [%s]', (kind) => {
  let t: TestApp;
  let admin: ApiClient;
  let agency: UnitEntity;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], runtime: true });
    agency = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', code: 'skhcn' });
    admin = new ApiClient(t.baseUrl);
    expect((await admin.login('administrator.skhcn@quang-ngai-2025', DEMO_PASSWORD)).status).toBe(200);
  });
  afterAll(() => t?.close());

  const upload = (content: string, name = 'tinh-thu.json'): Promise<ApiResponse> => admin.request('POST', '/api/admin/data-sets/upload', multipartFile(name, content));
  const counts = async () => [await t.dataSource.getRepository(DataSetEntity).count(), await t.dataSource.getRepository(UnitEntity).count(), await t.dataSource.getRepository(PersonEntity).count()];

  it('refuses a bad file with the entry and the problem named, and imports nothing', async () => {
    const before = await counts();
    const notJson = await upload('{ "id": "tinh-thu-2026", ');
    expect(notJson.status).toBe(422);
    expect(notJson.body.error.fields).toEqual([{ path: 'file', code: 'data-set-invalid', message: expect.stringMatching(/^Tệp bộ dữ liệu không hợp lệ, chưa nhập gì: \(file\): not valid JSON/) }]);
    // Valid JSON, a commune without its code: the shape check names the entry.
    const broken = smallDataSet();
    (broken.communes as Record<string, unknown>[])[1].code = '';
    const noCode = await upload(JSON.stringify(broken));
    expect(noCode.status).toBe(422);
    expect(noCode.body.error.fields[0].message).toMatch(/^Tệp bộ dữ liệu không hợp lệ, chưa nhập gì: communes\[1\]/);
    // Shape right, derivation wrong (an agency without a signer-title rule): refused too, before anything is written.
    const underived = { ...smallDataSet(), provincialAgencies: ['Sở Khoa học và Công nghệ', 'Trung tâm Không Có Quy tắc'] };
    const noRule = await upload(JSON.stringify(underived));
    expect(noRule.status).toBe(422);
    expect(noRule.body.error.fields[0].message).toMatch(/provincialAgencies\[1\]: no signer-title rule/);
    const missing = await admin.request('POST', '/api/admin/data-sets/upload', { rawBody: '------b--\r\n', contentType: 'multipart/form-data; boundary=----b' });
    expect(missing.status).toBe(422);
    expect(missing.body.error.fields[0]).toMatchObject({ path: 'file', code: 'required' });
    expect(await counts()).toEqual(before);
  });

  it('never writes over a data set the administrator does not administer (a shipped id included)', async () => {
    const before = await counts();
    const shipped = await upload(JSON.stringify(smallDataSet('quang-ngai-2021')));
    expect(shipped.status).toBe(422);
    expect(shipped.body.error.fields[0]).toMatchObject({ path: 'file', code: 'data-set-not-yours' });
    expect(await counts()).toEqual(before);
  });

  it('imports a new data set from the file, its people without a usable password; again, nothing changes', async () => {
    const imported = await upload(JSON.stringify(smallDataSet()));
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ dataSetId: 'tinh-thu-2026', units: { inserted: 5, updated: 0 } });
    expect(await t.dataSource.getRepository(UnitEntity).countBy({ dataSetId: 'tinh-thu-2026' })).toBe(5);
    const person = new ApiClient(t.baseUrl);
    expect((await person.login('administrator.skhcn@tinh-thu-2026', DEMO_PASSWORD)).status).toBe(401);
    const again = await upload(JSON.stringify(smallDataSet()));
    // The uploader holds no role in it: a second upload is someone else's data set now.
    expect(again.status).toBe(422);
    expect(again.body.error.fields[0].code).toBe('data-set-not-yours');
  });

  it('opens a cycle with its own data period, reminder days and escalation; refuses each out of range at its field', async () => {
    // The uploader is made an administrator of the uploaded data set, as another administrator would.
    const standing = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'tinh-thu-2026', code: 'skhcn' });
    const me = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: 'administrator.skhcn@quang-ngai-2025' });
    await t.dataSource.getRepository(RoleAssignmentEntity).insert({ personId: me.id, unitId: standing.id, role: Role.Administrator, title: null, divisionId: null });
    expect((await admin.login('administrator.skhcn@quang-ngai-2025', DEMO_PASSWORD)).status).toBe(200);

    const open = (body: Record<string, unknown>) => admin.request('POST', '/api/admin/cycles', { body: { unitId: standing.id, year: 2027, ...body } });
    const paths = (response: ApiResponse) => (response.body.error.fields as { path: string }[]).map((f) => f.path).sort();
    expect(paths(await open({ reminderOffsets: [5, 61] }))).toEqual(['reminderOffsets']);
    expect(paths(await open({ reminderOffsets: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] }))).toEqual(['reminderOffsets']);
    expect(paths(await open({ escalationDays: 31 }))).toEqual(['escalationDays']);
    expect(paths(await open({ escalationDays: 1.5 }))).toEqual(['escalationDays']);
    expect(paths(await open({ periodStart: '2027-02-30' }))).toEqual(['periodStart']);
    expect(paths(await open({ periodStart: '2026-12-01T00:00' }))).toEqual(['periodStart']);
    const order = await open({ periodStart: '2027-06-01', periodEnd: '2027-05-31' });
    expect(order.status).toBe(422);
    expect(order.body.error.fields).toEqual([expect.objectContaining({ path: 'periodStart', message: 'Kỳ báo cáo phải bắt đầu trước khi kết thúc' })]);
    expect(paths(await open({ periodEnd: '2027-12-31' }))).toEqual(['periodEnd']);
    expect(await t.dataSource.getRepository(CycleEntity).countBy({ dataSetId: 'tinh-thu-2026' })).toBe(0);

    const opened = await open({ deadline: '2027-12-15', periodStart: '2027-01-01', periodEnd: '2027-12-10', reminderOffsets: [10, 3, 0], escalationDays: 5 });
    expect(opened.status).toBe(201);
    expect(opened.body).toMatchObject({ year: 2027, dataSetId: 'tinh-thu-2026', periodStart: '2027-01-01', periodEnd: '2027-12-10', reminderOffsets: [10, 3, 0], escalationDays: 5 });
    const stored = await t.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: opened.body.id });
    expect([stored.periodStart, stored.periodEnd, stored.reminderOffsets, stored.escalationDays]).toEqual(['2027-01-01', '2027-12-10', [10, 3, 0], 5]);
    expect(stored.deadlineAt.toISOString()).toBe('2027-12-15T16:59:59.999Z');
  }, 120_000);
});
