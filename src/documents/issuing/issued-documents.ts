import { DataSource } from 'typeorm';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { documentType } from '../numbering/document-types';
import { DocumentNotFoundError } from '../numbering/numbering.service';
import { writeTransaction } from '../../database/write-transaction';
import { IssuedDocumentEntity, IssueState, Recipient } from './issued-document.entity';

/** What the signer approved: everything the document says except its number and date. */
export interface ApprovedDocument {
  /** Idempotency key of the whole pipeline (a uuid; e.g. the approved report version's id). */
  id: string;
  unitId: number;
  /** Key of DOCUMENT_TYPES. */
  documentType: string;
  templateKind: string;
  subject: string;
  divisionId?: number | null;
  signerPersonId?: number | null;
  signerName: string;
  recipients: Recipient[];
  content: Record<string, unknown>;
  copies?: number;
  register?: string;
  correctsDocumentId?: string | null;
  approvedBy?: number | null;
}

export class ApprovalMismatchError extends Error {
  readonly code = 'APPROVAL_MISMATCH';
  constructor(readonly documentId: string) {
    super(`Document ${documentId} was already approved with other content; an issued document is never changed (issue a correction instead)`);
    this.name = 'ApprovalMismatchError';
  }
}

/** A correction must reference a document that was issued (a voided number has nothing to correct). */
export class CorrectionTargetError extends Error {
  readonly code = 'CORRECTION_TARGET';
  constructor(
    readonly correctsDocumentId: string,
    symbol: string | null,
  ) {
    super(`A correction must reference an issued document; ${symbol ?? correctsDocumentId} is not one`);
    this.name = 'CorrectionTargetError';
  }
}

/** The issued documents: the approval that starts the pipeline, and reads. */
export class IssuedDocuments {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the approval: the first step of the pipeline. Idempotent by id — approving the same
   * document again returns it; approving other content under the same id is refused.
   */
  async recordApproval(approved: ApprovedDocument): Promise<IssuedDocumentEntity> {
    documentType(approved.documentType);
    await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: approved.unitId });
    if (approved.correctsDocumentId) {
      const corrected = await this.dataSource.getRepository(IssuedDocumentEntity).findOneBy({ id: approved.correctsDocumentId });
      if (!corrected || corrected.state !== IssueState.Issued) {
        throw new CorrectionTargetError(approved.correctsDocumentId, corrected?.symbol ?? null);
      }
    }
    const now = this.clock.now();
    const row: IssuedDocumentEntity = Object.assign(new IssuedDocumentEntity(), {
      id: approved.id,
      unitId: approved.unitId,
      register: approved.register ?? 'general',
      documentType: approved.documentType,
      templateKind: approved.templateKind,
      subject: approved.subject,
      divisionId: approved.divisionId ?? null,
      signerPersonId: approved.signerPersonId ?? null,
      signerName: approved.signerName,
      recipients: approved.recipients,
      content: approved.content,
      copies: approved.copies ?? 1,
      correctsDocumentId: approved.correctsDocumentId ?? null,
      state: IssueState.Approved,
      number: null,
      year: null,
      symbol: null,
      issueDate: null,
      numberedAt: null,
      sha256: null,
      pages: null,
      templateVersion: null,
      storedAt: null,
      approvedBy: approved.approvedBy ?? null,
      approvedAt: now,
      voidedAt: null,
      voidedBy: null,
      voidNote: null,
      issuedAt: null,
      updatedAt: now,
    });
    return writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(IssuedDocumentEntity);
      const existing = await repository.findOneBy({ id: approved.id });
      if (existing) {
        if (!sameApproval(existing, row)) throw new ApprovalMismatchError(approved.id);
        return existing;
      }
      await repository.save(row);
      return row;
    });
  }

  async get(documentId: string): Promise<IssuedDocumentEntity> {
    const document = await this.dataSource.getRepository(IssuedDocumentEntity).findOneBy({ id: documentId });
    if (!document) throw new DocumentNotFoundError(documentId);
    return document;
  }
}

function sameApproval(a: IssuedDocumentEntity, b: IssuedDocumentEntity): boolean {
  const keys: (keyof IssuedDocumentEntity)[] = ['unitId', 'register', 'documentType', 'templateKind', 'subject', 'divisionId', 'signerName', 'recipients', 'content', 'copies', 'correctsDocumentId'];
  return keys.every((key) => JSON.stringify(a[key]) === JSON.stringify(b[key]));
}
