import { DataSource, IsNull, Not } from 'typeorm';
import { IssuedDocumentEntity } from '../issuing/issued-document.entity';
import { DocumentStore, sha256Hex } from './document-store';

export interface StoreMismatch {
  documentId: string;
  /** "12/BC-SKHCN" when the database knows the document. */
  symbol: string | null;
  problem: string;
}

export interface StoreVerification {
  store: string;
  checked: number;
  mismatches: StoreMismatch[];
}

/**
 * Re-hashes every stored file and compares three things: the bytes' SHA-256, the hash the store
 * recorded, and the hash the issued document records. Also names documents the database says are
 * stored but the store does not have.
 */
export class StoreVerifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly store: DocumentStore,
  ) {}

  async verify(): Promise<StoreVerification> {
    const recorded = await this.dataSource.getRepository(IssuedDocumentEntity).find({ where: { sha256: Not(IsNull()) }, select: { id: true, symbol: true, sha256: true } });
    const byId = new Map(recorded.map((d) => [d.id, d]));
    const storedIds = await this.store.documentIds();
    const ids = [...new Set([...storedIds, ...byId.keys()])].sort();
    const mismatches: StoreMismatch[] = [];
    for (const documentId of ids) {
      const document = byId.get(documentId);
      const report = (problem: string) => mismatches.push({ documentId, symbol: document?.symbol ?? null, problem });
      let stored;
      try {
        stored = await this.store.get(documentId);
      } catch (error) {
        report((error as Error).message);
        continue;
      }
      if (!stored) {
        report(`recorded as issued with SHA-256 ${document!.sha256} but missing from the store`);
        continue;
      }
      const actual = sha256Hex(stored.pdf);
      if (actual !== stored.sha256) report(`file hashes to ${actual}, the store recorded ${stored.sha256}`);
      if (document && document.sha256 !== stored.sha256) report(`the store recorded ${stored.sha256}, the issued document records ${document.sha256}`);
      if (!document) report('stored, but no issued document records it');
    }
    return { store: this.store.description, checked: ids.length, mismatches };
  }
}
