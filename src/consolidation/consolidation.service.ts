import { Injectable, Logger } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { DataSource, EntityManager, FindOptionsSelect, In } from 'typeorm';
import { Actor } from '../access/actor';
import { AuditTrail } from '../audit/audit-trail.service';
import { AppConfig } from '../config/app-config';
import { CycleEntity } from '../cycles/cycle.entity';
import { requestLetterId } from '../cycles/request-letter';
import { findInChunks } from '../database/find-in-chunks';
import { writeTransaction } from '../database/write-transaction';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { WorkingDayCalendar } from '../cycles/working-days';
import { IssuePipeline, SignaturePendingError } from '../documents/issuing/issue-pipeline';
import { IssuedDocumentEntity } from '../documents/issuing/issued-document.entity';
import { DivisionEntity } from '../organization/division.entity';
import { OrganizationService } from '../organization/organization.service';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { EvidenceFiles, UploadedEvidence, checkEvidence, utf8FileName } from '../reports/evidence-files';
import { aggregate } from '../reports/form/aggregation';
import { formById, formForYear } from '../reports/form/form-definition';
import { validateReport } from '../reports/form/report-validation';
import { ReportValues } from '../reports/form/report-values';
import { ReportEvidenceEntity } from '../reports/report-evidence.entity';
import { ReportVersionEntity } from '../reports/report-version.entity';
import { ReportEntity } from '../reports/report.entity';
import { periodOf } from '../reports/reports.service';
import { civilDateOf, isoCivilDate, officialShortDate } from '../shared/civil-date';
import { Clock } from '../shared/clock';
import { KeptViews } from '../shared/kept-views';
import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError } from '../shared/errors';
import { WorkflowEngine } from '../workflow/workflow-engine';
import { CONSOLIDATION_PROCESS, CONSOLIDATION_TASKS, consolidationBusinessKey, consolidationVariables } from './consolidation-process';
import { PROGRESS_LABELS, ProgressStatus, arrivedLate, progressStatus } from './consolidation-progress';
import { ConsolidationEntity, ConsolidationSnapshot, DraftDocumentEntity, IncludedReport, LateOrMissingUnit, UrgeLetterEntity } from './consolidation.entity';
import { topReportDraftId } from './consolidation-workers';
import { DocumentStore } from '../documents/store/document-store';
import { urgeLetter } from './urge-letter';
import { consolidationWorkbook } from './consolidation-workbook';
import { ProgressCache } from './progress-cache';

/**
 * Every column of a report but its working draft: where a report stands, for lists of thousands of
 * reports (the draft is the whole form's JSON and is not needed to count or list them).
 */
const REPORT_STANDING: FindOptionsSelect<ReportEntity> = {
  id: true, cycleId: true, unitId: true, formId: true, status: true, divisionReview: true, processInstanceKey: true, currentVersion: true, approvedVersion: true,
  issuedDocumentId: true, updatedAt: true, deadlineAt: true, lateSince: true, sentAt: true, receivedAfterClose: true, onPaper: true, paperReference: true, deadlineWatchKey: true,
};

/** Working days an urge letter gives late units, unless the consolidator names the date. */
const URGE_GRACE_WORKING_DAYS = 3;

export interface ProgressRow {
  unitId: number;
  code: string;
  name: string;
  level: string;
  /** The unit it reports to (its consolidating unit). */
  reportsToId: number;
  reportId: number | null;
  status: ProgressStatus;
  statusLabel: string;
  deadline: string;
  sentAt: string | null;
  late: boolean;
  receivedAfterClose: boolean;
  onPaper: boolean;
  /** Number, symbol and date of the report received ("12/BC-UBND ngày 10/11/2026"). */
  reference: string | null;
}

const gzipAsync = promisify(gzip);
/** Below this a dashboard's JSON is sent as it is: compressing a few KB saves nothing worth the work. */
const GZIP_FROM_BYTES = 8 * 1024;

