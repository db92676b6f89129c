import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, ElementHandle, Page } from 'puppeteer-core';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportValues } from '../../src/reports/form/report-values';
import { ReportsService } from '../../src/reports/reports.service';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { ARTIFACTS, clickAndWait, DATA_SET, fill, launchBrowser, screenshot, signIn as signInThroughLoginPage, textOf } from './browser-support';

/**
 * The web app in a real Chromium, through its own pages, forms and links (never the API directly):
 * commune staff drafts and submits → the head returns it with a comment → staff fixes it → the
 * head approves → the issued document opens, for staff and for the province's consolidator (from
 * the progress page).
 * Screenshots of the key pages are kept under var/test-artifacts/web/. SQLite only: the pages are
 * the same on every database, whose behaviour the API tests cover.
 */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('the web app in Chromium [sqlite]', () => {
  let t: TestApp;
  let browser: Browser;
  let cycle: CycleEntity;
  let reportId: number;
  let values: ReportValues;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The browser expires the session cookie by its own clock: the application's starts at the real now.
    t = await startTestApp('sqlite', { dataSets: [DATA_SET], runtime: true, clock: new ControlledClock(new Date()) });
    cycle = await insertCycle(t.dataSource, DATA_SET);
    await t.app.get(ConsolidationService).startConsolidations(cycle); // the province's progress page follows the commune
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    reportId = (await t.app.get(ReportsService).startReport(cycle, unit)).id;
    await t.app.get(InboxProjection).settled();
    values = generateReportValues(formForYear(2026), seededRandom(7), { start: cycle.periodStart, end: cycle.periodEnd }, 'Xã Tịnh Khê');
    browser = await launchBrowser(t.config.chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const signIn = (login: string, password?: string) => signInThroughLoginPage(browser, t.baseUrl, login, password);

  /** Form controls a screen reader could not name: no <label> of their own. */
  const unlabelled = (page: Page) => page.$$eval('input, select, textarea', (nodes) => nodes.filter((n) => (n as HTMLInputElement).type !== 'hidden' && !(n as HTMLInputElement).labels?.length).map((n) => n.outerHTML));
  const shot = screenshot;
  const text = textOf;
  const settle = async () => {
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
  };

  const reloadAfter = clickAndWait;

  it('carries a report from draft through a return to its issued document', async () => {
    // Staff: the inbox shows the draft task with its deadline; the report opens from it.
    const staff = await signIn('staff.21211');
    await staff.page.waitForSelector('#tasks');
    expect(await text(staff.page, '#tasks tbody')).toContain('14/11/2026');
    expect(await text(staff.page, '#filter-cycle')).toBe('Tất cảNăm 2026');
    if (t.clock.now() > cycle.deadlineAt) expect(await text(staff.page, '#tasks tbody')).toContain('quá hạn');
    await shot(staff.page, '01-inbox-staff');
    await Promise.all([staff.page.waitForNavigation(), staff.page.click(`#tasks a[href="/report?id=${reportId}"]`)]);
    await staff.page.waitForSelector('#report-form');
    expect(await text(staff.page, '#page-title')).toBe('Báo cáo năm 2026 – Xã Tịnh Khê');
    expect(await unlabelled(staff.page)).toEqual([]);

    // A figure that breaks the form's rules: the page comes back with the message at the field,
    // every value as typed, and the report not submitted.
    await fill(staff.page, values);
    await staff.page.$eval('[name="figures.procedures.coveredByQms"]', (node, v) => ((node as HTMLInputElement).value = v), String(Number(values.figures.procedures.underAuthority) + 5));
    await reloadAfter(staff.page, '#submit-report');
    await staff.page.waitForSelector('#f-figures-procedures-coveredByQms[aria-invalid="true"]');
    expect(await text(staff.page, '#f-figures-procedures-coveredByQms-error')).toMatch(/không được lớn hơn/i);
    expect(await text(staff.page, '#report-status')).not.toBe('Đang xem xét');
    expect(await staff.page.$eval('#f-figures-procedures-coveredByQms', (node) => (node as HTMLInputElement).value)).toBe(String(Number(values.figures.procedures.underAuthority) + 5));
    await shot(staff.page, '02-report-field-error');

    // Fixed, typed by keyboard, then submitted.
    await staff.page.$eval('[name="figures.procedures.coveredByQms"]', (node) => ((node as HTMLInputElement).value = ''));
    await staff.page.type('[name="figures.procedures.coveredByQms"]', String(values.figures.procedures.coveredByQms));
    await reloadAfter(staff.page, '#submit-report');
    await staff.page.waitForSelector('#report-status');
    expect(await text(staff.page, '#report-status')).toBe('Đang xem xét');
    await settle();

    // Head: returns it; first without a comment, which the API refuses at the comment field.
    const head = await signIn('head.21211');
    await head.page.waitForSelector('#tasks');
    expect(await unlabelled(head.page)).toEqual([]); // the filters and the assign field of a head's inbox
    await Promise.all([head.page.waitForNavigation(), head.page.click(`#tasks a[href="/report?id=${reportId}"]`)]);
    await head.page.waitForSelector('#review-panel');
    expect(await unlabelled(head.page)).toEqual([]);
    await reloadAfter(head.page, '#return');
    await head.page.waitForSelector('#review-comment-input[aria-invalid="true"]');
    expect(await text(head.page, '#review-comment-error')).toBe('Cần ghi ý kiến khi trả lại báo cáo');
    await head.page.type('#review-comment-input', 'Bổ sung số lớp đào tạo về ISO trong năm');
    await shot(head.page, '03-review-return');
    await reloadAfter(head.page, '#return');
    await head.page.waitForSelector('#report-status');
    expect(await text(head.page, '#report-status')).toBe('Bị trả lại');
    await settle();

    // Staff: sees the comment, fixes one figure (marked as changed), resubmits.
    await staff.page.goto(`${t.baseUrl}/report?id=${reportId}`);
    await staff.page.waitForSelector('#returned-panel');
    expect(await text(staff.page, '#review-comment')).toBe('Bổ sung số lớp đào tạo về ISO trong năm');
    const courses = Number(values.figures.training.courses) + 2;
    await staff.page.$eval('[name="figures.training.courses"]', (node) => ((node as HTMLInputElement).value = ''));
    await staff.page.type('[name="figures.training.courses"]', String(courses));
    await reloadAfter(staff.page, '#save-draft');
    await staff.page.waitForSelector('#report-form');
    expect(await staff.page.$eval('#f-figures-training-courses', (node) => node.closest('.field')!.classList.contains('changed'))).toBe(true);
    await shot(staff.page, '04-report-returned-fixed');
    // On a phone-sized screen the page fits its width: wide tables scroll inside their own box.
    await staff.page.setViewport({ width: 390, height: 844 });
    expect(await staff.page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
    await shot(staff.page, '04b-report-phone');
    await staff.page.setViewport({ width: 800, height: 600 });
    // Evidence: a scan attached through the file input, then listed with a download link.
    const scan = join(ARTIFACTS, 'bien-ban-danh-gia-noi-bo.pdf');
    writeFileSync(scan, '%PDF-1.4\n%%EOF\n');
    const fileInput = (await staff.page.$('#evidence-file')) as ElementHandle<HTMLInputElement>;
    await fileInput.uploadFile(scan);
    await reloadAfter(staff.page, '#evidence-form button[type="submit"]');
    await staff.page.waitForSelector('#evidence-list a');
    expect(await text(staff.page, '#evidence-list')).toContain('bien-ban-danh-gia-noi-bo.pdf');
    await reloadAfter(staff.page, '#submit-report');
    await staff.page.waitForSelector('#report-status');
    expect(await text(staff.page, '#report-status')).toBe('Đang xem xét');
    await settle();

    // Head: the process diagram shows the review as the active step; then approves.
    await head.page.goto(`${t.baseUrl}/process?report=${reportId}`);
    await head.page.waitForSelector('#diagram .djs-element.active[data-element-id="head-review"]');
    await shot(head.page, '05-process-in-review');
    await head.page.goto(`${t.baseUrl}/report?id=${reportId}`);
    await head.page.waitForSelector('#review-panel');
    await reloadAfter(head.page, '#diff-form button[type="submit"]');
    await head.page.waitForSelector('#diff');
    expect(await text(head.page, '#diff tbody')).toContain('Số lớp đào tạo');
    await reloadAfter(head.page, '#approve');
    await settle();

    // The issued document: on the report page and the documents page, for staff and the consolidator.
    await staff.page.goto(`${t.baseUrl}/documents`);
    await staff.page.waitForSelector('a.issued-pdf');
    const today = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(t.clock.now()); // dd/mm/yyyy
    expect(await text(staff.page, 'table.reports tbody')).toContain(`Đã ban hànhSố 01/BC-UBND ngày ${today}`);
    await shot(staff.page, '06-documents');
    // The province's consolidator: the commune on the progress page, its report opened from there.
    const consolidator = await signIn('consolidator.skhcn');
    await reloadAfter(consolidator.page, 'a[href="/progress"]');
    await shot(consolidator.page, '06b-progress-consolidator');
    await consolidator.page.waitForSelector(`#progress a[href="/report?id=${reportId}"]`);
    await reloadAfter(consolidator.page, `#progress a[href="/report?id=${reportId}"]`);
    await consolidator.page.waitForSelector('#issued-document-link');
    expect(await text(consolidator.page, '#report-status')).toBe('Đã ban hành');
    const pdf = await consolidator.page.$eval('#issued-document-link', async (link) => {
      const response = await fetch((link as HTMLAnchorElement).href);
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, type: response.headers.get('content-type'), head: String.fromCharCode(...bytes.slice(0, 5)) };
    });
    expect(pdf).toEqual({ status: 200, type: 'application/pdf', head: '%PDF-' });
    await shot(consolidator.page, '07-issued-consolidator');
    for (const session of [staff, head, consolidator]) await session.context.close();
  }, 240_000); // ~30 s on a quiet machine; the margin is for a CPU shared with other suites

  it('changes a password on the account page: a wrong current password is refused at its field', async () => {
    const { context, page } = await signIn('clerk.21211');
    await Promise.all([page.waitForNavigation(), page.click('#who-name')]);
    await page.waitForSelector('#password-form');
    expect(await text(page, '#content')).toContain('Văn thư – Ủy ban nhân dân xã Tịnh Khê');
    await page.type('#currentPassword', 'not-the-password');
    await page.type('#newPassword', 'một mật khẩu mới đủ dài');
    await page.type('#repeatPassword', 'một mật khẩu mới đủ dài');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await page.waitForSelector('#currentPassword[aria-invalid="true"]');
    expect(await text(page, '#currentPassword-error')).toBe('Mật khẩu hiện tại không đúng.');
    // The page came back from the server: a password is never sent back into a form, so all three are typed again.
    await page.type('#currentPassword', DEMO_PASSWORD);
    await page.type('#newPassword', 'một mật khẩu mới đủ dài');
    await page.type('#repeatPassword', 'một mật khẩu mới đủ dài');
    await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
    await page.waitForSelector('.message-ok');
    expect(await text(page, '#messages')).toBe('Đã đổi mật khẩu.');
    await context.close();
  }, 60_000);

  it('lets the administrator find a person and set a new password, with which the person signs in', async () => {
    const admin = await signIn('administrator.skhcn');
    await Promise.all([admin.page.waitForNavigation(), admin.page.click('a[href="/admin"]')]);
    await admin.page.type('#q', 'deputy.21211');
    await Promise.all([admin.page.waitForNavigation(), admin.page.keyboard.press('Enter')]);
    const row = '#people tr[data-login="deputy.21211@quang-ngai-2025"]';
    await admin.page.waitForSelector(row);
    expect(await text(admin.page, row)).toContain('Cấp phó – Xã Tịnh Khê');
    expect(await unlabelled(admin.page)).toEqual([]);
    await admin.page.type(`${row} input[type="password"]`, 'mật khẩu do quản trị đặt');
    await admin.page.click(`${row} button`);
    await admin.page.waitForSelector('.message-ok');
    expect(await text(admin.page, '#messages')).toMatch(/^Đã đặt lại mật khẩu cho /);
    const deputy = await signIn('deputy.21211', 'mật khẩu do quản trị đặt');
    expect(await text(deputy.page, '#who-name')).toBe(await text(admin.page, `${row} td`));
    for (const session of [admin, deputy]) await session.context.close();
  }, 60_000);
});


