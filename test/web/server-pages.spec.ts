import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { FormClient } from '../support/form-client';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/**
 * The server-rendered pages without JavaScript: a client that only follows links and posts forms
 * (no script runs) signs in, sees and claims its task, changes its password and signs out.
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('pages without JavaScript [%s]', (kind) => {
  let t: TestApp;
  let taskKey: string;
  const STAFF = 'staff.21211@quang-ngai-2025';

  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], runtime: true });
    const cycle = await insertCycle(t.dataSource, 'quang-ngai-2025');
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', code: '21211' });
    const report = await t.app.get(ReportsService).startReport(cycle, unit);
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
    taskKey = (await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ subject: `report:${report.id}`, state: 'open' })).taskKey;
  });
  afterAll(() => t.close());

  it('sends a person without a session to the login page and back to where they were going', async () => {
    const browser = new FormClient(t.baseUrl);
    const page = await browser.get('/inbox?state=open');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/login?next=%2Finbox%3Fstate%3Dopen');
    const login = await browser.get(page.location!);
    expect(login.status).toBe(200);
    expect(login.html).toContain('<html lang="vi">');
    expect(login.html).toContain('name="next" value="/inbox?state&#x3D;open"');
    const signedIn = await browser.post('/login', { login: STAFF, password: DEMO_PASSWORD, next: '/inbox?state=open' });
    expect(signedIn.status).toBe(303);
    expect(signedIn.location).toBe('/inbox?state=open');
    expect(browser.hasCookie('iso_cycle_session')).toBe(true);
  });

  it('refuses a login form posted without the login page’s form token (a cross-site form)', async () => {
    const attacker = new FormClient(t.baseUrl);
    const page = await attacker.post('/login', { _csrf: 'x'.repeat(43), login: STAFF, password: DEMO_PASSWORD });
    expect(page.status).toBe(403);
    expect(page.html).toContain('mã chống giả mạo');
    expect(attacker.hasCookie('iso_cycle_session')).toBe(false);
  });

  it('lets that cross-site form sign in once the check is switched off (so the test above can fail)', async () => {
    process.env.SIGN_IN_FORM_TOKEN_OFF = '1';
    try {
      const attacker = new FormClient(t.baseUrl);
      const page = await attacker.post('/login', { _csrf: 'x'.repeat(43), login: STAFF, password: DEMO_PASSWORD });
      expect(page.status).toBe(303);
      expect(attacker.hasCookie('iso_cycle_session')).toBe(true);
    } finally {
      delete process.env.SIGN_IN_FORM_TOKEN_OFF;
    }
  });

  it('shows a wrong password at the form, in Vietnamese, keeping the login typed', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.get('/login');
    const page = await browser.post('/login', { login: STAFF, password: 'not-the-password' });
    expect(page.status).toBe(401);
    expect(page.html).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(page.html).toContain(`value="${STAFF}"`);
    expect(browser.hasCookie('iso_cycle_session')).toBe(false);
  });

  it('never redirects outside the site after signing in', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.get('/login?next=//evil.example/x');
    const page = await browser.post('/login', { login: STAFF, password: DEMO_PASSWORD, next: '//evil.example/x' });
    expect(page.location).toBe('/inbox');
  });

  it('lists the task, claims it through its form and gives it back', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn(STAFF, DEMO_PASSWORD);
    const inbox = await browser.get('/inbox');
    expect(inbox.status).toBe(200);
    expect(inbox.html).toContain(`action="/tasks/${encodeURIComponent(taskKey)}/claim"`);
    const claimed = await browser.post(`/tasks/${encodeURIComponent(taskKey)}/claim`, { back: 'state=open' });
    expect(claimed).toMatchObject({ status: 303, location: '/inbox?state=open&done=claimed' });
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey })).assignee).toBe(STAFF);
    const after = await browser.get(claimed.location!);
    expect(after.html).toContain('Đã nhận việc.');
    expect(after.html).toContain('Trả về nhóm');
    const withoutToken = await browser.post(`/tasks/${encodeURIComponent(taskKey)}/unclaim`, { _csrf: '' });
    expect(withoutToken.status).toBe(403);
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey })).assignee).toBe(STAFF);
    const given = await browser.post(`/tasks/${encodeURIComponent(taskKey)}/unclaim`);
    expect(given.status).toBe(303);
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey })).assignee).toBeNull();
  });

  it('refuses a task of another unit with a page, not the data', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn('staff.21172@quang-ngai-2025', DEMO_PASSWORD);
    const page = await browser.post(`/tasks/${encodeURIComponent(taskKey)}/claim`);
    expect(page.status).toBe(403);
    expect(page.html).toContain('Không có quyền');
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey })).assignee).toBeNull();
  });

  it('changes the password on the account page, the errors shown at their fields', async () => {
    const browser = new FormClient(t.baseUrl);
    await browser.signIn('head.21211@quang-ngai-2025', DEMO_PASSWORD);
    const wrong = await browser.post('/account/password', { currentPassword: 'wrong-password!', newPassword: 'a-long-new-password', repeatPassword: 'a-long-new-password' });
    expect(wrong.status).toBe(422);
    expect(wrong.html).toMatch(/id="currentPassword"[^>]*aria-invalid="true"/);
    expect(wrong.html).toContain('Mật khẩu hiện tại không đúng.');
    const mismatch = await browser.post('/account/password', { currentPassword: DEMO_PASSWORD, newPassword: 'a-long-new-password', repeatPassword: 'another-password' });
    expect(mismatch.html).toContain('Hai lần nhập mật khẩu mới không khớp nhau.');
    const changed = await browser.post('/account/password', { currentPassword: DEMO_PASSWORD, newPassword: 'a-long-new-password', repeatPassword: 'a-long-new-password' });
    expect(changed).toMatchObject({ status: 303, location: '/account?done=password-changed' });
    expect((await browser.get('/account?done=password-changed')).html).toContain('Đã đổi mật khẩu.');
    const out = await browser.post('/logout');
    expect(out).toMatchObject({ status: 303, location: '/login?done=logged-out' });
    expect((await browser.get('/inbox')).status).toBe(303);
    await new FormClient(t.baseUrl).signIn('head.21211@quang-ngai-2025', 'a-long-new-password');
  });
});
