import { PDFDocument } from 'pdf-lib';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { DivisionEntity } from '../../organization/division.entity';
import { RoleAssignmentEntity } from '../../organization/role-assignment.entity';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { VIETNAM_TIME_ZONE, civilDateOf, isoCivilDate } from '../../shared/civil-date';
import { documentSymbol } from '../numbering/document-symbol';
import { documentType } from '../numbering/document-types';
import { NumberingService } from '../numbering/numbering.service';
import { IncomingRegisterEntryEntity } from '../registers/incoming-register-entry.entity';
import { OutgoingRegisterEntryEntity } from '../registers/outgoing-register-entry.entity';
import { DocumentStore, StoredDocument, sha256Hex } from '../store/document-store';
import { writeTransaction } from '../../database/write-transaction';
import { DocumentDeliveryEntity } from './document-delivery.entity';
import { DocumentIncidentEntity, IncidentResolution } from './document-incident.entity';
import { issuerOf } from './header-lines';
import { DocumentSigner, IssueRenderer, RenderedDocument, SigningRequest, isDeferred } from './issue-renderer';
import { PendingSignatureEntity } from '../signing/pending-signature.entity';
import { ApprovedDocument, IssuedDocuments } from './issued-documents';
import { FINAL_STATES, IssuedDocumentEntity, IssueState } from './issued-document.entity';
import { AT_ONCE } from '../pdf-metadata';

/** Characters the outgoing register's recipients column holds (outgoing_register_entries.recipients). */
const REGISTER_RECIPIENTS_MAX = 2000;

/**
 * The register's recipients column: the names as listed, or, for a letter to more units than the
 * column holds (a request letter to every unit of a province), the first names and how many more.
 * The full list stays on the document, its deliveries and the receivers' incoming registers.
 */
export function registerRecipients(names: string[], max = REGISTER_RECIPIENTS_MAX): string {
  const all = names.join('; ');
  if (all.length <= max) return all;
  for (let shown = names.length - 1; shown >= 0; shown--) {
    const text = `${names.slice(0, shown).join('; ')}${shown > 0 ? '; ' : ''}và ${names.length - shown} đơn vị khác`;
    if (text.length <= max) return text;
  }
  return `${names.length} đơn vị`;
}

/** The steps of the pipeline, in their one order. */
export const ISSUE_STEPS = ['approve', 'number', 'render', 'sign', 'hash', 'store', 'record-stored', 'register-outgoing', 'send', 'register-incoming'] as const;
export type IssueStep = (typeof ISSUE_STEPS)[number];

export interface IssuePipelineOptions {
  zone?: string;
  /** Attempts of rendering and signing before an incident is raised (at-least-once, idempotent by document id). */
  maxAttempts?: number;
  signer?: DocumentSigner;
  /**
   * TEST SEAM: called after each step completes; the crash tests throw here to stop the pipeline
   * between two steps, then resume with a fresh pipeline.
   */
  afterStep?: (step: IssueStep, documentId: string) => void | Promise<void>;
}

/** The document waits for a clerk: it could not be produced after its retries. */
export class DocumentIncidentError extends Error {
  readonly code = 'DOCUMENT_INCIDENT';
  constructor(readonly incident: DocumentIncidentEntity) {
    super(`Document ${incident.documentId} could not be produced (${incident.step}, ${incident.attempts} attempt(s)): ${incident.message} — incident ${incident.id} waits for a clerk`);
    this.name = 'DocumentIncidentError';
  }
}

/**
 * The document waits for its signer's signature made elsewhere (USB token, remote signing
 * service): the prepared file is kept in pending_signatures and the digest is offered to the
 * signer. Not a failure: the caller lets its process wait (a "Ký số" task) and the pipeline goes on
 * when the signature comes back (DeferredSigningService).
 */
export class SignaturePendingError extends Error {
  readonly code = 'SIGNATURE_PENDING';
  constructor(readonly pending: Pick<PendingSignatureEntity, 'documentId' | 'signerPersonId' | 'digest'>) {
    super(`Document ${pending.documentId} waits for the signature of person ${pending.signerPersonId} (digest ${pending.digest})`);
    this.name = 'SignaturePendingError';
  }
}

export class IssueRefusedError extends Error {
  readonly code = 'ISSUE_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'IssueRefusedError';
  }
}

