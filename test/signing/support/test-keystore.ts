import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestCa } from './test-ca';
import { blueSignature, redSeal } from './test-images';

/**
 * A keystore folder as an administrator would lay it out (docs/signing.md): manifest.json, one
 * PKCS#12 file, passphrase file and image per person and per unit, under `folder`.
 */
export function writeTestKeystore(folder: string, ca: TestCa, signers: { people?: Array<{ login: string; name: string }>; units?: Array<{ key: string; name: string }> }): string {
  mkdirSync(folder, { recursive: true });
  const manifest: { people: Record<string, unknown>; units: Record<string, unknown> } = { people: {}, units: {} };
  const write = (name: string, bytes: Buffer | string) => {
    writeFileSync(join(folder, name), bytes);
    return name;
  };
  const safe = (text: string) => text.replace(/[^a-z0-9.-]/gi, '_');
  for (const person of signers.people ?? []) {
    const identity = ca.issue(person.name);
    manifest.people[person.login] = {
      pkcs12: write(`${safe(person.login)}.p12`, identity.pkcs12),
      passphraseFile: write(`${safe(person.login)}.pass`, `${identity.passphrase}\n`),
      signatureImage: write(`${safe(person.login)}-signature.png`, blueSignature()),
    };
  }
  for (const unit of signers.units ?? []) {
    const identity = ca.issue(unit.name);
    manifest.units[unit.key] = {
      pkcs12: write(`${safe(unit.key)}.p12`, identity.pkcs12),
      passphraseFile: write(`${safe(unit.key)}.pass`, identity.passphrase),
      seal: write(`${safe(unit.key)}-seal.png`, redSeal()),
      sealDiameterMm: 36,
    };
  }
  return join(folder, write('manifest.json', JSON.stringify(manifest, null, 2)));
}
