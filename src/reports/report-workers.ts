import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { IssuePipeline, SignaturePendingError } from '../documents/issuing/issue-pipeline';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { deterministicUuid } from '../shared/deterministic-uuid';
import { Job, JobOutcome, JobOutcomes, WorkerRegistration, WorkflowEngine } from '../workflow/workflow-engine';
import { formById } from './form/form-definition';
import { REPORT_DOCUMENT, reportDocumentContent, reportDocumentContext, reportSigner } from './report-document';
import { UNIT_REPORT_JOBS, UNIT_REPORT_TASKS } from './report-process';
import { DeferredSigningService } from '../documents/signing/deferred-signing.service';
import { CONSOLIDATED_REPORT_KIND, consolidatedReportContent, consolidatedReportSubject } from '../consolidation/consolidated-document';
import { ConsolidationEntity, ConsolidationSnapshot } from '../consolidation/consolidation.entity';
import { DEADLINE_CHANGED_MESSAGE, DEADLINE_WAKE_TTL_MS, REPORT_SENT, deadlineWatchKey } from '../deadlines/deadline-process';
import { Clock } from '../shared/clock';
import { ReportReviewEntity } from './report-review.entity';
import { ReportVersionEntity } from './report-version.entity';
import { ReportEntity } from './report.entity';
import { periodOf } from './reports.service';

/**
 * The service tasks of the unit report process. Thin: each reads the ids from the job, delegates, and
 * answers one of the three outcomes. Safe to run again (at-least-once): the document id is derived
 * from the report version, so the issue pipeline resumes rather than issuing twice.
 */
