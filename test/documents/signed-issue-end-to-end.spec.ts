import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { ConfigModule } from '../../src/config/config.module';
import { loadAppConfig } from '../../src/config/load-app-config';
import { DatabaseModule } from '../../src/database/database.module';
import { IssuePipeline } from '../../src/documents/issuing/issue-pipeline';
import { IssueState } from '../../src/documents/issuing/issued-document.entity';
import { IssuingModule } from '../../src/documents/issuing/issuing.module';
import { PERSON_SIGNATURE_FIELD, UNIT_SIGNATURE_FIELD } from '../../src/documents/signing/pades-document-signer';
import { readSignatures } from '../../src/documents/signing/pdf-signature';
import { DocumentStore } from '../../src/documents/store/document-store';
import { TemplateCatalogue } from '../../src/documents/templates/template-catalogue';
import { PersonEntity } from '../../src/organization/person.entity';
import { ControlledClock } from '../../src/shared/clock';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';
import { TestCa } from '../signing/support/test-ca';
import { writeTestKeystore } from '../signing/support/test-keystore';
import { SeededUnits, approvedReport, seedQuangNgai2025 } from './support/issuing-fixtures';

const ROOT = join(__dirname, '..', '..');

/** A page rendered at 72 dpi (one pixel per point), as RGB rows from the top. */
function renderPage(file: string, pageIndex: number): { width: number; height: number; rgb: Buffer } {
  const ppm = execFileSync('pdftoppm', ['-r', '72', '-f', String(pageIndex + 1), '-l', String(pageIndex + 1), file], { maxBuffer: 64 * 1024 * 1024 });
  const header = /^P6\s+(\d+)\s+(\d+)\s+255\s/.exec(ppm.subarray(0, 40).toString('latin1'))!;
  return { width: Number(header[1]), height: Number(header[2]), rgb: ppm.subarray(header[0].length) };
}

/** The bounding box, in PDF points (origin bottom left), of the pixels a predicate picks. */
function boxOf(page: { width: number; height: number; rgb: Buffer }, pick: (r: number, g: number, b: number) => boolean): [number, number, number, number] | null {
  let box: [number, number, number, number] | null = null;
  for (let y = 0; y < page.height; y++) {
    for (let x = 0; x < page.width; x++) {
      const i = (y * page.width + x) * 3;
      if (!pick(page.rgb[i], page.rgb[i + 1], page.rgb[i + 2])) continue;
      const py = page.height - y;
      box = box ? [Math.min(box[0], x), Math.min(box[1], py), Math.max(box[2], x + 1), Math.max(box[3], py)] : [x, py, x + 1, py];
    }
  }
  return box;
}

