import { Command, CommandRunner, Option } from 'nest-commander';
import { DataSource } from 'typeorm';
import { withApplication } from '../cli/application-context';
import { CliError } from '../cli/fatal';
import { DOCUMENT_STORE_BACKENDS, DocumentStoreBackend, createDocumentStore } from './store/document-store.factory';
import { StoreVerifier } from './store/store-verifier';

interface VerifyStoreOptions {
  store: DocumentStoreBackend;
}

/**
 * `iso-cycle verify-store`: re-hashes every stored document and names each mismatch (exit 1 when
 * there is one), so an operator can prove that no issued file changed.
 */
@Command({ name: 'verify-store', description: 're-hash every issued document in the store and name any mismatch' })
export class VerifyStoreCommand extends CommandRunner {
  async run(_args: string[], options: VerifyStoreOptions): Promise<void> {
    const result = await withApplication(async (app, config) => {
      const store = createDocumentStore(options.store ?? config.documentStore, config.runtimeDir, app.get(DataSource));
      return new StoreVerifier(app.get(DataSource), store).verify();
    });
    for (const m of result.mismatches) process.stdout.write(`MISMATCH ${m.symbol ?? '(no number)'} ${m.documentId}: ${m.problem}\n`);
    process.stdout.write(`${result.store}: ${result.checked} document(s) checked, ${result.mismatches.length} mismatch(es)\n`);
    if (result.mismatches.length > 0) throw new CliError(`verify-store: ${result.mismatches.length} stored document(s) do not match their SHA-256`);
  }

  @Option({ flags: '--store <backend>', description: 'where the documents are: filesystem (default, <RUNTIME_DIR>/documents) or database' })
  parseStore(value: string): DocumentStoreBackend {
    if (!(DOCUMENT_STORE_BACKENDS as readonly string[]).includes(value)) throw new CliError(`--store: "${value}" is not one of ${DOCUMENT_STORE_BACKENDS.join(', ')}`, 2);
    return value as DocumentStoreBackend;
  }
}