@Injectable()
export class ReportWorkers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly pipeline: IssuePipeline,
    private readonly clock: Clock,
    private readonly deferredSigning: DeferredSigningService,
  ) {}

  register(): WorkerRegistration[] {
    const stopListening = this.deferredSigning.onSigned((documentId, signer) => this.signed(documentId, signer.login));
    return [
      this.engine.registerWorker(UNIT_REPORT_JOBS.issue, (job) => this.issue(job)),
      this.engine.registerWorker(UNIT_REPORT_JOBS.send, (job) => this.send(job)),
      { close: stopListening },
    ];
  }

  /** The signer's signature is in and the document issued: the "Ký số" task ends, the process goes on (issue again finds it issued). */
  async signed(documentId: string, signerLogin: string): Promise<void> {
    const tasks = await this.engine.listUserTasks({ state: 'created', elementId: UNIT_REPORT_TASKS.sign });
    for (const task of tasks.filter((t) => t.variables.documentId === documentId)) await this.engine.completeUserTask(task.taskKey, { signaturePending: false }, signerLogin);
  }

  /**
   * Number, render, sign, store and register the approved version; send it to the consolidating unit.
   * A signer who signs elsewhere leaves the document waiting: the job completes with
   * signaturePending, the process offers them the "Ký số" task, and comes back here once signed.
   */
  async issue(job: Job): Promise<JobOutcome> {
    const report = await this.reportOf(job);
    if (report.approvedVersion === null) return JobOutcomes.fail(`report ${report.id} has no approved version`, 0);
    const documentId = deterministicUuid(`report:${report.id}:v${report.approvedVersion}`);
    const approved = await this.approvedDocument(report, documentId);
    let document;
    try {
      document = await this.pipeline.issue(approved);
    } catch (error) {
      if (!(error instanceof SignaturePendingError)) throw error;
      const signer = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: error.pending.signerPersonId });
      return JobOutcomes.complete({ documentId, signaturePending: true, signerLogin: signer.login });
    }
    await this.dataSource.getRepository(ReportEntity).update({ id: report.id }, { status: 'issued', issuedDocumentId: document.id });
    return JobOutcomes.complete({ documentId: document.id, signaturePending: false });
  }

  /**
   * Records the report as received by the consolidating unit (the issue pipeline has already delivered
   * and registered it there): flagged when that unit had closed its period, so it is never counted in
   * a document already issued. Then ends the report's deadline watch.
   */
  async send(job: Job): Promise<JobOutcome> {
    const report = await this.reportOf(job);
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: report.unitId });
    if (!report.sentAt) {
      // Its status only, not its snapshot (every unit below it, once closed).
      const receiver = unit.reportsToId === null ? null : await this.dataSource.getRepository(ConsolidationEntity).findOne({ where: { cycleId: report.cycleId, unitId: unit.reportsToId }, select: { id: true, status: true } });
      await this.dataSource.getRepository(ReportEntity).update({ id: report.id }, { sentAt: this.clock.now(), receivedAfterClose: receiver?.status === 'closed' });
    }
    await this.engine.publishMessage({ name: DEADLINE_CHANGED_MESSAGE, correlationKey: deadlineWatchKey(report.id), variables: { ...REPORT_SENT }, timeToLiveMs: DEADLINE_WAKE_TTL_MS });
    return JobOutcomes.complete();
  }

  /** The consolidating unit and every unit its snapshot counts or lists. */
  private async unitsNamedIn(unit: UnitEntity, snapshot: ConsolidationSnapshot): Promise<Map<number, UnitEntity>> {
    const ids = [...new Set([...snapshot.included.map((r) => r.unitId), ...snapshot.lateOrMissing.map((l) => l.unitId)])];
    const units = ids.length === 0 ? [] : await this.dataSource.getRepository(UnitEntity).findBy({ id: In(ids) });
    const byId = new Map(units.map((u) => [u.id, u]));
    byId.set(unit.id, unit);
    // Group titles name the consolidating units below, which are counted too.
    return byId;
  }

  private async reportOf(job: Job): Promise<ReportEntity> {
    const reportId = Number(job.variables.reportId);
    return this.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: reportId });
  }

  private async approvedDocument(report: ReportEntity, documentId: string) {
    const { unit, cycle, consolidatingUnit: consolidating, division } = await reportDocumentContext(this.dataSource, report);
    const [version, approval] = await Promise.all([
      this.dataSource.getRepository(ReportVersionEntity).findOneByOrFail({ reportId: report.id, versionNo: report.approvedVersion! }),
      this.dataSource.getRepository(ReportReviewEntity).findOneByOrFail({ reportId: report.id, versionNo: report.approvedVersion!, stage: 'head', decision: 'approved' }),
    ]);
    const approver = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: approval.reviewerId });
    const roles = await this.dataSource.getRepository(RoleAssignmentEntity).findBy({ personId: approver.id, unitId: unit.id, role: In([Role.Head, Role.Deputy]) });
    const asHead = roles.find((r) => r.role === Role.Head);
    const signer = reportSigner(unit, { fullName: approver.fullName, isDeputy: !asHead, title: (asHead ?? roles[0])?.title });
    const consolidation = await this.dataSource.getRepository(ConsolidationEntity).findOneBy({ cycleId: cycle.id, unitId: unit.id });
    const common = { form: formById(report.formId), values: version.values, unit, consolidatingUnit: consolidating, period: periodOf(cycle), year: cycle.year, signer, archiveDivision: division?.symbol ?? 'VP' };
    const consolidated = consolidation?.snapshot
      ? { templateKind: CONSOLIDATED_REPORT_KIND, subject: consolidatedReportSubject(cycle.year), content: consolidatedReportContent({ ...common, snapshot: consolidation.snapshot, units: await this.unitsNamedIn(unit, consolidation.snapshot) }) }
      : null;
    return {
      id: documentId,
      unitId: unit.id,
      documentType: REPORT_DOCUMENT.documentType,
      templateKind: consolidated?.templateKind ?? REPORT_DOCUMENT.templateKind,
      subject: consolidated?.subject ?? REPORT_DOCUMENT.subject(cycle.year),
      divisionId: division?.id ?? null,
      signerPersonId: approver.id,
      signerName: approver.fullName,
      recipients: consolidating ? [{ unitId: consolidating.id, name: consolidating.officialName }] : [],
      content: consolidated?.content ?? reportDocumentContent(common),
      approvedBy: approver.id,
    };
  }
}
