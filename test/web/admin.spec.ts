import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, ElementHandle, Page } from 'puppeteer-core';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { PersonEntity } from '../../src/organization/person.entity';
import { RoleAssignmentEntity } from '../../src/organization/role-assignment.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { ARTIFACTS, clickAndWait, DATA_SET, launchBrowser, screenshot, signIn, textOf } from './browser-support';

/**
 * The administrator's page in Chromium, through its own forms: a people file with a bad row is refused
 * row by row and imports nobody, the fixed file imports everyone; a role set; a departed person's task
 * handed to a colleague of the same unit; the next year's cycle opened.
 */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('the administrator’s page in Chromium [sqlite]', () => {
  let t: TestApp;
  let browser: Browser;
  let cycle: CycleEntity;
  let commune: UnitEntity;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp('sqlite', { dataSets: [DATA_SET], runtime: true, clock: new ControlledClock(new Date()) });
    cycle = await insertCycle(t.dataSource, DATA_SET);
    commune = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    await t.app.get(ReportsService).startReport(cycle, commune);
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
    browser = await launchBrowser(t.config.chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const unlabelled = (page: Page) => page.$$eval('input, select, textarea', (nodes) => nodes.filter((n) => (n as HTMLInputElement).type !== 'hidden' && !(n as HTMLInputElement).labels?.length).map((n) => n.outerHTML));
  const people = () => t.dataSource.getRepository(PersonEntity).count();
  const uploadCsv = async (page: Page, name: string, lines: string[]) => {
    const path = join(ARTIFACTS, name);
    writeFileSync(path, `${lines.join('\r\n')}\r\n`);
    await ((await page.$('#people-file')) as ElementHandle<HTMLInputElement>).uploadFile(path);
    await clickAndWait(page, '#import-people');
  };
  const openPerson = async (page: Page, login: string) => {
    await page.$eval('#q', (node) => ((node as HTMLInputElement).value = ''));
    await page.type('#q', login);
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await page.waitForSelector(`#people tr[data-login="${login}"] a.manage-link`);
    await clickAndWait(page, `#people tr[data-login="${login}"] a.manage-link`);
    await page.waitForSelector('#person-panel');
  };

  it('imports people from a CSV (a bad row refused, nothing imported; fixed, all imported), sets a role, reassigns a departed person’s task, opens a cycle', async () => {
    const { context, page } = await signIn(browser, t.baseUrl, 'administrator.skhcn');
    await clickAndWait(page, 'a[href="/admin"]');
    await page.waitForSelector('#import-people-form');
    expect(await unlabelled(page)).toEqual([]);
    expect(await textOf(page, '#cycles tr[data-year="2026"]')).toContain('14/11/2026');

    const header = 'Họ tên;Tên đăng nhập;Mã đơn vị;Vai trò';
    const before = await people();
    await uploadCsv(page, 'nguoi-dung-loi.csv', [header, `Nguyễn Thị Lan;lan.nt@${DATA_SET};21211;Chuyên viên`, `Trần Văn Bình;binh.tv@${DATA_SET};21999;Văn thư`]);
    await page.waitForSelector('#import-error-list');
    expect(await textOf(page, '#import-error-list')).toBe(`Dòng 3: không có đơn vị mã “21999” trong bộ dữ liệu ${DATA_SET} (cột Mã đơn vị)`);
    expect(await textOf(page, '#messages')).toBe('Tệp có 1 dòng lỗi: chưa nhập người nào. Hãy sửa rồi nhập lại.');
    expect(await page.$eval('#people-file', (n) => n.getAttribute('aria-invalid'))).toBe('true');
    expect(await people()).toBe(before);
    await screenshot(page, '10-admin-import-refused');

    await uploadCsv(page, 'nguoi-dung.csv', [header, `Nguyễn Thị Lan;lan.nt@${DATA_SET};21211;Chuyên viên`, `Trần Văn Bình;binh.tv@${DATA_SET};21211;Văn thư`]);
    await page.waitForSelector('.message-ok');
    expect(await textOf(page, '#messages')).toMatch(/^Đã nhập 2 dòng: 2 người dùng mới, 2 vai trò mới\./);
    expect(await page.$('#import-error-list')).toBeNull();
    expect(await people()).toBe(before + 2);

    // A role: Trần Văn Bình becomes also the commune's deputy.
    await openPerson(page, `binh.tv@${DATA_SET}`);
    expect(await unlabelled(page)).toEqual([]);
    expect(await page.$eval('#role-clerk', (n) => (n as HTMLInputElement).checked)).toBe(true);
    await page.click('#role-deputy');
    await clickAndWait(page, '#save-roles');
    await page.waitForSelector('#person-panel');
    expect(await textOf(page, '#messages')).toBe('Đã cập nhật vai trò của Trần Văn Bình.');
    expect(await textOf(page, `#people tr[data-login="binh.tv@${DATA_SET}"]`)).toContain('Cấp phó – Xã Tịnh Khê');
    const binh = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `binh.tv@${DATA_SET}` });
    expect((await t.dataSource.getRepository(RoleAssignmentEntity).findBy({ personId: binh.id })).map((r) => r.role).sort()).toEqual(['clerk', 'deputy']);
    // And a role in a unit where he held none: chosen among the data set's other units.
    const agency = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: 'skhcn' });
    await page.select('#roles-unit', String(agency.id));
    await clickAndWait(page, '#show-roles');
    expect(await page.$eval('#role-clerk', (n) => (n as HTMLInputElement).checked)).toBe(false);
    await page.click('#role-staff');
    await clickAndWait(page, '#save-roles');
    await page.waitForSelector('#person-panel');
    expect(await textOf(page, `#people tr[data-login="binh.tv@${DATA_SET}"]`)).toContain(`Chuyên viên – ${agency.nameWithType}`);

    // The commune's staff member left, holding the report's draft task; it goes to Nguyễn Thị Lan, not to someone of another unit.
    const task = await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ unitId: commune.id, state: 'open' });
    await t.app.get(WorkflowEngine).assignUserTask(task.taskKey, `staff.21211@${DATA_SET}`, 'test');
    await t.app.get(InboxProjection).settled();
    await openPerson(page, `staff.21211@${DATA_SET}`);
    expect(await textOf(page, '#held-tasks')).toContain('Ủy ban nhân dân xã Tịnh Khê');
    await page.type('#to-login', `staff.skhcn@${DATA_SET}`);
    await clickAndWait(page, '#reassign');
    await page.waitForSelector('#to-login[aria-invalid="true"]');
    expect(await textOf(page, '#to-login-error')).toMatch(/chỉ giao lại cho người cùng đơn vị$/);
    await page.$eval('#to-login', (node) => ((node as HTMLInputElement).value = ''));
    await page.type('#to-login', `lan.nt@${DATA_SET}`);
    await screenshot(page, '11-admin-reassign');
    await clickAndWait(page, '#reassign');
    await page.waitForSelector('#person-panel');
    expect(await textOf(page, '#messages')).toBe(`Đã giao 1 nhiệm vụ của ${(await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `staff.21211@${DATA_SET}` })).fullName} cho lan.nt@${DATA_SET}; tài khoản người nghỉ việc đã bị khóa.`);
    expect(await textOf(page, '#held-tasks')).toBe('Không giữ nhiệm vụ nào đang mở.');
    expect((await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey: task.taskKey })).assignee).toBe(`lan.nt@${DATA_SET}`);
    expect((await t.app.get(WorkflowEngine).getUserTask(task.taskKey)).assignee).toBe(`lan.nt@${DATA_SET}`);

    // The 2027 cycle, opened through the page (after a confirmation).
    await page.setViewport({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    // Without the confirmation box ticked, nothing opens: the box is pointed at.
    await page.$eval('#cycle-year', (node) => ((node as HTMLInputElement).value = '2027'));
    await clickAndWait(page, '#open-cycle');
    await page.waitForSelector('#cycle-confirm[aria-invalid="true"]');
    await page.$eval('#cycle-year', (node) => ((node as HTMLInputElement).value = '2026'));
    await page.click('#cycle-confirm');
    await clickAndWait(page, '#open-cycle');
    await page.waitForSelector('#cycle-year[aria-invalid="true"]');
    expect(await textOf(page, '#cycle-year-error')).toBe(`Kỳ báo cáo năm 2026 của bộ dữ liệu ${DATA_SET} đã mở`);
    await page.$eval('#cycle-year', (node) => ((node as HTMLInputElement).value = '2027'));
    // A deadline before the data period ends is refused at its field (the service's rule).
    await page.type('#cycle-deadline', '10/11/2027');
    await page.click('#cycle-confirm');
    await clickAndWait(page, '#open-cycle');
    await page.waitForSelector('#cycle-deadline[aria-invalid="true"]');
    expect(await textOf(page, '#cycle-deadline-error')).toMatch(/^Kỳ báo cáo phải kết thúc trước hoặc đúng hạn báo cáo/);
    expect(await page.$eval('#cycle-deadline', (node) => (node as HTMLInputElement).value)).toBe('10/11/2027');
    await page.$eval('#cycle-deadline', (node) => ((node as HTMLInputElement).value = ''));
    await page.type('#cycle-deadline', '30/11/2027');
    await page.type('#cycle-escalationDays', '3');
    await page.click('#cycle-confirm');
    await Promise.all([page.waitForNavigation({ timeout: 240_000 }), page.click('#open-cycle')]);
    await page.waitForSelector('#cycles tr[data-year="2027"]');
    expect(await textOf(page, '#messages')).toBe('Đã mở kỳ báo cáo năm 2027.');
    expect(await textOf(page, '#cycles tr[data-year="2027"]')).toContain('30/11/2027');
    expect((await t.dataSource.getRepository(CycleEntity).findOneByOrFail({ dataSetId: DATA_SET, year: 2027 })).escalationDays).toBe(3);
    await screenshot(page, '12-admin-cycle-opened');
    await context.close();
  }, 400_000);
});
