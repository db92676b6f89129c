import { CycleEntity } from '../../src/cycles/cycle.entity';
import { DataSetEntity } from '../../src/organization/data-set.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { PersonEntity } from '../../src/organization/person.entity';
import { RoleAssignmentEntity } from '../../src/organization/role-assignment.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { SigningCredentialEntity } from '../../src/signing/admin/signing-credential.entity';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { Role } from '../../src/organization/roles';
import { smallDataSet } from '../support/small-data-set';
import { TestCa } from '../signing/support/test-ca';
import { blueSignature, redSeal } from '../signing/support/test-images';
import { insertCycle } from '../support/cycle-fixture';
import { FormClient, PageResponse } from '../support/form-client';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

const DATA_SET = 'quang-ngai-2025';
const ADMIN = `administrator.skhcn@${DATA_SET}`;

/** The text of the element with this id (tags dropped), for looking at one field's error. */
function textOf(html: string, id: string): string {
  const match = new RegExp(`id="${id}"[^>]*>([\\s\\S]*?)</(p|div|ul|td|fieldset)>`).exec(html);
  return match ? match[1].replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').trim() : '';
}
const unescape = (html: string) => html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
/** The action of the form with this id, as the page wrote it (the CSRF token in it for a multipart form). */
function actionOf(html: string, formId: string): string {
  const match = new RegExp(`<form id="${formId}"[^>]*action="([^"]+)"`).exec(html);
  if (!match) throw new Error(`no form #${formId}`);
  return unescape(match[1]);
}

