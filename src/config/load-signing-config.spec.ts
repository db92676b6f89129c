import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, loadAppConfig } from './load-app-config';

/** DOCUMENT_SIGNING, SIGNING_KEYSTORE, SIGNING_TRUST_ANCHORS (docs/signing.md). */
describe('signing configuration', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'iso-signing-config-'));
    writeFileSync(join(dir, 'manifest.json'), '{"people":{},"units":{}}');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const problems = (env: Record<string, string>) => {
    try {
      loadAppConfig({ RUNTIME_DIR: dir, ...env }, dir);
      return [];
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error;
      return error.problems;
    }
  };

  it('issues unsigned by default outside production, and says so in the configuration', () => {
    expect(loadAppConfig({ RUNTIME_DIR: dir }, dir).signing).toEqual({ mode: 'unsigned', keystore: undefined, trustAnchors: undefined, secret: undefined });
  });

  it('has no silent default in production', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([expect.stringMatching(/^DOCUMENT_SIGNING: required in production \(pkcs12 .*, or unsigned for a pilot/)]);
    expect(problems({ NODE_ENV: 'production', DOCUMENT_SIGNING: 'unsigned' })).toEqual([]);
  });

  it('needs the keystore for pkcs12, and names a missing file', () => {
    expect(problems({ DOCUMENT_SIGNING: 'pkcs12' })).toEqual([expect.stringMatching(/^SIGNING_KEYSTORE: required when DOCUMENT_SIGNING=pkcs12/)]);
    expect(problems({ DOCUMENT_SIGNING: 'pkcs12', SIGNING_KEYSTORE: join(dir, 'none.json') })).toEqual([`SIGNING_KEYSTORE: no file at "${join(dir, 'none.json')}" (expected the keystore manifest, a JSON file)`]);
    expect(loadAppConfig({ RUNTIME_DIR: dir, DOCUMENT_SIGNING: 'pkcs12', SIGNING_KEYSTORE: join(dir, 'manifest.json') }, dir).signing.mode).toBe('pkcs12');
  });

  it('refuses an unknown mode and a missing trust-anchor file, naming the variable', () => {
    expect(problems({ DOCUMENT_SIGNING: 'yes' })[0]).toMatch(/^DOCUMENT_SIGNING: /);
    expect(problems({ SIGNING_TRUST_ANCHORS: join(dir, 'ca.pem') })).toEqual([`SIGNING_TRUST_ANCHORS: no file at "${join(dir, 'ca.pem')}" (expected a PEM file of trusted CA certificates)`]);
  });
});
