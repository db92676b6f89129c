import ExcelJS from 'exceljs';
import { PeopleAdministration } from '../../src/administration/people-admin.service';
import { parseCsv } from '../../src/administration/people-sheet';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { RoleAssignmentEntity } from '../../src/organization/role-assignment.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { ApiClient, ApiResponse, startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2025';
const HEADER = 'Họ tên,Tên đăng nhập,Mã đơn vị,Vai trò,Thư điện tử';
const GOOD = [`"Nguyễn Thị Lan",lan.nt@${DATA_SET},21211,Chuyên viên,lan@example.vn`, `"Trần Văn Bình",binh.tv@${DATA_SET},21211,"Văn thư; Cấp phó",`, `"Lê Minh Hùng",hung.lm@${DATA_SET},skhcn,staff,`];

/** One CSV upload as a browser sends it (multipart/form-data with the file field). */
function multipart(fileName: string, content: string): { rawBody: string; contentType: string } {
  const boundary = '----iso-cycle-test-boundary';
  const rawBody = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: text/csv\r\n\r\n${content}\r\n--${boundary}--\r\n`;
  return { rawBody, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * The administrator's people tools through the API: bulk import (every row checked, all or nothing,
 * row-numbered Vietnamese errors), roles set per unit, and a departed person's tasks handed over.
 */
describe.each(TEST_DATABASE_KINDS)('people administration [%s]', (kind) => {
  let t: TestApp;
  let admin: ApiClient;
  let agency: UnitEntity;
  let commune: UnitEntity;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true });
    const units = t.dataSource.getRepository(UnitEntity);
    agency = await units.findOneByOrFail({ dataSetId: DATA_SET, code: 'skhcn' });
    commune = await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    admin = new ApiClient(t.baseUrl);
    expect((await admin.login(`administrator.skhcn@${DATA_SET}`, DEMO_PASSWORD)).status).toBe(200);
  });
  afterAll(() => t?.close());

  const upload = (fileName: string, content: string): Promise<ApiResponse> => admin.request('POST', `/api/admin/people/import?unitId=${agency.id}`, multipart(fileName, content));
  const people = () => t.dataSource.getRepository(PersonEntity).count();
  const personId = async (login: string) => (await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login })).id;

  it('refuses a file with one bad row, naming the row and column in Vietnamese, and imports nobody', async () => {
    const before = await people();
    const bad = `"Phạm Thu Hà",ha.pt@${DATA_SET},99999,Chuyên viên,`;
    const response = await upload('nguoi-dung.csv', [HEADER, GOOD[0], bad, GOOD[1], `"Võ Yến",lan.nt@${DATA_SET},21211,Giám đốc,`].join('\r\n'));
    expect(response.status).toBe(422);
    expect(response.body.error.message).toBe('Tệp có 2 dòng lỗi: chưa nhập người nào. Hãy sửa rồi nhập lại.');
    expect(response.body.error.fields).toEqual([
      { path: 'rows.3.unitCode', code: 'row', message: `Dòng 3: không có đơn vị mã “99999” trong bộ dữ liệu ${DATA_SET} (cột Mã đơn vị)` },
      { path: 'rows.5.login', code: 'row', message: `Dòng 5: tên đăng nhập “lan.nt@${DATA_SET}” trùng với dòng 2 (cột Tên đăng nhập)` },
      { path: 'rows.5.roles', code: 'row', message: 'Dòng 5: vai trò không có: “Giám đốc” (cột Vai trò)' },
    ]);
    expect(await people()).toBe(before);
  });

  it('imports every row of a good file (roles by Vietnamese label or key), and adds only missing roles on a second import', async () => {
    const before = await people();
    const response = await upload('nguoi-dung.csv', `\uFEFF${[HEADER, ...GOOD].join('\n')}\n`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ rows: 3, peopleInserted: 3, rolesInserted: 4 });
    expect(await people()).toBe(before + 3);
    const binh = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `binh.tv@${DATA_SET}` });
    expect(binh.fullName).toBe('Trần Văn Bình');
    const roles = await t.dataSource.getRepository(RoleAssignmentEntity).findBy({ personId: binh.id });
    expect(roles.map((r) => r.role).sort()).toEqual(['clerk', 'deputy']);
    expect(roles.find((r) => r.role === 'deputy')!.title).toBe(commune.deputyTitle);
    // Imported people cannot sign in until an administrator sets a password.
    expect((await new ApiClient(t.baseUrl).login(binh.login, DEMO_PASSWORD)).status).toBe(401);
    const again = await upload('nguoi-dung.csv', [HEADER, GOOD[0], GOOD[1]].join('\n'));
    expect(again.body).toEqual({ rows: 2, peopleInserted: 0, rolesInserted: 0 });
  });

  it('reads XLSX the same way, and names a file of another kind or without the needed columns', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Người dùng');
    sheet.addRow(['Họ và tên', 'Tên đăng nhập', 'Mã đơn vị', 'Vai trò']);
    sheet.addRow(['Đặng Bích Vy', `vy.db@${DATA_SET}`, '21211', 'Tổng hợp']);
    sheet.addRow(['Hồ Quân', `quan.h@${DATA_SET}`, '21211', 'Trưởng phòng']);
    const buffer = Buffer.from(await workbook.xlsx.writeBuffer());
    const service = t.app.get(PeopleAdministration);
    const actor = { personId: await personId(`administrator.skhcn@${DATA_SET}`), login: `administrator.skhcn@${DATA_SET}`, fullName: 'x', holdings: [] };
    // A commune has no units below it: it cannot hold the consolidator role.
    await expect(service.importPeople(agency.id, { originalname: 'nguoi-dung.xlsx', buffer }, actor)).rejects.toMatchObject({
      fields: [{ path: 'rows.2.roles', code: 'row', message: expect.stringMatching(/^Dòng 2: Xã Tịnh Khê không có đơn vị cấp dưới báo cáo về/) }],
    });
    sheet.getRow(2).getCell(4).value = 'Chuyên viên';
    const fixed = Buffer.from(await workbook.xlsx.writeBuffer());
    await expect(service.importPeople(agency.id, { originalname: 'nguoi-dung.xlsx', buffer: fixed }, actor)).resolves.toEqual({ rows: 2, peopleInserted: 2, rolesInserted: 2 });
    const wrongKind = await upload('nguoi-dung.txt', 'x');
    expect(wrongKind.status).toBe(422);
    expect(wrongKind.body.error.fields).toEqual([{ path: 'file', code: 'file', message: 'Chỉ nhận tệp .csv hoặc .xlsx' }]);
    const noRoles = await upload('nguoi-dung.csv', 'Họ tên;Tên đăng nhập;Mã đơn vị\nA B;ab;21211\n');
    expect(noRoles.body.error.fields[0].message).toBe('Dòng 1 (tiêu đề) thiếu cột: Vai trò');
  });

  it('the all-or-nothing guard matters: switched off, a file with a bad row imports its good rows', async () => {
    process.env.PEOPLE_IMPORT_ALL_OR_NOTHING_OFF = '1';
    try {
      const before = await people();
      const response = await upload('nguoi-dung.csv', [HEADER, `"Ngô Hải",hai.n@${DATA_SET},21211,staff,`, `"Lý Sơn",son.l@${DATA_SET},nowhere,staff,`].join('\n'));
      expect(response.status).toBe(200);
      expect(await people()).toBe(before + 1);
    } finally {
      delete process.env.PEOPLE_IMPORT_ALL_OR_NOTHING_OFF;
    }
  });

  it('sets the roles a person holds in a unit, and names what it refuses', async () => {
    const id = await personId(`lan.nt@${DATA_SET}`);
    const set = (body: unknown) => admin.request('PUT', `/api/admin/people/${id}/roles`, { body });
    const response = await set({ unitId: commune.id, roles: ['staff', 'division-head'] });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ unitId: commune.id, roles: ['division-head', 'staff'] });
    const unchanged = await set({ unitId: commune.id, roles: ['division-head', 'staff'] });
    expect(unchanged.status).toBe(409);
    expect(unchanged.body.error.message).toMatch(/đã có đúng các vai trò này tại Xã Tịnh Khê/);
    const consolidator = await set({ unitId: commune.id, roles: ['consolidator'] });
    expect(consolidator.status).toBe(422);
    expect(consolidator.body.error.fields[0].message).toMatch(/không có đơn vị cấp dưới báo cáo về/);
    expect((await set({ unitId: commune.id, roles: ['mayor'] })).status).toBe(422);
    const self = await admin.request('PUT', `/api/admin/people/${await personId(`administrator.skhcn@${DATA_SET}`)}/roles`, { body: { unitId: agency.id, roles: [] } });
    expect(self.status).toBe(422);
    expect(self.body.error.fields[0].message).toMatch(/Không thể tự bỏ vai trò Quản trị/);
    const removed = await set({ unitId: commune.id, roles: [] });
    expect(removed.body.roles).toEqual([]);
    expect(await t.dataSource.getRepository(RoleAssignmentEntity).countBy({ personId: id, unitId: commune.id })).toBe(0);
  });

  it('hands a departed person’s open tasks to a colleague of the same unit through the engine, and locks the account', async () => {
    const cycle = await insertCycle(t.dataSource, DATA_SET);
    await t.app.get(ReportsService).startReport(cycle, commune);
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
    const departed = `staff.21211@${DATA_SET}`;
    const draft = await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ unitId: commune.id, state: 'open' });
    await t.app.get(WorkflowEngine).assignUserTask(draft.taskKey, departed, 'test');
    await t.app.get(InboxProjection).settled();
    const id = await personId(departed);
    const held = await admin.request('GET', `/api/admin/people/${id}/tasks`);
    expect(held.status).toBe(200);
    expect(held.body).toEqual([expect.objectContaining({ taskKey: draft.taskKey, unitName: 'Ủy ban nhân dân xã Tịnh Khê' })]);

    const outsider = await admin.request('POST', `/api/admin/people/${id}/reassign-tasks`, { body: { toLogin: `staff.skhcn@${DATA_SET}` } });
    expect(outsider.status).toBe(422);
    expect(outsider.body.error.fields[0]).toEqual(expect.objectContaining({ path: 'toLogin', message: expect.stringMatching(/không có vai trò tại Ủy ban nhân dân xã Tịnh Khê: chỉ giao lại cho người cùng đơn vị$/) }));
    expect((await admin.request('POST', `/api/admin/people/${id}/reassign-tasks`, { body: { toLogin: `nobody@${DATA_SET}` } })).body.error.fields[0].message).toBe(`Không có người dùng “nobody@${DATA_SET}”`);

    const staffSession = new ApiClient(t.baseUrl);
    expect((await staffSession.login(departed, DEMO_PASSWORD)).status).toBe(200);
    const done = await admin.request('POST', `/api/admin/people/${id}/reassign-tasks`, { body: { toLogin: `binh.tv@${DATA_SET}`, deactivate: true } });
    expect(done.status).toBe(200);
    expect(done.body).toEqual({ reassigned: [draft.taskKey], deactivated: true });
    expect((await t.app.get(WorkflowEngine).getUserTask(draft.taskKey)).assignee).toBe(`binh.tv@${DATA_SET}`);
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey: draft.taskKey })).assignee).toBe(`binh.tv@${DATA_SET}`);
    expect((await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ id })).active).toBe(false);
    expect((await staffSession.request('GET', '/api/auth/me')).status).toBe(401);
    const nothingLeft = await admin.request('POST', `/api/admin/people/${id}/reassign-tasks`, { body: { toLogin: `binh.tv@${DATA_SET}` } });
    expect(nothingLeft.status).toBe(409);
    expect(nothingLeft.body.error.message).toMatch(/không giữ nhiệm vụ nào đang mở$/);
  });

  it('reads quoted CSV cells with the delimiter, quotes and line breaks inside', () => {
    expect(parseCsv('a;b\r\n"x;1";"say ""hi""\nthere"\r\n')).toEqual([['a', 'b'], ['x;1', 'say "hi"\nthere']]);
  });
});