/**
 * The issue pipeline: approve → number and date (one transaction, Vietnam time) → render → sign →
 * hash → store → outgoing register → send → incoming register at each recipient. The document's
 * state records the last completed step; each step is idempotent by document id, so `advance`
 * after a crash anywhere resumes without losing or doubling a number, a file or a register row.
 */
export class IssuePipeline {
  private readonly zone: string;
  private readonly maxAttempts: number;
  private readonly documents: IssuedDocuments;

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly numbering: NumberingService,
    private readonly renderer: IssueRenderer,
    private readonly store: DocumentStore,
    private readonly options: IssuePipelineOptions = {},
  ) {
    this.zone = options.zone ?? VIETNAM_TIME_ZONE;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 3);
    this.documents = new IssuedDocuments(dataSource, clock);
  }

  /** Records the approval and runs every step. */
  async issue(approved: ApprovedDocument): Promise<IssuedDocumentEntity> {
    await this.documents.recordApproval(approved);
    await this.afterStep('approve', approved.id);
    return this.advance(approved.id);
  }

  /** Runs the steps not yet recorded. Throws DocumentIncidentError while an incident is open. */
  async advance(documentId: string): Promise<IssuedDocumentEntity> {
    let document = await this.documents.get(documentId);
    if (FINAL_STATES.includes(document.state)) return document;
    const open = await this.openIncident(documentId);
    if (open) throw new DocumentIncidentError(open);

    if (document.state === IssueState.Approved) {
      document = await this.numbering.assignNumber(documentId);
      await this.afterStep('number', documentId);
    }
    if (document.state === IssueState.Numbered) {
      document = await this.produce(document);
    }
    if (document.state === IssueState.Stored) {
      document = await this.registerOutgoing(document);
      await this.afterStep('register-outgoing', documentId);
    }
    if (document.state === IssueState.Registered) {
      document = await this.send(document);
      await this.afterStep('send', documentId);
    }
    if (document.state === IssueState.Sent) {
      document = await this.registerIncoming(document);
      await this.afterStep('register-incoming', documentId);
    }
    return document;
  }

  /** Resumes every document left between two steps (after a crash or a restart); returns their ids. */
  async resumeAll(): Promise<{ resumed: string[]; blocked: string[] }> {
    const pending = await this.dataSource
      .getRepository(IssuedDocumentEntity)
      .createQueryBuilder('d')
      .select('d.id', 'id')
      .where('d.state NOT IN (:...final)', { final: FINAL_STATES })
      .orderBy('d.approved_at')
      .getRawMany<{ id: string }>();
    const resumed: string[] = [];
    const blocked: string[] = [];
    for (const { id } of pending) {
      try {
        await this.advance(id);
        resumed.push(id);
      } catch (error) {
        // An incident waits for a clerk; a signature made elsewhere waits for its signer.
        if (!(error instanceof DocumentIncidentError) && !(error instanceof SignaturePendingError)) throw error;
        blocked.push(id);
      }
    }
    return { resumed, blocked };
  }

  /** The clerk had the cause fixed (renderer, template, signing service): retry the document. */
  async resolveIncident(incidentId: number, clerkPersonId: number, note: string): Promise<IssuedDocumentEntity> {
    const incident = await this.dataSource.getRepository(DocumentIncidentEntity).findOneByOrFail({ id: incidentId });
    const document = await this.documents.get(incident.documentId);
    await this.requireClerk(clerkPersonId, document.unitId);
    if (incident.resolvedAt === null) {
      await this.dataSource.getRepository(DocumentIncidentEntity).update(
        { id: incidentId, resolvedAt: IsNull() },
        { resolvedAt: this.clock.now(), resolution: IncidentResolution.Retried, resolvedBy: clerkPersonId, note },
      );
    }
    return this.advance(document.id);
  }

  /**
   * The clerk voids a document that cannot be produced (it has an open incident). Its number (if it had one) is never given
   * again: the outgoing register keeps the row, with the note. A stored document cannot be voided
   * (it exists and is final): a correction is a new document that references it.
   */
  async voidDocument(documentId: string, clerkPersonId: number, note: string): Promise<IssuedDocumentEntity> {
    const current = await this.documents.get(documentId);
    await this.requireClerk(clerkPersonId, current.unitId);
    if (current.state === IssueState.Voided) return current;
    if (current.state !== IssueState.Approved && current.state !== IssueState.Numbered) {
      throw new IssueRefusedError(`Document ${current.symbol ?? documentId} is already stored and cannot be voided; issue a correction that references it`);
    }
    // Only a document that could not be produced is voided: one still in progress may be storing its file right now.
    if (!(await this.openIncident(documentId))) throw new IssueRefusedError(`Document ${current.symbol ?? documentId} has no open incident; only a document that could not be produced can be voided`);
    const now = this.clock.now();
    const context = await this.registerContext(current);
    return writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(IssuedDocumentEntity);
      const document = await repository.findOneByOrFail({ id: documentId });
      if (document.state !== IssueState.Approved && document.state !== IssueState.Numbered) return document;
      document.state = IssueState.Voided;
      document.voidedAt = now;
      document.voidedBy = clerkPersonId;
      document.voidNote = note;
      document.updatedAt = now;
      await repository.save(document);
      if (document.number !== null) await this.insertOutgoingEntry(manager, document, context, `Hủy số: ${note}`);
      await manager
        .getRepository(DocumentIncidentEntity)
        .update({ documentId, resolvedAt: IsNull() }, { resolvedAt: now, resolution: IncidentResolution.Voided, resolvedBy: clerkPersonId, note });
      return document;
    });
  }

  /** The data the template receives: the approved content with the issue facts the pipeline owns. */
  async renderData(document: IssuedDocumentEntity): Promise<Record<string, unknown>> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: document.unitId });
    const division = document.divisionId === null ? null : await this.dataSource.getRepository(DivisionEntity).findOneByOrFail({ id: document.divisionId });
    const type = documentType(document.documentType);
    return {
      issuer: issuerOf(unit),
      ...(type.abbreviation !== null ? { typeName: type.name } : {}),
      ...document.content,
      subject: document.subject,
      document: {
        number: document.number,
        symbol: documentSymbol({ documentType: document.documentType, unitSymbol: unit.symbol, divisionSymbol: division?.symbol }),
        place: unit.placeName,
        date: document.issueDate,
      },
    };
  }

  /** Render → sign → hash → store, then record it. Nothing is recorded before the file is stored. */
  private async produce(document: IssuedDocumentEntity): Promise<IssuedDocumentEntity> {
    const id = document.id;
    let stored: StoredDocument | null = await this.store.get(id);
    // Known when the file is made here (signing adds no page); read back only when an earlier attempt stored it.
    let pages: number | undefined;
    if (!stored) {
      const { pdf: final, data, templateVersion, pages: rendered } = await this.renderAndSign(document);
      pages = rendered;
      const sha256 = sha256Hex(final);
      await this.afterStep('hash', id);
      stored = await this.attempt(document, 'store', () => this.store.put({ documentId: id, pdf: final, kind: document.templateKind, templateVersion, data }, this.clock.now()));
      if (stored.sha256 !== sha256 && stored.pdf.equals(final)) throw new Error(`Document ${id}: the store recorded ${stored.sha256} for bytes hashing to ${sha256}`);
      await this.afterStep('store', id);
    }
    pages ??= (await PDFDocument.load(stored.pdf, { updateMetadata: false, ...AT_ONCE.parse })).getPageCount();
    const now = this.clock.now();
    const recorded = stored;
    const result = await writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(IssuedDocumentEntity);
      const current = await repository.findOneByOrFail({ id });
      if (current.state !== IssueState.Numbered) return current;
      Object.assign(current, { state: IssueState.Stored, sha256: recorded.sha256, pages, templateVersion: recorded.templateVersion, storedAt: recorded.storedAt, updatedAt: now });
      await repository.save(current);
      return current;
    });
    await this.afterStep('record-stored', id);
    return result;
  }

  /**
   * Render then sign. A person who signs elsewhere gets the prepared file kept (first write wins, so
   * the digest handed out never changes) and the document waits (SignaturePendingError); once their
   * signature is embedded, the rest of the signing (the unit's) runs over the kept file.
   */
  private async renderAndSign(document: IssuedDocumentEntity): Promise<{ pdf: Buffer; data: Record<string, unknown>; templateVersion: string; pages?: number }> {
    const id = document.id;
    const signer = this.options.signer;
    const request = (signatureArea: SigningRequest['signatureArea']): SigningRequest => ({ documentId: id, unitId: document.unitId, signerPersonId: document.signerPersonId, signerName: document.signerName, signatureArea });
    const pendings = this.dataSource.getRepository(PendingSignatureEntity);
    const pending = signer ? await pendings.findOneBy({ documentId: id }) : null;
    if (pending) {
      if (pending.state !== 'signed' || !pending.signedPdf) throw new SignaturePendingError(pending);
      const signedByPerson = pending.signedPdf;
      const pdf = await this.attempt(document, 'sign', () => signer!.completeSigning(request(pending.signatureArea), signedByPerson));
      await this.afterStep('sign', id);
      return { pdf, data: pending.data, templateVersion: pending.templateVersion };
    }
    const data = await this.renderData(document);
    const rendered: RenderedDocument = await this.attempt(document, 'render', () => this.renderer.render(document.templateKind, data));
    await this.afterStep('render', id);
    const outcome = signer ? await this.attempt(document, 'sign', () => signer.sign(request(rendered.signatureArea), rendered.pdf)) : rendered.pdf;
    if (isDeferred(outcome)) {
      const row: PendingSignatureEntity = {
        documentId: id,
        signerPersonId: document.signerPersonId!,
        unitId: document.unitId,
        state: 'awaiting',
        preparedPdf: outcome.prepared.pdf,
        byteRange: outcome.prepared.byteRange,
        digest: outcome.prepared.digest.toString('hex'),
        certificate: outcome.certificate,
        certificateSha256: sha256Hex(outcome.certificate),
        signatureArea: rendered.signatureArea!,
        templateVersion: rendered.templateVersion,
        data,
        signedPdf: null,
        createdAt: this.clock.now(),
        signedAt: null,
      };
      const kept = await writeTransaction(this.dataSource, async (manager) => {
        const repository = manager.getRepository(PendingSignatureEntity);
        const existing = await repository.findOneBy({ documentId: id });
        if (existing) return existing;
        await repository.save(Object.assign(new PendingSignatureEntity(), row));
        return row;
      });
      throw new SignaturePendingError(kept);
    }
    await this.afterStep('sign', id);
    return { pdf: outcome, data, templateVersion: rendered.templateVersion, pages: rendered.pages };
  }

  private async registerOutgoing(document: IssuedDocumentEntity): Promise<IssuedDocumentEntity> {
    const context = await this.registerContext(document);
    const now = this.clock.now();
    return writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(IssuedDocumentEntity);
      const current = await repository.findOneByOrFail({ id: document.id });
      if (current.state !== IssueState.Stored) return current;
      await this.insertOutgoingEntry(manager, current, context, null);
      current.state = IssueState.Registered;
      current.updatedAt = now;
      return repository.save(current);
    });
  }

  private async send(document: IssuedDocumentEntity): Promise<IssuedDocumentEntity> {
    const now = this.clock.now();
    const recipients = [...new Set(document.recipients.map((r) => r.unitId).filter((id): id is number => typeof id === 'number'))];
    return writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(IssuedDocumentEntity);
      const current = await repository.findOneByOrFail({ id: document.id });
      if (current.state !== IssueState.Registered) return current;
      const deliveries = manager.getRepository(DocumentDeliveryEntity);
      for (const recipientUnitId of recipients) {
        if (!(await deliveries.existsBy({ documentId: current.id, recipientUnitId }))) await deliveries.insert({ documentId: current.id, recipientUnitId, sentAt: now });
      }
      await manager.getRepository(OutgoingRegisterEntryEntity).update({ documentId: current.id }, { sentDate: isoCivilDate(now, this.zone) });
      current.state = IssueState.Sent;
      current.updatedAt = now;
      return repository.save(current);
    });
  }

  /** Each recipient unit registers the document as incoming, with its own gap-free incoming number. */
  private async registerIncoming(document: IssuedDocumentEntity): Promise<IssuedDocumentEntity> {
    const context = await this.registerContext(document);
    const deliveries = await this.dataSource.getRepository(DocumentDeliveryEntity).find({ where: { documentId: document.id }, order: { recipientUnitId: 'ASC' } });
    for (const delivery of deliveries) {
      const now = this.clock.now();
      const series = { unitId: delivery.recipientUnitId, year: civilDateOf(now, this.zone).year, register: 'incoming' };
      await this.numbering.ensureSeries(series);
      await writeTransaction(this.dataSource, async (manager) => {
        const entries = manager.getRepository(IncomingRegisterEntryEntity);
        if (await entries.existsBy({ unitId: delivery.recipientUnitId, documentId: document.id })) return;
        const incomingNumber = await this.numbering.takeNext(manager, series);
        await entries.insert({
          unitId: delivery.recipientUnitId,
          year: series.year,
          incomingNumber,
          documentId: document.id,
          receivedAt: now,
          receivedDate: isoCivilDate(now, this.zone),
          sender: context.sender,
          symbol: document.symbol!,
          documentDate: document.issueDate!,
          typeAndSubject: context.typeAndSubject,
          handler: null,
          passedOnDate: null,
          notes: null,
        });
      });
    }
    const now = this.clock.now();
    return writeTransaction(this.dataSource, async (manager) => {
      const repository = manager.getRepository(IssuedDocumentEntity);
      const current = await repository.findOneByOrFail({ id: document.id });
      if (current.state !== IssueState.Sent) return current;
      current.state = IssueState.Issued;
      current.issuedAt = now;
      current.updatedAt = now;
      return repository.save(current);
    });
  }

  private async insertOutgoingEntry(manager: EntityManager, document: IssuedDocumentEntity, context: RegisterContext, notes: string | null): Promise<void> {
    const entries = manager.getRepository(OutgoingRegisterEntryEntity);
    if (await entries.existsBy({ documentId: document.id })) return;
    await entries.insert({
      unitId: document.unitId,
      year: document.year!,
      register: document.register,
      number: document.number!,
      documentId: document.id,
      symbol: document.symbol!,
      issueDate: document.issueDate!,
      typeAndSubject: context.typeAndSubject,
      signer: document.signerName,
      recipients: registerRecipients(document.recipients.map((r) => r.name)),
      fileKeeper: context.fileKeeper,
      copies: document.copies,
      sentDate: null,
      notes,
      registeredAt: this.clock.now(),
    });
  }

  private async registerContext(document: IssuedDocumentEntity): Promise<RegisterContext> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: document.unitId });
    const division = document.divisionId === null ? null : await this.dataSource.getRepository(DivisionEntity).findOneByOrFail({ id: document.divisionId });
    const type = documentType(document.documentType);
    return {
      sender: unit.officialName,
      typeAndSubject: type.abbreviation === null ? `${type.name} V/v ${document.subject}` : `${type.name} ${document.subject}`,
      fileKeeper: division ? `VT, ${division.symbol}` : 'VT',
    };
  }

  /** Runs a step up to maxAttempts times; then raises (or keeps) the document's incident. */
  private async attempt<T>(document: IssuedDocumentEntity, step: IssueStep, work: () => Promise<T>): Promise<T> {
    let last: unknown;
    for (let n = 1; n <= this.maxAttempts; n++) {
      try {
        return await work();
      } catch (error) {
        last = error;
      }
    }
    const message = (last instanceof Error ? last.message : String(last)).slice(0, 2000);
    const now = this.clock.now();
    const incident = await writeTransaction(this.dataSource, async (manager) => {
      const incidents = manager.getRepository(DocumentIncidentEntity);
      const open = await incidents.findOneBy({ documentId: document.id, resolvedAt: IsNull() });
      if (open) return open;
      const row = incidents.create({ documentId: document.id, step, message, attempts: this.maxAttempts, openedAt: now, resolvedAt: null, resolution: null, resolvedBy: null, note: null });
      return incidents.save(row);
    });
    throw new DocumentIncidentError(incident);
  }

  private openIncident(documentId: string): Promise<DocumentIncidentEntity | null> {
    return this.dataSource.getRepository(DocumentIncidentEntity).findOneBy({ documentId, resolvedAt: IsNull() });
  }

  private async requireClerk(personId: number, unitId: number): Promise<void> {
    const isClerk = await this.dataSource.getRepository(RoleAssignmentEntity).existsBy({ personId, unitId, role: Role.Clerk });
    if (!isClerk) throw new IssueRefusedError(`Person ${personId} is not a clerk (văn thư) of unit ${unitId}`);
  }

  private async afterStep(step: IssueStep, documentId: string): Promise<void> {
    await this.options.afterStep?.(step, documentId);
  }
}

interface RegisterContext {
  sender: string;
  typeAndSubject: string;
  fileKeeper: string;
}