/**
 * The production wiring with signing on (DOCUMENT_SIGNING=pkcs12, SIGNING_KEYSTORE): configuration
 * → IssuingModule → templates, Chromium, the keystore; checked by pdfsig, `iso-cycle verify` and the
 * rendered page. On the first database under test only: signing does not touch the database
 * (issue-pipeline.spec.ts signs on every one), and Chromium plus two CLI processes cost half a minute.
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('issuing signed documents with the real templates and Chromium [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let units: SeededUnits;
  let dir: string;
  let app: INestApplicationContext;
  let ca: TestCa;
  // 05/01/2027 08:00 in Vietnam.
  const clock = new ControlledClock('2027-01-05T01:00:00Z');

  beforeAll(async () => {
    let db;
    ({ db, dataSource, close } = await openMigratedDatabase(kind));
    units = await seedQuangNgai2025(dataSource);
    dir = mkdtempSync(join(tmpdir(), 'iso-signed-e2e-'));
    ca = new TestCa();
    const keystore = writeTestKeystore(join(dir, 'keystore'), ca, {
      people: [{ login: 'head.skhcn@quang-ngai-2025', name: 'Trần Phước Hiền' }],
      units: [{ key: 'skhcn@quang-ngai-2025', name: 'Sở Khoa học và Công nghệ tỉnh Quảng Ngãi' }],
    });
    writeFileSync(join(dir, 'ca.pem'), ca.certificatePem);
    const url = db.kind === 'sqlite' ? `sqlite:${db.config.sqlitePath}` : db.config.displayUrl;
    const config = loadAppConfig({ DATABASE_URL: url, RUNTIME_DIR: join(dir, 'runtime'), DOCUMENT_SIGNING: 'pkcs12', SIGNING_KEYSTORE: keystore }, ROOT);
    @Module({ imports: [ConfigModule.forRoot({ config, clock }), DatabaseModule, IssuingModule.forRoot({ documents: { pagePoolSize: 1 } })] })
    class SignedIssuingTestModule {}
    app = await NestFactory.createApplicationContext(SignedIssuingTestModule, { logger: ['error'] });
  });
  afterAll(async () => {
    await app.close();
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('signs as the head, then as the unit: pdfsig valid and trusted, iso-cycle verify, images where Appendix I puts them', async () => {
    const { issuer: _i, document: _d, typeName: _t, subject: _s, ...content } = app.get(TemplateCatalogue).sample('unit-report');
    const head = await dataSource.getRepository(PersonEntity).findOneByOrFail({ login: 'head.skhcn@quang-ngai-2025' });
    const issued = await app.get(IssuePipeline).issue(approvedReport(units, { content, signerPersonId: head.id, signerName: head.fullName }));
    expect(issued.state).toBe(IssueState.Issued);
    const pdf = (await app.get(DocumentStore).get(issued.id))!.pdf;
    const file = join(dir, 'signed.pdf');
    writeFileSync(file, pdf);

    // Debian's poppler (NSS) with the test CA trusted: both signatures valid and trusted.
    const nssdir = ca.nssDatabase(join(dir, 'nss'));
    const report = spawnSync('pdfsig', ['-nssdir', nssdir, file], { encoding: 'utf8' });
    const text = `${report.stdout}${report.stderr}`;
    expect(text.match(/Signature is Valid\./g)).toHaveLength(2);
    expect(text.match(/Certificate is Trusted\./g)).toHaveLength(2);
    expect(text).not.toMatch(/Syntax Error|Internal Error/);

    // The images: the blue signature inside the head's widget, in the right (signer) half of the
    // page; the red seal at 36 mm over its left third.
    const signatures = await readSignatures(pdf);
    expect(signatures.map((s) => s.fieldName)).toEqual([PERSON_SIGNATURE_FIELD, UNIT_SIGNATURE_FIELD]);
    const personRect = signatures[0].rect!;
    const page = renderPage(file, signatures[0].pageIndex!);
    const blue = boxOf(page, (r, g, b) => b > 150 && r < 90 && g < 110)!;
    const red = boxOf(page, (r, g, b) => r > 170 && g < 90 && b < 90)!;
    expect(blue).not.toBeNull();
    expect(red).not.toBeNull();
    expect(blue[0]).toBeGreaterThanOrEqual(personRect[0] - 1);
    expect(blue[2]).toBeLessThanOrEqual(personRect[2] + 1);
    expect(blue[0]).toBeGreaterThan(page.width / 2 - 40);
    const sealDiameter = (36 * 72) / 25.4;
    expect(Math.abs(red[2] - red[0] - sealDiameter)).toBeLessThan(4);
    const signatureWidth = personRect[2] - personRect[0];
    expect(Math.abs(red[2] - (personRect[0] + signatureWidth / 3))).toBeLessThan(4);
    expect(red[0]).toBeLessThan(blue[0]);

    // `iso-cycle verify` as an operator runs it: 0 on the issued file, 1 once a byte changed.
    const verify = (target: string) =>
      spawnSync(process.execPath, ['-r', join(ROOT, 'scripts', 'register-typescript.js'), join(ROOT, 'src', 'main.ts'), 'verify', target, '--trust', join(dir, 'ca.pem')], {
        encoding: 'utf8',
        cwd: ROOT,
        env: { PATH: process.env.PATH, RUNTIME_DIR: join(dir, 'runtime') },
      });
    const ok = verify(file);
    expect(ok.status).toBe(0);
    expect(ok.stdout).toContain(`1. Trần Phước Hiền — 2027-01-05T08:00:00+07:00 — valid, trusted — ${PERSON_SIGNATURE_FIELD}`);
    expect(ok.stdout).toContain('2. Sở Khoa học và Công nghệ tỉnh Quảng Ngãi — 2027-01-05T08:00:00+07:00 — valid, trusted');
    const tampered = Buffer.from(pdf);
    // One bit inside the first content stream's data: the file still parses, the hash changes.
    const at = tampered.indexOf('stream\n');
    tampered[at + 30] ^= 0x01;
    writeFileSync(join(dir, 'tampered.pdf'), tampered);
    const bad = verify(join(dir, 'tampered.pdf'));
    expect(bad.status).toBe(1);
    expect(bad.stdout).toContain('INVALID');
    expect(readFileSync(file).equals(pdf)).toBe(true);
  }, 180_000);
});