/**
 * The administrator's page without JavaScript (a client that only follows links and posts forms):
 * every form works, a refusal is shown at its field and changes nothing, a non-administrator gets
 * 403. Cycle opening runs on a small uploaded data set (two communes) so it takes seconds.
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('the administrator’s page without JavaScript [%s]', (kind) => {
  let t: TestApp;
  let browser: FormClient;
  let commune: UnitEntity;

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: [DATA_SET], runtime: true, signing: { secret: 'admin-page-secret' } });
    await insertCycle(t.dataSource, DATA_SET);
    commune = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    browser = new FormClient(t.baseUrl);
    await browser.signIn(ADMIN, DEMO_PASSWORD);
  });
  afterAll(() => t?.close());

  const count = (entity: typeof PersonEntity | typeof DataSetEntity | typeof CycleEntity | typeof SigningCredentialEntity) => t.dataSource.getRepository(entity).count();

  it('refuses anyone but an administrator, and sends an anonymous caller to sign in', async () => {
    expect((await new FormClient(t.baseUrl).get('/admin')).location).toBe('/login?next=%2Fadmin');
    const head = new FormClient(t.baseUrl);
    await head.signIn(`head.21211@${DATA_SET}`, DEMO_PASSWORD);
    const page = await head.get('/admin');
    expect(page.status).toBe(403);
    expect(page.html).toContain('Không có quyền');
    const before = await count(CycleEntity);
    const post = await head.post('/admin/cycles', { unitId: String(commune.id), year: '2030', confirm: 'yes' });
    expect(post.status).toBe(403);
    expect(await count(CycleEntity)).toBe(before);
  });

  // Server time is bench/pages.bench.ts's (BENCHMARKS.md), not a timed test's.
  it('shows the data set’s cycles and every form, and a person found by login', async () => {
    expect((await browser.get(`/admin?q=staff.21&person=1`)).status).toBe(200);
    const page = await browser.get('/admin');
    expect(page.status).toBe(200);
    expect(page.html).toMatch(/<tr data-year="2026"><th scope="row">2026<\/th><td>Đang mở<\/td><td>14\/11\/2026<\/td><td>15\/11\/2025 – 14\/11\/2026<\/td>/);
    for (const id of ['open-cycle-form', 'import-data-set-form', 'upload-data-set-form', 'import-people-form', 'signing-unit-form', 'signing-person-form']) expect(page.html).toContain(`id="${id}"`);
    expect(page.html).not.toContain('<script');
  });

  it('refuses a bad data set file at its field and imports nothing; imports a good one', async () => {
    const page = await browser.get('/admin');
    const before = [await count(DataSetEntity), await count(PersonEntity)];
    const broken = smallDataSet('tinh-trang-2026');
    (broken.communes as Record<string, unknown>[])[0].code = 'không hợp lệ';
    const refused = await browser.postMultipart(actionOf(page.html, 'upload-data-set-form'), {}, { file: { name: 'tinh.json', type: 'application/json', content: Buffer.from(JSON.stringify(broken)) } });
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="data-set-file"[^>]*aria-invalid="true"/);
    expect(textOf(refused.html, 'data-set-file-error')).toMatch(/^Tệp bộ dữ liệu không hợp lệ, chưa nhập gì: communes\[0\]/);
    expect([await count(DataSetEntity), await count(PersonEntity)]).toEqual(before);

    const done = await browser.postMultipart(actionOf(refused.html, 'upload-data-set-form'), {}, { file: { name: 'tinh.json', type: 'application/json', content: Buffer.from(JSON.stringify(smallDataSet('tinh-trang-2026'))) } });
    expect(done.status).toBe(303);
    const after = await browser.get(done.location!);
    expect(textOf(after.html, 'messages')).toBe('Đã nhập bộ dữ liệu tinh-trang-2026: 5 đơn vị mới, 0 đơn vị cập nhật, 27 người dùng mới.');
    expect(await t.dataSource.getRepository(DataSetEntity).existsBy({ id: 'tinh-trang-2026' })).toBe(true);

    const unknown = await browser.post(actionOf(after.html, 'import-data-set-form'), { dataSetId: 'ha-noi-2025' });
    expect(unknown.status).toBe(422);
    expect(textOf(unknown.html, 'data-set-id-error')).toMatch(/^Không có bộ dữ liệu “ha-noi-2025”/);
  });

  it('opens a cycle with its own options after the confirmation; each refusal at its field, nothing opened', async () => {
    // The administrator is made one of the uploaded data set's administrators, then picks it on the page.
    const standing = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'tinh-trang-2026', code: 'skhcn' });
    const me = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: ADMIN });
    await t.dataSource.getRepository(RoleAssignmentEntity).insert({ personId: me.id, unitId: standing.id, role: Role.Administrator, title: null, divisionId: null });
    const admin = new FormClient(t.baseUrl);
    await admin.signIn(ADMIN, DEMO_PASSWORD);
    const page = await admin.get(`/admin?unitId=${standing.id}`);
    expect(page.html).toContain('id="pick-data-set"');
    expect(page.html).toContain('Chưa mở kỳ báo cáo nào.');
    const action = actionOf(page.html, 'open-cycle-form');
    const form = { unitId: String(standing.id), year: '2027', deadline: '15/12/2027', periodStart: '01/01/2027', periodEnd: '10/12/2027', reminderOffsets: '10, 3, 0', escalationDays: '5' };

    const unconfirmed = await admin.post(action, form);
    expect(unconfirmed.status).toBe(422);
    expect(unconfirmed.html).toMatch(/id="cycle-confirm"[^>]*aria-invalid="true"/);
    expect(unconfirmed.html).toContain('value="10, 3, 0"');
    const badReminder = await admin.post(action, { ...form, reminderOffsets: '10, 61', confirm: 'yes' });
    expect(badReminder.status).toBe(422);
    expect(textOf(badReminder.html, 'cycle-reminderOffsets-error')).toBe('Các mốc nhắc hạn là số ngày làm việc từ 0 đến 60, tối đa 10 mốc');
    const badDay = await admin.post(action, { ...form, periodStart: '31/02/2027', confirm: 'yes' });
    expect(textOf(badDay.html, 'cycle-periodStart-error')).toBe('Ngày 31/02/2027 không có thật');
    const afterDeadline = await admin.post(action, { ...form, periodEnd: '31/12/2027', confirm: 'yes' });
    expect(textOf(afterDeadline.html, 'cycle-periodEnd-error')).toMatch(/^Kỳ báo cáo phải kết thúc trước hoặc đúng hạn báo cáo/);
    const notADate = await admin.post(action, { ...form, deadline: 'mai', confirm: 'yes' });
    expect(textOf(notADate.html, 'cycle-deadline-error')).toBe('Ngày phải có dạng dd/mm/yyyy.');
    expect(await t.dataSource.getRepository(CycleEntity).countBy({ dataSetId: 'tinh-trang-2026' })).toBe(0);

    const opened = await admin.post(action, { ...form, confirm: 'yes' });
    expect(opened.status).toBe(303);
    const after = await admin.get(opened.location!);
    expect(textOf(after.html, 'messages')).toBe('Đã mở kỳ báo cáo năm 2027.');
    expect(after.html).toMatch(/<tr data-year="2027">.*15\/12\/2027.*01\/01\/2027 – 10\/12\/2027/);
    const cycle = await t.dataSource.getRepository(CycleEntity).findOneByOrFail({ dataSetId: 'tinh-trang-2026', year: 2027 });
    expect([cycle.reminderOffsets, cycle.escalationDays]).toEqual([[10, 3, 0], 5]);
    const again = await admin.post(action, { ...form, confirm: 'yes' });
    expect(again.status).toBe(409);
    expect(textOf(again.html, 'cycle-year-error')).toBe('Kỳ báo cáo năm 2027 của bộ dữ liệu tinh-trang-2026 đã mở');
  }, 120_000);

  it('imports people from a CSV: a bad row listed by number and nobody imported; the fixed file imports all', async () => {
    const page = await browser.get('/admin');
    const header = 'Họ tên;Tên đăng nhập;Mã đơn vị;Vai trò';
    const csv = (lines: string[]) => ({ file: { name: 'nguoi-dung.csv', type: 'text/csv', content: Buffer.from(`${[header, ...lines].join('\r\n')}\r\n`) } });
    const before = await count(PersonEntity);
    const refused = await browser.postMultipart(actionOf(page.html, 'import-people-form'), {}, csv([`Nguyễn Thị Lan;lan.nt@${DATA_SET};21211;Chuyên viên`, `Trần Văn Bình;binh.tv@${DATA_SET};21999;Văn thư`]));
    expect(refused.status).toBe(422);
    expect(refused.html).toMatch(/id="people-file"[^>]*aria-invalid="true"/);
    expect(textOf(refused.html, 'import-error-list')).toBe(`Dòng 3: không có đơn vị mã “21999” trong bộ dữ liệu ${DATA_SET} (cột Mã đơn vị)`);
    expect(textOf(refused.html, 'messages')).toBe('Tệp có 1 dòng lỗi: chưa nhập người nào. Hãy sửa rồi nhập lại.');
    expect(await count(PersonEntity)).toBe(before);
    const done = await browser.postMultipart(actionOf(refused.html, 'import-people-form'), {}, csv([`Nguyễn Thị Lan;lan.nt@${DATA_SET};21211;Chuyên viên`, `Trần Văn Bình;binh.tv@${DATA_SET};21211;Văn thư`]));
    expect(done.status).toBe(303);
    expect(textOf((await browser.get(done.location!)).html, 'messages')).toMatch(/^Đã nhập 2 dòng: 2 người dùng mới, 2 vai trò mới\./);
    expect(await count(PersonEntity)).toBe(before + 2);
  });

  it('finds a person, sets a password (a short one refused at its field), sets roles, hands a departed person’s task over', async () => {
    const found = await browser.get(`/admin?q=${encodeURIComponent(`binh.tv@${DATA_SET}`)}`);
    const binh = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `binh.tv@${DATA_SET}` });
    expect(found.html).toContain(`<tr data-login="binh.tv@${DATA_SET}">`);
    const passwordAction = unescape(new RegExp(`action="(/admin/people/${binh.id}/password[^"]*)"`).exec(found.html)![1]);
    const short = await browser.post(passwordAction, { newPassword: 'ngắn' });
    expect(short.status).toBe(422);
    expect(short.html).toMatch(new RegExp(`id="reset-${binh.id}"[^>]*aria-invalid="true"`));
    const set = await browser.post(passwordAction, { newPassword: 'mật khẩu do quản trị đặt' });
    expect(set.status).toBe(303);
    expect(textOf((await browser.get(set.location!)).html, 'messages')).toBe('Đã đặt lại mật khẩu cho Trần Văn Bình; các phiên đăng nhập của người này đã bị đóng.');
    await new FormClient(t.baseUrl).signIn(`binh.tv@${DATA_SET}`, 'mật khẩu do quản trị đặt');

    // Roles: the panel of one person, one unit at a time.
    const panel = await browser.get(/href="([^"]*person=\d+[^"]*)" class="manage-link"/.exec(unescape(found.html))![1].replace(/#.*$/, ''));
    expect(panel.html).toMatch(/id="role-clerk"[^>]*checked/);
    const rolesAction = actionOf(panel.html, 'roles-form');
    const unchanged = await browser.post(rolesAction, { unitId: String(commune.id), roles: ['clerk'] });
    expect(unchanged.status).toBe(409);
    expect(textOf(unchanged.html, 'roles-error')).toMatch(/đã có đúng các vai trò này/);
    const roles = await browser.post(rolesAction, { unitId: String(commune.id), roles: ['clerk', 'deputy'] });
    expect(roles.status).toBe(303);
    const afterRoles = await browser.get(roles.location!.replace(/#.*$/, ''));
    expect(textOf(afterRoles.html, 'messages')).toBe('Đã cập nhật vai trò của Trần Văn Bình.');
    expect((await t.dataSource.getRepository(RoleAssignmentEntity).findBy({ personId: binh.id })).map((r) => r.role).sort()).toEqual(['clerk', 'deputy']);
    // Another unit, picked with the GET form: its boxes are empty.
    const agency = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: 'skhcn' });
    const other = await browser.get(`/admin?q=${encodeURIComponent(`binh.tv@${DATA_SET}`)}&person=${binh.id}&rolesUnitId=${agency.id}`);
    expect(other.html).not.toMatch(/id="role-clerk"[^>]*checked/);
    expect(other.html).toContain(`name="unitId" value="${agency.id}"`);

    // The commune's staff member left holding the draft task: refused to someone of another unit, then handed to a colleague.
    const cycle = await t.dataSource.getRepository(CycleEntity).findOneByOrFail({ dataSetId: DATA_SET, year: 2026 });
    await t.app.get(ReportsService).startReport(cycle, commune);
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
    const task = await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ unitId: commune.id, state: 'open' });
    await t.app.get(WorkflowEngine).assignUserTask(task.taskKey, `staff.21211@${DATA_SET}`, 'test');
    await t.app.get(InboxProjection).settled();
    const staff = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `staff.21211@${DATA_SET}` });
    const staffPanel = await browser.get(`/admin?q=staff.21211&person=${staff.id}`);
    expect(textOf(staffPanel.html, 'held-tasks')).toContain('Ủy ban nhân dân xã Tịnh Khê');
    const reassign = actionOf(staffPanel.html, 'reassign-form');
    const outside = await browser.post(reassign, { toLogin: `staff.skhcn@${DATA_SET}`, deactivate: 'yes' });
    expect(outside.status).toBe(422);
    expect(outside.html).toMatch(/id="to-login"[^>]*aria-invalid="true"/);
    expect(textOf(outside.html, 'to-login-error')).toMatch(/chỉ giao lại cho người cùng đơn vị$/);
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey: task.taskKey })).assignee).toBe(`staff.21211@${DATA_SET}`);
    const handed = await browser.post(reassign, { toLogin: `lan.nt@${DATA_SET}`, deactivate: 'yes' });
    expect(handed.status).toBe(303);
    const afterHanded = await browser.get(handed.location!.replace(/#.*$/, ''));
    expect(textOf(afterHanded.html, 'messages')).toBe(`Đã giao 1 nhiệm vụ của ${staff.fullName} cho lan.nt@${DATA_SET}; tài khoản người nghỉ việc đã bị khóa.`);
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey: task.taskKey })).assignee).toBe(`lan.nt@${DATA_SET}`);
  }, 60_000);

  it('uploads, lists and removes certificates and images; a bad image refused at its field', async () => {
    const ca = new TestCa();
    const unitIdentity = ca.issue(commune.officialName, { passphrase: 'seal-passphrase-without-js' });
    const headIdentity = ca.issue('Trưởng xã');
    const head = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.21211@${DATA_SET}` });
    let page: PageResponse = await browser.get(`/admin?signingUnitId=${commune.id}`);
    expect(page.html).toContain('id="signing-none"');

    const wrongPassphrase = await browser.postMultipart(actionOf(page.html, 'signing-unit-form'), { passphrase: 'not-it' }, { pkcs12: { name: 'unit.p12', type: 'application/x-pkcs12', content: unitIdentity.pkcs12 } });
    expect(wrongPassphrase.status).toBe(422);
    expect(textOf(wrongPassphrase.html, 'unit-p12-error')).toMatch(/^Không mở được tệp PKCS#12/);
    expect(await count(SigningCredentialEntity)).toBe(0);

    const unit = await browser.postMultipart(actionOf(page.html, 'signing-unit-form'), { passphrase: unitIdentity.passphrase, diameterMm: '36' }, { pkcs12: { name: 'unit.p12', type: 'application/x-pkcs12', content: unitIdentity.pkcs12 }, seal: { name: 'seal.png', type: 'image/png', content: redSeal() } });
    expect(unit.status).toBe(303);
    page = await browser.get(unit.location!.replace(/#.*$/, ''));
    expect(textOf(page.html, 'messages')).toBe('Đã lưu chứng thư số và con dấu của đơn vị.');
    expect(page.html).toContain(`<tr data-owner="21211@${DATA_SET}">`);
    expect(page.html).not.toContain(unitIdentity.passphrase);

    const notPng = await browser.postMultipart(actionOf(page.html, 'signing-person-form'), { personId: String(head.id) }, { image: { name: 'signature.png', type: 'image/png', content: Buffer.from('not a png at all, really not') } });
    expect(notPng.status).toBe(422);
    expect(notPng.html).toMatch(/id="person-image"[^>]*aria-invalid="true"/);
    expect(textOf(notPng.html, 'person-image-error')).toBe('Ảnh phải là tệp PNG (nền trong suốt)');
    const stranger = await browser.postMultipart(actionOf(page.html, 'signing-person-form'), { personId: '999999' }, { image: { name: 'signature.png', type: 'image/png', content: blueSignature() } });
    expect(textOf(stranger.html, 'person-id-error')).toBe('Chọn người ký trong danh sách của đơn vị.');
    const person = await browser.postMultipart(actionOf(page.html, 'signing-person-form'), { personId: String(head.id) }, { key: { name: 'head.pem', type: 'application/x-pem-file', content: Buffer.from(headIdentity.certificatePem) }, image: { name: 'signature.png', type: 'image/png', content: blueSignature() } });
    expect(person.status).toBe(303);
    page = await browser.get(person.location!.replace(/#.*$/, ''));
    expect(textOf(page.html, 'messages')).toBe(`Đã lưu chữ ký số của ${head.fullName}.`);
    expect(page.html).toContain('Ký bằng USB token');
    expect(page.html).toContain('Ký trên máy chủ');

    const remove = unescape(new RegExp(`action="(/admin/signing/people/${head.id}/remove[^"]*)"`).exec(page.html)![1]);
    const removed = await browser.post(remove);
    expect(removed.status).toBe(303);
    const stored = await t.dataSource.getRepository(SigningCredentialEntity).find();
    expect(stored.map((c) => [c.ownerKey, c.image !== null, c.sealDiameterMm])).toEqual([[`21211@${DATA_SET}`, true, 36]]);
  });
});
