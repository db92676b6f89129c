import { join } from 'node:path';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import { ReportValues } from '../../src/reports/form/report-values';
import { DEMO_PASSWORD } from '../../src/organization/import/demo-people';
import { projectRoot } from '../../src/shared/project-root';

/** Shared by the browser tests: the data set, where screenshots go, signing in through the login page. */
export const DATA_SET = 'quang-ngai-2025';
export const ARTIFACTS = join(projectRoot(), 'var', 'test-artifacts', 'web');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];

/** The tests' browser, over a pipe as the application's renderer is: a killed test run leaves no Chromium behind. */
export const launchBrowser = (executablePath: string | undefined): Promise<Browser> => puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, pipe: true });

/** A fresh browser profile signed in through the login page (sent there from the inbox). */
export async function signIn(browser: Browser, baseUrl: string, login: string, password = DEMO_PASSWORD): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => console.error(`page error (${login}):`, error));
  await page.goto(`${baseUrl}/inbox`);
  await page.waitForSelector('#login-form');
  await page.type('#login', `${login}@${DATA_SET}`);
  await page.type('#password', password);
  await Promise.all([page.waitForNavigation(), page.click('#login-form button[type="submit"]')]);
  await page.waitForSelector('#who-name');
  return { context, page };
}

export const textOf = (page: Page, selector: string) => page.$eval(selector, (node) => (node.textContent ?? '').trim());
export const screenshot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

/** Clicks what reloads or leaves the page, and waits for the next one. */
export async function clickAndWait(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation(), page.click(selector)]);
}


/** Fills a report form's inputs with a report's values, as a person types them (dd/mm/yyyy, 1.234). */
export async function fill(page: Page, report: ReportValues): Promise<void> {
  for (const [section, figures] of Object.entries(report.figures)) {
    for (const [field, value] of Object.entries(figures)) {
      if (value === null || value === undefined) continue;
      const typed = typeof value === 'boolean' ? String(value) : typeof value === 'number' ? value.toLocaleString('vi-VN') : /^\d{4}-\d{2}-\d{2}$/.test(value) ? value.split('-').reverse().join('/') : value;
      await page.$eval(`[name="figures.${section}.${field}"]`, (node, v) => ((node as HTMLInputElement).value = v), typed);
    }
  }
  for (const [key, value] of Object.entries(report.narratives)) await page.$eval(`[name="narratives.${key}"]`, (node, v) => ((node as HTMLTextAreaElement).value = v), value);
}
