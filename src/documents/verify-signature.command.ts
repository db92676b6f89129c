import { existsSync, readFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CliError } from '../cli/fatal';
import { loadAppConfig } from '../config/load-app-config';
import { checkPdfSignatures, parseTrustAnchors } from './signing/signature-report';

interface VerifyOptions {
  trust?: string;
}

/**
 * `iso-cycle verify <file.pdf>`: the PDF's digital signatures, each with its signer, time and
 * validity (and trust, against --trust or SIGNING_TRUST_ANCHORS). Exit 1 when the file has no
 * signature or one that is invalid or untrusted.
 */
@Command({ name: 'verify', arguments: '<file.pdf>', description: "check an issued PDF's digital signatures: signers, times, validity and trust" })
export class VerifySignatureCommand extends CommandRunner {
  async run([file]: string[], options: VerifyOptions): Promise<void> {
    if (!existsSync(file)) throw new CliError(`verify: no file at ${file}`, 2);
    const config = loadAppConfig();
    const anchorsFile = options.trust ?? config.signing.trustAnchors;
    const anchors = anchorsFile ? parseTrustAnchors(readFileSync(anchorsFile, 'utf8')) : undefined;
    if (anchorsFile && anchors!.length === 0) throw new CliError(`verify: ${anchorsFile} holds no PEM certificate`, 2);
    const checks = await checkPdfSignatures(readFileSync(file), anchors, config.civilTimeZone);
    if (checks.length === 0) throw new CliError(`verify: ${file} has no digital signature`);
    process.stdout.write(`${file}: ${checks.length} signature(s)\n`);
    checks.forEach((check, i) => {
      const trust = check.trusted === undefined ? 'trust not checked (no --trust or SIGNING_TRUST_ANCHORS)' : check.trusted ? 'trusted' : 'NOT trusted';
      process.stdout.write(`${i + 1}. ${check.signer} — ${check.time ?? 'no time'} — ${check.valid ? 'valid' : 'INVALID'}, ${trust} — ${check.fieldName}, ${check.subFilter}, covers ${check.coverage}\n`);
      for (const problem of check.problems) process.stdout.write(`   - ${problem}\n`);
    });
    const bad = checks.filter((c) => !c.valid || c.trusted === false || c.problems.length > 0).length;
    if (bad > 0) throw new CliError(`verify: ${bad} of ${checks.length} signature(s) invalid or untrusted`);
  }

  @Option({ flags: '--trust <ca.pem>', description: 'PEM file of trusted certification authorities (default: SIGNING_TRUST_ANCHORS)' })
  parseTrust(value: string): string {
    if (!existsSync(value)) throw new CliError(`--trust: no file at ${value}`, 2);
    return value;
  }
}
