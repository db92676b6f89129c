import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { IssuePipeline } from '../documents/issuing/issue-pipeline';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { deterministicUuid } from '../shared/deterministic-uuid';
import { Job, JobOutcome, JobOutcomes, WorkerRegistration, WorkflowEngine } from '../workflow/workflow-engine';
import { formById } from './form/form-definition';
import { REPORT_DOCUMENT, reportDocumentContent, reportDocumentContext, reportSigner } from './report-document';
import { UNIT_REPORT_JOBS } from './report-process';
import { ReportReviewEntity } from './report-review.entity';
import { ReportVersionEntity } from './report-version.entity';
import { ReportEntity } from './report.entity';
import { periodOf } from './reports.service';

/** Message that tells a consolidation a report of one of its units has arrived. */
export const REPORT_RECEIVED_MESSAGE = 'report-received';
/** Correlation key of a consolidation: the cycle and the consolidating unit. */
export const consolidationKey = (cycleId: number, unitId: number) => `cycle:${cycleId}:unit:${unitId}`;
/** How long a report-received message waits for its consolidation to subscribe. */
const MESSAGE_TTL_MS = 400 * 24 * 3600 * 1000;

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
  ) {}

  register(): WorkerRegistration[] {
    return [this.engine.registerWorker(UNIT_REPORT_JOBS.issue, (job) => this.issue(job)), this.engine.registerWorker(UNIT_REPORT_JOBS.send, (job) => this.send(job))];
  }

  /** Number, render, store and register the approved version; send it to the consolidating unit. */
  async issue(job: Job): Promise<JobOutcome> {
    const report = await this.reportOf(job);
    if (report.approvedVersion === null) return JobOutcomes.fail(`report ${report.id} has no approved version`, 0);
    const documentId = deterministicUuid(`report:${report.id}:v${report.approvedVersion}`);
    const approved = await this.approvedDocument(report, documentId);
    const document = await this.pipeline.issue(approved);
    await this.dataSource.getRepository(ReportEntity).update({ id: report.id }, { status: 'issued', issuedDocumentId: document.id });
    return JobOutcomes.complete({ documentId: document.id });
  }

  /** Tells the consolidating unit's consolidation (by message, buffered until it listens). */
  async send(job: Job): Promise<JobOutcome> {
    const report = await this.reportOf(job);
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: report.unitId });
    if (unit.reportsToId === null) return JobOutcomes.complete();
    await this.engine.publishMessage({
      name: REPORT_RECEIVED_MESSAGE,
      correlationKey: consolidationKey(report.cycleId, unit.reportsToId),
      variables: { receivedReportId: report.id },
      timeToLiveMs: MESSAGE_TTL_MS,
    });
    return JobOutcomes.complete();
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
    return {
      id: documentId,
      unitId: unit.id,
      documentType: REPORT_DOCUMENT.documentType,
      templateKind: REPORT_DOCUMENT.templateKind,
      subject: REPORT_DOCUMENT.subject(cycle.year),
      divisionId: division?.id ?? null,
      signerPersonId: approver.id,
      signerName: approver.fullName,
      recipients: consolidating ? [{ unitId: consolidating.id, name: consolidating.officialName }] : [],
      content: reportDocumentContent({
        form: formById(report.formId),
        values: version.values,
        unit,
        consolidatingUnit: consolidating,
        period: periodOf(cycle),
        year: cycle.year,
        signer,
        archiveDivision: division?.symbol ?? 'VP',
      }),
      approvedBy: approver.id,
    };
  }
}