/** Which units of the progress to send: one status, from `offset`, at most `limit`. */
export interface ProgressView {
  status?: ProgressStatus;
  offset?: number;
  limit?: number;
}
export type ProgressPage = ConsolidationProgress & { page: { offset: number; limit: number | null; matching: number } };
/** The progress (or a page of it) serialized as the API sends it, gzipped too when large, with its ETag. */
export interface ProgressJson {
  body: Buffer;
  gzipped: Buffer | null;
  etag: string;
}

/** The progress with only the units the view selects. */
function pageOf(progress: ConsolidationProgress, view: ProgressView): ProgressPage {
  const matching = view.status ? progress.units.filter((u) => u.status === view.status) : progress.units;
  const offset = view.offset ?? 0;
  const units = matching.slice(offset, view.limit === undefined ? undefined : offset + view.limit);
  return { ...progress, units, page: { offset, limit: view.limit ?? null, matching: matching.length } };
}

/** As Express's res.json would send it, with its weak ETag; compressed once too (off the event loop): repetitive JSON shrinks several times. */
async function progressJsonOf(value: ConsolidationProgress | ProgressPage): Promise<ProgressJson> {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const gzipped = body.length >= GZIP_FROM_BYTES ? await gzipAsync(body) : null;
  return { body, gzipped, etag: `W/"${body.length.toString(16)}-${createHash('sha1').update(body).digest('base64').slice(0, 27)}"` };
}

export interface ConsolidationProgress {
  consolidation: { id: number; cycleId: number; unitId: number; unitName: string; status: string; closedAt: string | null; unitsDeadlineAt: string | null };
  counts: Record<ProgressStatus, number> & { expected: number };
  units: ProgressRow[];
  /**
   * The subtree's totals by figure: what closing now would count (reports arrived from the units
   * directly below, and what each closed consolidation below counted), or what the closed period counted.
   */
  totals: { counted: number; closed: boolean; rows: { section: string; label: string; unit: string; value: number }[] };
}

/** Paper report entered on a unit's behalf (nhập hộ). */
export interface PaperReportEntry {
  values: unknown;
  /** As printed: "45/BC-UBND ngày 12/11/2026". */
  reference: string;
}

/**
 * Consolidation at every unit with units below it: live progress, closing the period (which freezes
 * the totals and tables the consolidated report is rendered from), reports received on paper, urge
 * letters to late units, and the tables as a spreadsheet.
 */
