import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { Browser, Page } from 'puppeteer-core';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { CyclesService } from '../../src/cycles/cycles.service';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportEntity } from '../../src/reports/report.entity';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { ARTIFACTS, clickAndWait, DATA_SET, fill, launchBrowser, screenshot, signIn, textOf } from './browser-support';

/**
 * The report form checked as one types (the server-rendered form's one script: the API's rules,
 * nothing saved), the documents page's registers and their XLSX, and the consolidator's chart of reports received by day.
 */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('report validation as one types, registers, progress chart in Chromium [sqlite]', () => {
  let t: TestApp;
  let browser: Browser;
  let cycle: CycleEntity;
  let commune: UnitEntity;
  let other: UnitEntity;
  let reportId: number;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp('sqlite', { dataSets: [DATA_SET], runtime: true, clock: new ControlledClock(new Date()) });
    // Opened as an administrator opens it: the request letter goes into the standing agency's outgoing
    // register and every unit's incoming register.
    cycle = await t.app.get(CyclesService).openCycle({ dataSetId: DATA_SET, year: 2026 });
    const units = t.dataSource.getRepository(UnitEntity);
    commune = await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    other = await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21034' });
    reportId = (await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ cycleId: cycle.id, unitId: commune.id })).id;
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
    browser = await launchBrowser(t.config.chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const field = (path: string) => `#f-${path.replace(/\./g, '-')}`;
  const retype = async (page: Page, selector: string, text: string) => {
    await page.$eval(selector, (node) => ((node as HTMLInputElement).value = ''));
    await page.type(selector, text);
  };

  it('shows a broken rule at its field as one types, without saving, and clears it once fixed', async () => {
    const { context, page } = await signIn(browser, t.baseUrl, 'staff.21211');
    await page.goto(`${t.baseUrl}/report?id=${reportId}`);
    // The form is the server's (it works without the script); web/js/report.js only adds the checks as one types.
    await page.waitForSelector(`#report-form[action="/reports/${reportId}/draft"][data-validation="/api/reports/${reportId}/validation"]`);
    const values = generateReportValues(formForYear(2026), seededRandom(11), { start: cycle.periodStart, end: cycle.periodEnd }, 'Xã Tịnh Khê');
    await fill(page, values);
    const under = Number(values.figures.procedures.underAuthority);
    const covered = field('figures.procedures.coveredByQms');
    await retype(page, covered, (under + 5).toLocaleString('vi-VN'));
    await page.waitForSelector(`${covered}[aria-invalid="true"]`);
    expect(await textOf(page, `${covered}-error`)).toMatch(/không được lớn hơn/);
    // Not a whole number: the API's message, at the field.
    const procedures = field('figures.procedures.documentedProcedures');
    await retype(page, procedures, '12a');
    await page.waitForSelector(`${procedures}[aria-invalid="true"]`);
    expect(await textOf(page, `${procedures}-error`)).toBe('Phải là số nguyên');
    await retype(page, procedures, '1.234');
    await screenshot(page, '13-report-live-validation');
    await retype(page, covered, String(under));
    await page.waitForFunction((selector) => !document.querySelector(selector)?.hasAttribute('aria-invalid'), {}, covered);
    expect(await textOf(page, `${covered}-error`)).toBe('');
    // Nothing was saved by the checks, and the page never reloaded: what was typed is still there.
    expect(page.url()).toBe(`${t.baseUrl}/report?id=${reportId}`);
    expect(await page.$eval(procedures, (node) => (node as HTMLInputElement).value)).toBe('1.234');
    expect((await t.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: reportId })).status).toBe('not-started');
    await context.close();
  }, 90_000);

  it('shows a unit’s outgoing and incoming registers for a year and downloads them as XLSX', async () => {
    const year = String(cycle.openedAt.getFullYear());
    const { context, page } = await signIn(browser, t.baseUrl, 'clerk.21211');
    await clickAndWait(page, 'a[href="/documents"]');
    await page.waitForSelector('#register-form');
    await page.select('#register-unit', String(commune.id));
    await retype(page, '#register-year', year);
    await clickAndWait(page, '#register-form button[type="submit"]');
    await page.waitForSelector('#register-cover');
    expect(await textOf(page, '#register-cover')).toBe(`Sổ đăng ký văn bản đi năm ${year} – Ủy ban nhân dân xã Tịnh Khê: 0 văn bản`);
    expect(await textOf(page, '#register-empty')).toBe('Sổ chưa có văn bản nào trong năm này.');
    await page.select('#register-kind', 'incoming');
    await clickAndWait(page, '#register-form button[type="submit"]');
    await page.waitForSelector('#register');
    expect(await textOf(page, '#register-cover')).toMatch(new RegExp(`^Sổ đăng ký văn bản đến năm ${year} – Ủy ban nhân dân xã Tịnh Khê: 1 văn bản, từ số 1 đến số 1$`));
    const row = await page.$$eval('#register tbody tr td', (cells) => cells.map((c) => c.textContent ?? ''));
    expect(row[1]).toBe('1');
    expect(row[3]).toMatch(/\/SKHCN/);
    expect(row[0]).toMatch(/^\d{2}\/\d{1,2}\/\d{4}$/);
    const download = await page.$eval('#register-xlsx', async (a) => {
      const response = await fetch((a as HTMLAnchorElement).href);
      const bytes = new Uint8Array(await response.arrayBuffer());
      let binary = '';
      for (const b of bytes) binary += String.fromCharCode(b);
      return { type: response.headers.get('content-type'), disposition: response.headers.get('content-disposition'), base64: btoa(binary) };
    });
    expect(download.type).toContain('spreadsheetml');
    expect(download.disposition).toContain(`so-van-ban-den-21211-${year}.xlsx`);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(Buffer.from(download.base64, 'base64') as unknown as ArrayBuffer);
    expect(workbook.worksheets[0].getRow(6).getCell(4).text).toBe(row[3]);
    await page.setViewport({ width: 390, height: 844 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, '14-documents-registers');
    await context.close();

    // The province's consolidator finds the consolidated tables there too.
    const consolidator = await signIn(browser, t.baseUrl, 'consolidator.skhcn');
    await clickAndWait(consolidator.page, 'a[href="/documents"]');
    await consolidator.page.waitForSelector('#consolidation-tables a.tables-xlsx');
    expect(await consolidator.page.$eval('#consolidation-tables a.tables-xlsx', (a) => (a as HTMLAnchorElement).href)).toMatch(/\/api\/consolidations\/\d+\/tables\.xlsx$/);
    await consolidator.context.close();
  }, 90_000);

  it('draws the reports received by day on the consolidator’s dashboard, with the figures as a table', async () => {
    const reports = t.dataSource.getRepository(ReportEntity);
    // Sending times as the unit-report process records them: 10/11 late evening in Vietnam (still 10/11 there) and 12/11.
    await reports.update({ cycleId: cycle.id, unitId: commune.id }, { sentAt: new Date('2026-11-10T16:30:00Z') });
    await reports.update({ cycleId: cycle.id, unitId: other.id }, { sentAt: new Date('2026-11-12T03:00:00Z') });
    const { context, page } = await signIn(browser, t.baseUrl, 'consolidator.skhcn');
    await clickAndWait(page, 'a[href="/progress"]');
    await page.waitForSelector('#progress-chart svg');
    expect(await page.$$eval('#progress-chart svg rect.bar', (bars) => bars.map((b) => b.getAttribute('data-day')))).toEqual(['2026-11-10', '2026-11-12']);
    expect(await page.$$eval('#chart-table tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)))).toEqual([
      ['10/11/2026', '1', '1'],
      ['12/11/2026', '1', '2'],
    ]);
    expect(await textOf(page, '#chart-desc')).toMatch(/^Từ 10\/11\/2026 đến .*: đã nhận 2 trên \d+ báo cáo; nhiều nhất 1 báo cáo một ngày\.$/);
    await (await page.$('#progress-chart'))!.screenshot({ path: join(ARTIFACTS, '15-progress-chart.png') });
    await context.close();
  }, 90_000);
});
