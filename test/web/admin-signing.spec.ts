import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, ElementHandle, Page } from 'puppeteer-core';
import { SigningCredentialEntity } from '../../src/signing/admin/signing-credential.entity';
import { PersonEntity } from '../../src/organization/person.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ControlledClock } from '../../src/shared/clock';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';
import { TestCa } from '../signing/support/test-ca';
import { blueSignature, redSeal } from '../signing/support/test-images';
import { ARTIFACTS, clickAndWait, DATA_SET, launchBrowser, screenshot, signIn } from './browser-support';

/**
 * The administrator's "Chữ ký số" section in Chromium, through its own forms: a commune's PKCS#12 and
 * seal, its head's certificate alone and signature image, the list (without secrets), and a removal.
 */
(TEST_DATABASE_KINDS.includes('sqlite') ? describe : describe.skip)('signing certificates on the administrator’s page [sqlite]', () => {
  let t: TestApp;
  let browser: Browser;
  let commune: UnitEntity;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The browser keeps the session cookie by real time: the application's clock is today.
    t = await startTestApp('sqlite', { dataSets: [DATA_SET], clock: new ControlledClock(new Date()), signing: { secret: 'admin-signing-browser-secret' } });
    commune = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: DATA_SET, code: '21211' });
    browser = await launchBrowser(t.config.chromiumPath);
  });
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  const upload = async (page: Page, selector: string, name: string, bytes: Buffer | string) => {
    const path = join(ARTIFACTS, name);
    writeFileSync(path, bytes);
    await ((await page.$(selector)) as ElementHandle<HTMLInputElement>).uploadFile(path);
  };
  const rows = (page: Page) => page.$$eval('#signing-credentials tbody tr', (nodes) => nodes.map((n) => n.getAttribute('data-owner')));

  it('uploads, lists and removes certificates and images', async () => {
    const ca = new TestCa();
    const unitIdentity = ca.issue(commune.officialName, { passphrase: 'seal-passphrase-in-browser' });
    const headIdentity = ca.issue('Trưởng xã');
    const { context, page } = await signIn(browser, t.baseUrl, "administrator.skhcn");
    try {
      await page.goto(`${t.baseUrl}/admin`);
      await page.waitForSelector('#signing-admin #signing-unit');
      // Without JavaScript: the unit is picked with a GET form, each upload is a multipart form the server answers with the page.
      expect(await page.$$('script')).toEqual([]);
      await page.select('#signing-unit', String(commune.id));
      await clickAndWait(page, '#show-signing');
      await page.waitForSelector('#signing-none');

      await upload(page, '#unit-p12', 'unit.p12', unitIdentity.pkcs12);
      await page.type('#unit-passphrase', unitIdentity.passphrase);
      await upload(page, '#unit-seal', 'seal.png', redSeal());
      await clickAndWait(page, '#signing-unit-form button[type="submit"]');
      await page.waitForSelector(`#signing-credentials tr[data-owner="21211@${DATA_SET}"]`);

      const head = await t.dataSource.getRepository(PersonEntity).findOneByOrFail({ login: `head.21211@${DATA_SET}` });
      await page.select('#person-id', String(head.id));
      await upload(page, '#person-key', 'head.pem', headIdentity.certificatePem);
      await upload(page, '#person-image', 'signature.png', blueSignature());
      await clickAndWait(page, '#signing-person-form button[type="submit"]');
      await page.waitForSelector(`#signing-credentials tr[data-owner="head.21211@${DATA_SET}"]`);
      expect((await rows(page)).sort()).toEqual([`21211@${DATA_SET}`, `head.21211@${DATA_SET}`].sort());
      const table = await page.$eval('#signing-credentials', (node) => node.textContent ?? '');
      expect(table).toContain('Ký bằng USB token');
      expect(table).toContain('Ký trên máy chủ');
      expect(table).not.toContain(unitIdentity.passphrase);
      const unlabelled = await page.$$eval('#signing-admin input:not([type="hidden"]), #signing-admin select', (nodes) => nodes.filter((n) => !(n as HTMLInputElement).labels?.length).map((n) => n.outerHTML));
      expect(unlabelled).toEqual([]);
      await screenshot(page, 'admin-signing');

      await clickAndWait(page, `#signing-credentials tr[data-owner="head.21211@${DATA_SET}"] button`);
      await page.waitForFunction((owner) => !document.querySelector(`#signing-credentials tr[data-owner="${owner}"]`), {}, `head.21211@${DATA_SET}`);
      expect(await rows(page)).toEqual([`21211@${DATA_SET}`]);
      const stored = await t.dataSource.getRepository(SigningCredentialEntity).find();
      expect(stored.map((c) => [c.ownerKey, c.image !== null, c.sealDiameterMm])).toEqual([[`21211@${DATA_SET}`, true, 36]]);
    } finally {
      await context.close();
    }
  });
});