@Injectable()
export class ConsolidationService {
  private readonly logger = new Logger(ConsolidationService.name);
  /** Pages of the progress as JSON (a dashboard's 200 units, ~66 KB each), per page asked for. */
  private readonly keptPageJson = new KeptViews<ConsolidationProgress, Promise<ProgressJson>>(64);

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly organization: OrganizationService,
    private readonly deadlines: DeadlinesService,
    private readonly pipeline: IssuePipeline,
    private readonly evidenceFiles: EvidenceFiles,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly calendar: WorkingDayCalendar,
    private readonly store: DocumentStore,
    private readonly progressCache: ProgressCache,
  ) {}

  /** A consolidation, with its process, at every unit with units below it; idempotent (resumes a cut-short opening). */
  async startConsolidations(cycle: CycleEntity): Promise<ConsolidationEntity[]> {
    const repository = this.dataSource.getRepository(ConsolidationEntity);
    const started: ConsolidationEntity[] = [];
    for (const unit of await this.organization.consolidatingUnits(cycle.dataSetId)) {
      let consolidation = await repository.findOneBy({ cycleId: cycle.id, unitId: unit.id });
      if (!consolidation) {
        await repository.insert({ cycleId: cycle.id, unitId: unit.id, status: 'open', unitsDeadlineAt: null, processInstanceKey: null, closedAt: null, closedBy: null, snapshot: null });
        consolidation = await repository.findOneByOrFail({ cycleId: cycle.id, unitId: unit.id });
      }
      if (!consolidation.processInstanceKey) {
        const instance = await this.engine.startInstance({ bpmnProcessId: CONSOLIDATION_PROCESS.id, businessKey: consolidationBusinessKey(consolidation.id), variables: { ...consolidationVariables(consolidation, cycle.deadlineAt) } });
        await repository.update({ id: consolidation.id }, { processInstanceKey: instance.instanceKey });
        consolidation.processInstanceKey = instance.instanceKey;
      }
      started.push(consolidation);
    }
    return started;
  }

  async get(consolidationId: number): Promise<ConsolidationEntity> {
    const consolidation = await this.dataSource.getRepository(ConsolidationEntity).findOneBy({ id: consolidationId });
    if (!consolidation) throw new NotFoundError(`Tổng hợp ${consolidationId}`);
    return consolidation;
  }

  async forUnit(unitId: number): Promise<ConsolidationEntity[]> {
    return this.dataSource.getRepository(ConsolidationEntity).find({ where: { unitId }, order: { cycleId: 'DESC' } });
  }

  /** The stored draft of the top unit's report to the Ministry, or null before the provincial submission. */
  async topReportDraft(cycleId: number): Promise<Buffer | null> {
    const draft = await this.dataSource.getRepository(DraftDocumentEntity).findOneBy({ id: topReportDraftId(cycleId) });
    if (!draft) return null;
    return (await this.store.get(draft.id))?.pdf ?? null;
  }

  async forCycle(cycleId: number): Promise<ConsolidationEntity[]> {
    return this.dataSource.getRepository(ConsolidationEntity).find({ where: { cycleId }, order: { id: 'ASC' } });
  }

  /**
   * Every unit below, with where its report stands (the whole subtree: a district's communes too).
   * Kept until the next write to what it is computed from (ProgressCache): the dashboard is read far
   * more often than any of it changes. The value is frozen: it is shared by every reader.
   */
  progress(consolidationId: number): Promise<ConsolidationProgress> {
    return this.progressCache.get(consolidationId, async () => deepFreeze(await this.computeProgress(consolidationId)));
  }

  /**
   * The progress as the API sends it (JSON.stringify, as Express's res.json) with its ETag (as
   * Express's weak one): kept like the progress, so that a dashboard of 10,000 units (3 MB) is not
   * serialized, encoded and hashed again for every reader.
   */
  progressJson(consolidationId: number): Promise<ProgressJson> {
    return this.progressCache.get(`json/${consolidationId}`, async () => progressJsonOf(await this.progress(consolidationId)));
  }

  /**
   * One page of the progress as the API sends it: the units of one status, from `offset`, at most
   * `limit` (counts and totals stay whole; `page.matching` is how many units the status selects).
   * Kept per page asked for, as long as the progress it was cut from: the dashboard page asks for
   * the same 200 units (66 KB) every time.
   */
  async progressPageJson(consolidationId: number, view: ProgressView): Promise<ProgressJson> {
    const progress = await this.progress(consolidationId);
    const key = `${consolidationId}|${view.status ?? ''}|${view.offset ?? ''}|${view.limit ?? ''}`;
    const json = this.keptPageJson.get(key, progress, () => progressJsonOf(pageOf(progress, view)));
    json.catch(() => this.keptPageJson.forget(key, json));
    return json;
  }

  private async computeProgress(consolidationId: number): Promise<ConsolidationProgress> {
    const consolidation = await this.get(consolidationId);
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: consolidation.unitId });
    const subtree = await this.organization.reportingSubtree(consolidation.unitId);
    const manager = this.dataSource.manager;
    const reports = await findInChunks(manager, ReportEntity, 'unitId', subtree.map((u) => u.id), { cycleId: consolidation.cycleId }, REPORT_STANDING);
    const byUnit = new Map(reports.map((r) => [r.unitId, r]));
    // Whether each receiver has closed; not their snapshots (10,000 units' figures in JSON).
    const closing = await manager.find(ConsolidationEntity, { where: { cycleId: consolidation.cycleId }, select: { id: true, unitId: true, status: true } });
    const consolidations = new Map(closing.map((c) => [c.unitId, c]));
    const documents = await this.documentsOf(reports);
    const deadlines = await this.deadlines.effectiveDeadlines(reports);
    const cycleDeadline = (await this.cycle(consolidation.cycleId)).deadlineAt;
    const counts = { expected: subtree.length, 'not-started': 0, drafting: 0, 'in-review': 0, returned: 0, submitted: 0, late: 0, missing: 0 };
    const units: ProgressRow[] = [];
    for (const member of subtree) {
      const report = byUnit.get(member.id) ?? null;
      const receiverClosed = consolidations.get(member.reportsToId!)?.status === 'closed';
      const deadline = report ? deadlines.get(report.id)! : cycleDeadline;
      const status: ProgressStatus = report ? progressStatus(report, receiverClosed) : receiverClosed ? 'missing' : 'not-started';
      counts[status]++;
      units.push({
        unitId: member.id,
        code: member.code,
        name: member.officialName,
        level: member.level,
        reportsToId: member.reportsToId!,
        reportId: report?.id ?? null,
        status,
        statusLabel: PROGRESS_LABELS[status],
        deadline: deadline.toISOString(),
        sentAt: report?.sentAt?.toISOString() ?? null,
        late: report ? (report.sentAt || report.onPaper ? arrivedLate(report, deadline) : report.lateSince !== null) : false,
        receivedAfterClose: report?.receivedAfterClose ?? false,
        onPaper: report?.onPaper ?? false,
        reference: report ? this.referenceOf(report, documents) : null,
      });
    }
    const snapshot = consolidation.snapshot ?? (await this.snapshot(consolidation));
    const form = formById(snapshot.formId);
    const totals = {
      counted: snapshot.included.length,
      closed: consolidation.status === 'closed',
      rows: form.sections.flatMap((section) =>
        section.fields
          .filter((field) => field.aggregate !== 'none')
          .map((field) => ({ section: section.title, label: field.label, unit: field.unit ?? (field.aggregate === 'count-yes' ? 'đơn vị' : ''), value: snapshot.subtreeTotals[`${section.key}.${field.key}`] ?? 0 })),
      ),
    };
    return {
      consolidation: { id: consolidation.id, cycleId: consolidation.cycleId, unitId: unit.id, unitName: unit.officialName, status: consolidation.status, closedAt: consolidation.closedAt?.toISOString() ?? null, unitsDeadlineAt: consolidation.unitsDeadlineAt?.toISOString() ?? null },
      counts,
      units,
      totals,
    };
  }

  /**
   * Closes the period: freezes what the consolidation counts, then completes the closing task (which
   * releases the unit's own report). Safe to call again after a crash between the two.
   */
  async close(consolidationId: number, actor: Actor): Promise<ConsolidationEntity> {
    let consolidation = await this.get(consolidationId);
    await this.requireRole(actor, consolidation.unitId, [Role.Consolidator], 'chốt số liệu tổng hợp');
    const task = await this.closingTask(consolidation);
    if (consolidation.status === 'closed' && !task) throw new ConflictError('Số liệu đã được chốt', 'consolidation-closed');
    if (!task) throw new ConflictError('Tổng hợp chưa sẵn sàng để chốt', 'consolidation-not-ready');
    if (consolidation.status === 'open') {
      const snapshot = await this.snapshot(consolidation);
      await writeTransaction(this.dataSource, async (manager) => {
        const current = await manager.findOneByOrFail(ConsolidationEntity, { id: consolidation.id });
        if (current.status !== 'open') return;
        await manager.update(ConsolidationEntity, { id: consolidation.id }, { status: 'closed', closedAt: new Date(snapshot.closedAt), closedBy: actor.personId, snapshot });
        await this.audit.record(manager, { actor, action: 'consolidation.closed', subject: { type: 'consolidation', id: consolidation.id }, unitId: consolidation.unitId, cycleId: String(consolidation.cycleId), after: { counts: snapshot.counts, subtreeTotals: snapshot.subtreeTotals } });
      });
    }
    await this.engine.completeUserTask(task.taskKey, {}, actor.login);
    consolidation = await this.get(consolidationId);
    this.logger.log(`consolidation ${consolidation.id} closed: ${consolidation.snapshot!.counts.submitted}/${consolidation.snapshot!.counts.expected} reports`);
    return consolidation;
  }

  /**
   * What the consolidation counts now: the reports of the units directly below that have arrived, and
   * through each consolidating unit among them what its own closed consolidation counted (so a
   * district's communes are counted once, as the district reported them).
   */
  async snapshot(consolidation: ConsolidationEntity, manager: EntityManager = this.dataSource.manager): Promise<ConsolidationSnapshot> {
    const cycle = await manager.findOneByOrFail(CycleEntity, { id: consolidation.cycleId });
    const form = formForYear(cycle.year);
    const direct = await manager.find(UnitEntity, { where: { reportsToId: consolidation.unitId }, order: { sortOrder: 'ASC' } });
    const reports = await findInChunks(manager, ReportEntity, 'unitId', direct.map((u) => u.id), { cycleId: cycle.id }, REPORT_STANDING);
    const byUnit = new Map(reports.map((r) => [r.unitId, r]));
    const documents = await this.documentsOf(reports, manager);
    const below = new Map((await findInChunks(manager, ConsolidationEntity, 'unitId', direct.map((u) => u.id), { cycleId: cycle.id })).map((c) => [c.unitId, c]));
    const counted = reports.filter((report) => (report.sentAt || report.onPaper) && report.approvedVersion !== null);
    // Every version of the counted reports in a few queries; the approved one is kept.
    const approvedNo = new Map(counted.map((report) => [report.id, report.approvedVersion]));
    const approved = new Map(
      (await findInChunks(manager, ReportVersionEntity, 'reportId', counted.map((r) => r.id)))
        .filter((version) => approvedNo.get(version.reportId) === version.versionNo)
        .map((version) => [`${version.reportId}/${version.versionNo}`, version]),
    );
    const deadlines = await this.deadlines.effectiveDeadlines(counted, manager);
    const urges = await manager.findBy(UrgeLetterEntity, { consolidationId: consolidation.id });
    const urgeDocuments = await this.issuedDocuments(urges.map((u) => u.documentId), manager);
    const included: IncludedReport[] = [];
    const lateOrMissing: LateOrMissingUnit[] = [];
    for (const unit of direct) {
      const report = byUnit.get(unit.id);
      if (report && (report.sentAt || report.onPaper) && report.approvedVersion !== null) {
        const version = approved.get(`${report.id}/${report.approvedVersion}`);
        if (!version) throw new NotFoundError(`Phiên bản ${report.approvedVersion} của báo cáo ${report.id}`);
        const late = arrivedLate(report, deadlines.get(report.id)!);
        included.push({ unitId: unit.id, reportId: report.id, reference: this.referenceOf(report, documents) ?? '', late, figures: version.values.figures });
        if (late) lateOrMissing.push({ unitId: unit.id, status: 'late', note: report.sentAt ? `Nhận ngày ${this.shortDate(report.sentAt)}` : 'Nhận bản giấy' });
        const own = below.get(unit.id)?.snapshot;
        if (own) {
          included.push(...own.included);
          lateOrMissing.push(...own.lateOrMissing);
        }
      } else {
        const letters = urges.filter((u) => u.unitIds.includes(unit.id)).map((u) => urgeDocuments.get(u.documentId)).filter((d): d is IssuedDocumentEntity => !!d?.symbol);
        const note = letters.length > 0 ? `Đã đôn đốc tại Công văn số ${letters.map((d) => `${d.symbol} ngày ${this.isoShort(d.issueDate!)}`).join('; ')}` : '';
        lateOrMissing.push({ unitId: unit.id, status: 'missing', note });
      }
    }
    const expected = await this.organization.reportingSubtreeSize(consolidation.unitId);
    const late = included.filter((r) => r.late).length;
    return {
      closedAt: this.clock.now().toISOString(),
      formId: form.id,
      expected,
      included,
      subtreeTotals: aggregate(form, included.map((r) => ({ figures: r.figures, narratives: {} }) as ReportValues)),
      lateOrMissing,
      counts: { expected, submitted: included.length, onTime: included.length - late, late, missing: expected - included.length },
    };
  }

  /**
   * A report received on paper, entered on the unit's behalf by its consolidating unit with the scan
   * attached: kept as an approved version, counted like any other, and the unit's process ends.
   */
  async enterPaperReport(reportId: number, entry: PaperReportEntry, scan: UploadedEvidence | undefined, actor: Actor): Promise<ReportEntity> {
    const report = await this.dataSource.getRepository(ReportEntity).findOneBy({ id: reportId });
    if (!report) throw new NotFoundError(`Báo cáo ${reportId}`);
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: report.unitId });
    if (unit.reportsToId === null) throw new ConflictError('Đơn vị này không báo cáo cho đơn vị nào', 'no-consolidating-unit');
    await this.requireRole(actor, unit.reportsToId, [Role.Consolidator, Role.Clerk], 'nhập hộ báo cáo');
    const problems = [];
    const reference = typeof entry.reference === 'string' ? entry.reference.trim() : '';
    if (reference.length < 3 || reference.length > 255) problems.push({ path: 'reference', code: 'length', message: 'Số, ký hiệu và ngày của báo cáo giấy phải có từ 3 đến 255 ký tự' });
    const cycle = await this.cycle(report.cycleId);
    problems.push(...validateReport(formById(report.formId), entry.values, 'submit', periodOf(cycle)));
    if (problems.length > 0) throw new ValidationFailedError(problems);
    checkEvidence(scan);
    if (report.sentAt || report.onPaper || report.approvedVersion !== null) throw new ConflictError('Báo cáo của đơn vị đã được phê duyệt hoặc đã gửi: không nhập hộ', 'report-already-approved');
    const values = entry.values as ReportValues;
    const sha256 = await this.evidenceFiles.put(scan!.buffer);
    const receiver = await this.dataSource.getRepository(ConsolidationEntity).findOne({ where: { cycleId: report.cycleId, unitId: unit.reportsToId }, select: { id: true, status: true } });
    const now = this.clock.now();
    await writeTransaction(this.dataSource, async (manager) => {
      const current = await manager.findOneByOrFail(ReportEntity, { id: report.id });
      if (current.approvedVersion !== null || current.onPaper) throw new ConflictError('Báo cáo của đơn vị đã được phê duyệt hoặc đã gửi: không nhập hộ', 'report-already-approved');
      const versionNo = current.currentVersion + 1;
      const normalized: ReportValues = { figures: values.figures ?? {}, narratives: values.narratives ?? {} };
      await manager.insert(ReportVersionEntity, { reportId: report.id, versionNo, values: normalized, submittedBy: actor.personId, submittedAt: now });
      await manager.insert(ReportEvidenceEntity, { reportId: report.id, fileName: utf8FileName(scan!.originalname), mediaType: scan!.mimetype, sizeBytes: scan!.size, sha256, uploadedBy: actor.personId, uploadedAt: now });
      await manager.update(ReportEntity, { id: report.id }, { status: 'issued', currentVersion: versionNo, approvedVersion: versionNo, onPaper: true, paperReference: reference, sentAt: now, receivedAfterClose: receiver?.status === 'closed', updatedAt: now });
      await this.audit.record(manager, { actor, action: 'report.entered-from-paper', subject: { type: 'report', id: report.id }, unitId: report.unitId, cycleId: String(report.cycleId), after: normalized, detail: { version: versionNo, reference, scanSha256: sha256 } });
    });
    if (report.processInstanceKey) {
      const instance = await this.engine.getInstance(report.processInstanceKey);
      if (instance?.status === 'active') await this.engine.cancelInstance(report.processInstanceKey);
    }
    await this.deadlines.endWatch(report.id);
    return this.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: report.id });
  }

  /** Issues an urge letter (công văn đôn đốc) from the consolidating unit to its units now late. */
  async urgeLateUnits(consolidationId: number, actor: Actor, newDeadline?: string): Promise<IssuedDocumentEntity> {
    const consolidation = await this.get(consolidationId);
    await this.requireRole(actor, consolidation.unitId, [Role.Consolidator], 'ban hành công văn đôn đốc');
    if (consolidation.status === 'closed') throw new ConflictError('Đã chốt số liệu: không còn đôn đốc', 'consolidation-closed');
    const progress = await this.progress(consolidationId);
    const late = progress.units.filter((u) => u.reportsToId === consolidation.unitId && u.status === 'late');
    if (late.length === 0) throw new ConflictError('Không có đơn vị nào trễ hạn để đôn đốc', 'no-late-units');
    if (newDeadline !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(newDeadline)) throw ValidationFailedError.field('newDeadline', 'format', 'Hạn mới phải là ngày dạng YYYY-MM-DD');
    const cycle = await this.cycle(consolidation.cycleId);
    const issuer = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: consolidation.unitId });
    const receiver = issuer.reportsToId === null ? null : await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: issuer.reportsToId });
    const division = await this.dataSource.getRepository(DivisionEntity).findOne({ where: { unitId: issuer.id }, order: { id: 'ASC' } });
    const signer = await this.headOf(issuer.id);
    const lateUnits = await this.dataSource.getRepository(UnitEntity).findBy({ id: In(late.map((u) => u.unitId)) });
    const request = await this.requestLetterReference(cycle);
    const documentId = randomUUID();
    const today = isoCivilDate(this.clock.now(), this.config.civilTimeZone);
    const approved = urgeLetter({
      documentId, cycle, issuer, receiver, division, signer, lateUnits,
      statuses: new Map(late.map((u) => [u.unitId, u])),
      asOf: this.clock.now(),
      request,
      newDeadline: newDeadline ?? this.calendar.addWorkingDays(today, URGE_GRACE_WORKING_DAYS),
      approvedBy: actor.personId,
    });
    await writeTransaction(this.dataSource, async (manager) => {
      await manager.insert(UrgeLetterEntity, { consolidationId, documentId, unitIds: lateUnits.map((u) => u.id), requestedAt: this.clock.now(), requestedBy: actor.personId });
      await this.audit.record(manager, { actor, action: 'consolidation.urged', subject: { type: 'consolidation', id: consolidationId }, unitId: consolidation.unitId, cycleId: String(consolidation.cycleId), detail: { documentId, units: lateUnits.map((u) => u.code) } });
    });
    try {
      return await this.pipeline.issue(approved);
    } catch (error) {
      // The head signs elsewhere: the letter is numbered and waits for the signature (issued when it comes back).
      if (!(error instanceof SignaturePendingError)) throw error;
      return this.dataSource.getRepository(IssuedDocumentEntity).findOneByOrFail({ id: documentId });
    }
  }

  /** The consolidated tables as XLSX: the closed snapshot, or what has arrived so far while open. */
  async tablesWorkbook(consolidationId: number): Promise<Buffer> {
    const consolidation = await this.get(consolidationId);
    const cycle = await this.cycle(consolidation.cycleId);
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: consolidation.unitId });
    const snapshot = consolidation.snapshot ?? (await this.snapshot(consolidation));
    const units = new Map((await this.organization.reportingSubtree(unit.id)).map((u) => [u.id, u]));
    return consolidationWorkbook({ unit, year: cycle.year, form: formById(snapshot.formId), snapshot, units, closed: consolidation.status === 'closed' });
  }

  /** The urge letters of a consolidation, with their documents. */
  async urgeLetters(consolidationId: number): Promise<Array<UrgeLetterEntity & { symbol: string | null; issueDate: string | null }>> {
    const rows = await this.dataSource.getRepository(UrgeLetterEntity).find({ where: { consolidationId }, order: { id: 'ASC' } });
    const documents = await this.issuedDocuments(rows.map((r) => r.documentId));
    return rows.map((r) => ({ ...r, symbol: documents.get(r.documentId)?.symbol ?? null, issueDate: documents.get(r.documentId)?.issueDate ?? null }));
  }

  private async closingTask(consolidation: ConsolidationEntity) {
    if (!consolidation.processInstanceKey) return null;
    const tasks = await this.engine.listUserTasks({ instanceKey: consolidation.processInstanceKey, state: 'created' });
    return tasks.find((t) => t.elementId === CONSOLIDATION_TASKS.closePeriod) ?? null;
  }

  private async documentsOf(reports: ReportEntity[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, IssuedDocumentEntity>> {
    return this.issuedDocuments(reports.map((r) => r.issuedDocumentId).filter((id): id is string => id !== null), manager);
  }

  private async issuedDocuments(ids: string[], manager: EntityManager = this.dataSource.manager): Promise<Map<string, IssuedDocumentEntity>> {
    if (ids.length === 0) return new Map();
    // Only what a reference needs: a document's content (the whole report) is not read for 10,000 rows.
    const rows = await findInChunks(manager, IssuedDocumentEntity, 'id', ids, {}, { id: true, symbol: true, issueDate: true });
    return new Map(rows.map((d) => [d.id, d]));
  }

  private referenceOf(report: ReportEntity, documents: Map<string, IssuedDocumentEntity>): string | null {
    if (report.onPaper) return report.paperReference;
    const document = report.issuedDocumentId ? documents.get(report.issuedDocumentId) : undefined;
    return document?.symbol && document.issueDate ? `${document.symbol} ngày ${this.isoShort(document.issueDate)}` : null;
  }

  private shortDate(instant: Date): string {
    return officialShortDate(civilDateOf(instant, this.config.civilTimeZone));
  }

  private isoShort(isoDate: string): string {
    const [year, month, day] = isoDate.split('-').map(Number);
    return officialShortDate({ year, month, day });
  }

  private async cycle(cycleId: number): Promise<CycleEntity> {
    return this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: cycleId });
  }

  private async headOf(unitId: number): Promise<{ personId: number; fullName: string; title: string | null }> {
    const head = await this.dataSource.getRepository(RoleAssignmentEntity).findOne({ where: { unitId, role: Role.Head }, order: { id: 'ASC' } });
    if (!head) throw new NotFoundError(`Thủ trưởng đơn vị ${unitId}, người ký công văn`);
    const person = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: head.personId });
    return { personId: person.id, fullName: person.fullName, title: head.title };
  }

  private async requestLetterReference(cycle: CycleEntity): Promise<{ numberSymbol: string; date: string; issuerName: string } | null> {
    const letter = await this.dataSource.getRepository(IssuedDocumentEntity).findOneBy({ id: requestLetterId(cycle) });
    if (!letter?.symbol || !letter.issueDate) return null;
    const issuer = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: letter.unitId });
    return { numberSymbol: letter.symbol, date: letter.issueDate, issuerName: issuer.officialName };
  }

  private async requireRole(actor: Actor, unitId: number, roles: Role[], act: string): Promise<void> {
    const allowed = await this.dataSource.getRepository(RoleAssignmentEntity).existsBy({ personId: actor.personId, unitId, role: In(roles) });
    if (!allowed) throw new ForbiddenError(`Không có quyền ${act} của đơn vị này`);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}
