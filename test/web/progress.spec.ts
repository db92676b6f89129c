import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, ElementHandle } from 'puppeteer-core';
import { ConsolidationService } from '../../src/consolidation/consolidation.service';
import { CycleEntity } from '../../src/cycles/cycle.entity';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { UnitEntity } from '../../src/organization/unit.entity';
import { formForYear } from '../../src/reports/form/form-definition';
import { generateReportValues, seededRandom } from '../../src/reports/form/generate-report-values';
import { ReportsService } from '../../src/reports/reports.service';
import { ControlledClock } from '../../src/shared/clock';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { ARTIFACTS, clickAndWait, DATA_SET, fill, launchBrowser, screenshot, signIn, textOf } from './browser-support';

/**
 * The consolidator's progress page in Chromium: the province's consolidator sees where every unit
 * stands, extends one unit's deadline through the page's form, and finds the tables to download.
 */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('the consolidator’s progress page in Chromium [sqlite]', () => {
  let t: TestApp;
  let browser: Browser;
  let cycle: CycleEntity;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    t = await startTestApp('sqlite', { dataSets: [DATA_SET], runtime: true, clock: new ControlledClock(new Date()) });
    cycle = await insertCycle(t.dataSource, DATA_SET);
    const units = t.dataSource.getRepository(UnitEntity);
    const reports = t.app.get(ReportsService);
    await reports.startReport(cycle, await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21211' }));
    await reports.startReport(cycle, await units.findOneByOrFail({ dataSetId: DATA_SET, code: '21034' }));
    await t.app.get(ConsolidationService).startConsolidations(cycle);
    await t.app.get(WorkflowEngine).whenIdle();
    await t.app.get(InboxProjection).settled();
    browser = await launchBrowser(t.config.chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('shows each unit’s status and counts, extends one unit’s deadline, enters a paper report, closes the period', async () => {
    const { context, page } = await signIn(browser, t.baseUrl, 'consolidator.skhcn');
    await clickAndWait(page, 'a[href="/progress"]');
    await page.waitForSelector('#progress');
    await screenshot(page, '08-progress');
    expect(await textOf(page, '#progress tbody')).toContain('Ủy ban nhân dân xã Tịnh Khê');
    const expected = Number(/Đã nhận 0\/(\d+) báo cáo/.exec(await textOf(page, '#content'))?.[1]);
    expect(expected).toBeGreaterThan(2);
    expect(await textOf(page, '#counts')).toContain(`Chưa bắt đầu: ${expected}`);
    expect(await page.$$eval('#progress tbody tr', (rows) => rows.length)).toBe(expected);
    const row = await page.$eval('#progress tr[data-unit="21211"]', (node) => node.textContent ?? '');
    expect(row).toContain('Chưa bắt đầu');
    expect(await textOf(page, '#totals-title')).toBe('Số liệu tổng hợp đến nay');
    expect(await textOf(page, '#content')).toContain('Từ 0 báo cáo đã được tính');
    expect(await page.$$eval('#totals tbody tr', (rows) => rows.map((r) => r.lastElementChild?.textContent))).toEqual(expect.arrayContaining(['0']));
    expect(await page.$eval('a[href$="tables.xlsx"]', (a) => (a as HTMLAnchorElement).href)).toMatch(/\/api\/consolidations\/\d+\/tables\.xlsx$/);

    // The page's own form, posted without any script: a bad date is refused at its field, then a good one.
    await page.type('#progress tr[data-unit="21211"] input[name="deadline"]', '31/02/2027');
    await clickAndWait(page, '#progress tr[data-unit="21211"] button');
    await page.waitForSelector('#progress tr[data-unit="21211"] input[name="deadline"][aria-invalid="true"]');
    expect(await page.$eval('#progress tr[data-unit="21211"] .field-error', (node) => node.textContent ?? '')).toContain('dd/mm/yyyy');
    const later = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date(Date.now() + 20 * 86_400_000)); // dd/mm/yyyy
    await page.$eval('#progress tr[data-unit="21211"] input[name="deadline"]', (node) => ((node as HTMLInputElement).value = ''));
    await page.type('#progress tr[data-unit="21211"] input[name="deadline"]', later);
    await clickAndWait(page, '#progress tr[data-unit="21211"] button');
    await page.waitForSelector('#progress');
    expect(await textOf(page, '#messages')).toContain('Đã gia hạn');
    expect(await page.$eval('#progress tr[data-unit="21211"]', (node) => node.textContent ?? '')).toContain(later);

    // A report received on paper, entered on the commune's behalf with its scan; the reference is required.
    await clickAndWait(page, '#progress tr[data-unit="21034"] a.paper-link');
    await page.waitForSelector('#paper-fieldset');
    const paperValues = generateReportValues(formForYear(2026), seededRandom(3), { start: cycle.periodStart, end: cycle.periodEnd }, 'Xã Bình Sơn');
    await fill(page, paperValues);
    const scan = join(ARTIFACTS, 'bao-cao-giay.pdf');
    writeFileSync(scan, '%PDF-1.4\n%%EOF\n');
    await ((await page.$('#paper-scan')) as ElementHandle<HTMLInputElement>).uploadFile(scan);
    await page.click('#enter-paper');
    await page.waitForSelector('#paper-reference[aria-invalid="true"]');
    expect(await textOf(page, '#paper-reference-error')).toBe('Số, ký hiệu và ngày của báo cáo giấy phải có từ 3 đến 255 ký tự');
    await page.type('#paper-reference', '45/BC-UBND ngày 12/11/2026');
    // A page sent back by the server keeps what was typed, but no browser keeps a chosen file: choose it again.
    await ((await page.$('#paper-scan')) as ElementHandle<HTMLInputElement>).uploadFile(scan);
    await clickAndWait(page, '#enter-paper');
    await page.waitForSelector('#report-status');
    expect(await textOf(page, '#messages')).toBe('Đã nhập hộ báo cáo giấy.');
    await clickAndWait(page, 'a[href="/progress"]');
    await page.waitForSelector('#progress');
    const paperRow = await page.$eval('#progress tr[data-unit="21034"]', (node) => node.textContent ?? '');
    expect(paperRow).toContain('(nhập hộ)');
    expect(paperRow).toContain('45/BC-UBND ngày 12/11/2026');
    // The totals so far now count the paper report: each summed figure is its value, in Vietnamese format.
    expect(await textOf(page, '#content')).toContain('Từ 1 báo cáo đã được tính');
    const form = formForYear(2026);
    const summed = form.sections.flatMap((section) => section.fields.filter((f) => f.aggregate === 'sum').map((f) => ({ label: `${section.title}: ${f.label}`, value: paperValues.figures[section.key]?.[f.key] })));
    const shown = new Map(await page.$$eval('#totals tbody tr', (rows) => rows.map((r) => [r.firstElementChild?.textContent ?? '', r.lastElementChild?.textContent ?? ''] as [string, string])));
    for (const { label, value } of summed) expect(shown.get(label)).toBe(new Intl.NumberFormat('vi-VN').format(typeof value === 'number' ? value : 0));
    // Closing the period asks for confirmation first: the "Tôi xác nhận" box, required by the form.
    await page.click('#close-confirm');
    await clickAndWait(page, '#close-period');
    await page.waitForSelector('#progress');
    expect(await textOf(page, '#messages')).toBe('Đã chốt số liệu.');
    expect(await textOf(page, '#content')).toContain('Đã chốt số liệu lúc');
    expect(await page.$('#close-period')).toBeNull();
    expect(await textOf(page, '#totals-title')).toBe('Số liệu tổng hợp đã chốt');
    await screenshot(page, '09-progress-closed');
    await context.close();
  }, 120_000);
});
