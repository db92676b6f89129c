import { writeTransaction } from '../database/write-transaction';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditTrail } from '../audit/audit-trail.service';
import { CycleEntity } from '../cycles/cycle.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { Notifier } from '../notifications/notifier';
import { Clock } from '../shared/clock';
import { ConflictError } from '../shared/errors';
import { WorkflowEngine } from '../workflow/workflow-engine';
import { formById, formForYear } from './form/form-definition';
import { DataPeriod, validateReport } from './form/report-validation';
import { ReportValues, emptyReportValues } from './form/report-values';
import { FieldChange, diffVersions } from './form/version-diff';
import { ReportForbiddenError, ReportNotFoundError, ReportStateError, ReportValidationError } from './report-errors';
import { UNIT_REPORT_PROCESS, UNIT_REPORT_TASKS, reportBusinessKey, unitReportVariables } from './report-process';
import { EvidenceFiles, UploadedEvidence, checkEvidence, utf8FileName } from './evidence-files';
import { ReportEvidenceEntity } from './report-evidence.entity';
import { ReportReviewEntity, ReviewDecision, ReviewStage } from './report-review.entity';
import { ReportVersionEntity } from './report-version.entity';
import { ReportEntity } from './report.entity';

/** Who is acting: the authenticated person. */
export interface Actor {
  personId: number;
  login: string;
}

const EDITABLE: ReportEntity['status'][] = ['not-started', 'drafting', 'returned'];
const REVIEW_TASKS: Record<string, ReviewStage> = { [UNIT_REPORT_TASKS.divisionReview]: 'division', [UNIT_REPORT_TASKS.headReview]: 'head' };

/**
 * One unit's report from draft to approval. Every step that moves the report goes through the
 * process (the engine's user tasks), never around it: submitting completes the draft task, a
 * review completes the review task. Rows are written first and the task completed after; a retry
 * after a crash between the two finds the rows and only completes the task.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
    private readonly evidenceFiles: EvidenceFiles,
    private readonly notifier: Notifier,
  ) {}

  /** Creates the unit's report for the cycle and starts its process; idempotent by (cycle, unit). */
  /** `divisionReview` defaults to the unit's own setting. */
  async startReport(cycle: CycleEntity, unit: UnitEntity, options: { divisionReview?: boolean; deadline?: Date } = {}): Promise<ReportEntity> {
    const reports = this.dataSource.getRepository(ReportEntity);
    let report = await reports.findOneBy({ cycleId: cycle.id, unitId: unit.id });
    if (!report) {
      await reports.insert({
        cycleId: cycle.id,
        unitId: unit.id,
        formId: formForYear(cycle.year).id,
        status: 'not-started',
        draftValues: emptyReportValues(),
        divisionReview: options.divisionReview ?? unit.divisionReview,
        processInstanceKey: null,
        currentVersion: 0,
        approvedVersion: null,
        issuedDocumentId: null,
        updatedAt: this.clock.now(),
      });
      report = await reports.findOneByOrFail({ cycleId: cycle.id, unitId: unit.id });
    }
    if (!report.processInstanceKey) {
      const units = this.dataSource.getRepository(UnitEntity);
      const consolidates = await units.existsBy({ reportsToId: unit.id });
      const receiver = unit.reportsToId === null ? null : await units.findOneByOrFail({ id: unit.reportsToId });
      const instance = await this.engine.startInstance({
        bpmnProcessId: UNIT_REPORT_PROCESS.id,
        businessKey: reportBusinessKey(report.id),
        variables: { ...unitReportVariables(report, options.deadline ?? cycle.deadlineAt, { consolidates, submitsToTop: receiver !== null && receiver.reportsToId === null }) },
      });
      await reports.update({ id: report.id }, { processInstanceKey: instance.instanceKey });
      report.processInstanceKey = instance.instanceKey;
    }
    return report;
  }

  async getReport(reportId: number): Promise<ReportEntity> {
    const report = await this.dataSource.getRepository(ReportEntity).findOneBy({ id: reportId });
    if (!report) throw new ReportNotFoundError(`id ${reportId}`);
    return report;
  }

  /** Saves the working draft; it may be incomplete, but what it holds must be well-formed. */
  async saveDraft(reportId: number, values: unknown, actor: Actor): Promise<ReportEntity> {
    const report = await this.getReport(reportId);
    await this.requireRole(actor, report.unitId, [Role.Staff], 'soạn báo cáo');
    const cycle = await this.cycleOf(report);
    const errors = validateReport(formById(report.formId), values, 'draft', periodOf(cycle));
    if (errors.length > 0) throw new ReportValidationError(errors);
    if (!EDITABLE.includes(report.status)) throw new ReportStateError('Báo cáo đang được xem xét hoặc đã phê duyệt: không thể sửa');
    const draft = values as ReportValues;
    const normalized: ReportValues = { figures: draft.figures ?? {}, narratives: draft.narratives ?? {} };
    await writeTransaction(this.dataSource, async (manager) => {
      await manager.update(ReportEntity, { id: report.id }, { draftValues: normalized, status: report.status === 'not-started' ? 'drafting' : report.status, updatedAt: this.clock.now() });
      await this.audit.record(manager, { actor, action: 'report.draft-saved', subject: { type: 'report', id: report.id }, unitId: report.unitId, cycleId: String(report.cycleId), before: report.draftValues, after: normalized });
    });
    return this.getReport(reportId);
  }

  /**
   * The form's rules on values that are not saved (the report page as one types): 422 with every field
   * error, as a submission would give (the page leaves "required" aside until the person submits).
   */
  async checkValues(reportId: number, values: unknown): Promise<void> {
    const report = await this.getReport(reportId);
    const errors = validateReport(formById(report.formId), values, 'submit', periodOf(await this.cycleOf(report)));
    if (errors.length > 0) throw new ReportValidationError(errors);
  }

  /** Submits the draft for review: a new kept version, and the draft task completed. */
  async submit(reportId: number, actor: Actor): Promise<ReportEntity> {
    const report = await this.getReport(reportId);
    await this.requireRole(actor, report.unitId, [Role.Staff], 'trình báo cáo');
    const task = await this.openTask(report, [UNIT_REPORT_TASKS.draft]);
    if (!task) throw new ReportStateError('Báo cáo không ở bước soạn thảo: không thể trình');
    const interrupted = report.status === 'in-review';
    if (!interrupted) {
      const cycle = await this.cycleOf(report);
      const errors = validateReport(formById(report.formId), report.draftValues, 'submit', periodOf(cycle));
      if (errors.length > 0) throw new ReportValidationError(errors);
      await writeTransaction(this.dataSource, async (manager) => {
        const versionNo = report.currentVersion + 1;
        await manager.insert(ReportVersionEntity, { reportId: report.id, versionNo, values: report.draftValues, submittedBy: actor.personId, submittedAt: this.clock.now() });
        await manager.update(ReportEntity, { id: report.id }, { status: 'in-review', currentVersion: versionNo, updatedAt: this.clock.now() });
        await this.audit.record(manager, { actor, action: 'report.submitted', subject: { type: 'report', id: report.id }, unitId: report.unitId, cycleId: String(report.cycleId), after: report.draftValues, detail: { version: versionNo } });
        await this.notifyReviewers(manager, report, cycle, versionNo, report.divisionReview ? 'division' : 'head');
      });
    }
    await this.engine.completeUserTask(task.taskKey, {}, actor.login);
    return this.getReport(reportId);
  }

  /**
   * A reviewer approves or returns the submitted version, with comments for staff. `version`, when
   * given, is the version the reviewer read: a decision made on one version never lands on the next
   * (a return sent again after a lost answer, arriving once staff had resubmitted, returned the new
   * version too).
   */
  async review(reportId: number, decision: ReviewDecision, comment: string, actor: Actor, version?: number): Promise<ReportEntity> {
    const report = await this.getReport(reportId);
    if (version !== undefined && version !== report.currentVersion) {
      throw new ConflictError(`Báo cáo đã được trình lại (lần ${report.currentVersion}): ý kiến về lần ${version} không áp dụng cho bản mới`, 'report-version-changed');
    }
    const task = await this.openTask(report, Object.keys(REVIEW_TASKS));
    if (!task) throw new ReportStateError('Báo cáo không chờ xem xét');
    const stage = REVIEW_TASKS[task.elementId];
    await this.requireRole(actor, report.unitId, stage === 'division' ? [Role.DivisionHead] : [Role.Head, Role.Deputy], stage === 'division' ? 'xem xét báo cáo' : 'phê duyệt báo cáo');
    if (decision === 'returned' && comment.trim() === '') throw new ReportValidationError([{ path: 'comment', code: 'required', message: 'Cần ghi ý kiến khi trả lại báo cáo' }]);

    const existing = await this.dataSource.getRepository(ReportReviewEntity).findOneBy({ reportId: report.id, versionNo: report.currentVersion, stage });
    const outcome = existing?.decision ?? decision;
    if (!existing) {
      await writeTransaction(this.dataSource, async (manager) => {
        await manager.insert(ReportReviewEntity, { reportId: report.id, versionNo: report.currentVersion, stage, decision, comment, reviewerId: actor.personId, decidedAt: this.clock.now() });
        await manager.update(ReportEntity, { id: report.id }, statusAfterReview(report, stage, decision, this.clock.now()));
        await this.audit.record(manager, {
          actor,
          action: decision === 'approved' ? 'report.approved' : 'report.returned',
          subject: { type: 'report', id: report.id },
          unitId: report.unitId,
          cycleId: String(report.cycleId),
          detail: { version: report.currentVersion, stage, comment },
        });
        const cycle = await manager.findOneByOrFail(CycleEntity, { id: report.cycleId });
        if (decision === 'returned') await this.notifyReturned(manager, report, cycle, stage, comment);
        else if (stage === 'division') await this.notifyReviewers(manager, report, cycle, report.currentVersion, 'head');
      });
    }
    await this.engine.completeUserTask(task.taskKey, { decision: outcome }, actor.login);
    return this.getReport(reportId);
  }

  /**
   * Fills the draft's figures from the unit's approved report of the previous year, in the same data
   * set (codes mean other units in another data set). Narratives stay empty: they are the year's own.
   */
  async prefillFromPreviousYear(reportId: number, actor: Actor): Promise<ReportEntity> {
    const report = await this.getReport(reportId);
    await this.requireRole(actor, report.unitId, [Role.Staff], 'soạn báo cáo');
    if (!EDITABLE.includes(report.status)) throw new ReportStateError('Báo cáo đang được xem xét hoặc đã phê duyệt: không thể sửa');
    const cycle = await this.cycleOf(report);
    const previousCycle = await this.dataSource.getRepository(CycleEntity).findOneBy({ dataSetId: cycle.dataSetId, year: cycle.year - 1 });
    const previous = previousCycle ? await this.dataSource.getRepository(ReportEntity).findOneBy({ cycleId: previousCycle.id, unitId: report.unitId }) : null;
    if (!previous || previous.approvedVersion === null) throw new ReportNotFoundError(`báo cáo đã phê duyệt năm ${cycle.year - 1} của đơn vị`);
    const approved = await this.dataSource.getRepository(ReportVersionEntity).findOneByOrFail({ reportId: previous.id, versionNo: previous.approvedVersion });
    const form = formById(report.formId);
    const figures: ReportValues['figures'] = {};
    for (const section of form.sections) {
      for (const field of section.fields) {
        const value = approved.values.figures[section.key]?.[field.key];
        if (value !== undefined && value !== null && !field.withinPeriod) (figures[section.key] ??= {})[field.key] = value;
      }
    }
    return this.saveDraft(reportId, { figures, narratives: report.draftValues.narratives }, actor);
  }

  /** Attaches a checked file to the report (any time before approval), stored once by its hash. */
  async attachEvidence(reportId: number, file: UploadedEvidence | undefined, actor: Actor): Promise<ReportEvidenceEntity> {
    const report = await this.getReport(reportId);
    await this.requireRole(actor, report.unitId, [Role.Staff], 'đính kèm minh chứng');
    if (report.status === 'approved' || report.status === 'issued') throw new ReportStateError('Báo cáo đã phê duyệt: không thể đính kèm thêm');
    checkEvidence(file);
    const upload = file!;
    const sha256 = await this.evidenceFiles.put(upload.buffer);
    return writeTransaction(this.dataSource, async (manager) => {
      const row = manager.create(ReportEvidenceEntity, { reportId, fileName: utf8FileName(upload.originalname), mediaType: upload.mimetype, sizeBytes: upload.size, sha256, uploadedBy: actor.personId, uploadedAt: this.clock.now() });
      await manager.save(row);
      await this.audit.record(manager, { actor, action: 'report.evidence-attached', subject: { type: 'report', id: reportId }, unitId: report.unitId, cycleId: String(report.cycleId), detail: { evidenceId: row.id, fileName: row.fileName, sha256 } });
      return row;
    });
  }

  async evidence(reportId: number): Promise<ReportEvidenceEntity[]> {
    return this.dataSource.getRepository(ReportEvidenceEntity).find({ where: { reportId }, order: { id: 'ASC' } });
  }

  async versions(reportId: number): Promise<ReportVersionEntity[]> {
    return this.dataSource.getRepository(ReportVersionEntity).find({ where: { reportId }, order: { versionNo: 'ASC' } });
  }

  async reviews(reportId: number): Promise<ReportReviewEntity[]> {
    return this.dataSource.getRepository(ReportReviewEntity).find({ where: { reportId }, order: { versionNo: 'ASC', id: 'ASC' } });
  }

  /** Field-by-field differences between two submitted versions. */
  async diff(reportId: number, fromVersion: number, toVersion: number): Promise<FieldChange[]> {
    const report = await this.getReport(reportId);
    const rows = await this.dataSource.getRepository(ReportVersionEntity).findBy({ reportId, versionNo: In([fromVersion, toVersion]) });
    const from = rows.find((r) => r.versionNo === fromVersion);
    const to = rows.find((r) => r.versionNo === toVersion);
    if (!from || !to) throw new ReportNotFoundError(`phiên bản ${!from ? fromVersion : toVersion} của báo cáo ${reportId}`);
    return diffVersions(formById(report.formId), from.values, to.values);
  }

  /** Tells the people who review the version at this stage that it waits for them (in the same transaction). */
  private async notifyReviewers(manager: EntityManager, report: ReportEntity, cycle: CycleEntity, versionNo: number, stage: ReviewStage): Promise<void> {
    const unit = await manager.findOneByOrFail(UnitEntity, { id: report.unitId });
    await this.notifier.notify(
      {
        recipients: { unitRoles: [{ unitId: unit.id, roles: stage === 'division' ? [Role.DivisionHead] : [Role.Head, Role.Deputy] }] },
        kind: 'report.submitted',
        title: `Báo cáo ISO năm ${cycle.year} của ${unit.name} chờ ${stage === 'division' ? 'xem xét' : 'phê duyệt'}`,
        body: `Báo cáo tình hình duy trì hệ thống quản lý chất lượng ISO năm ${cycle.year} của ${unit.name} (lần trình ${versionNo}) đã được trình và đang chờ ${stage === 'division' ? 'trưởng phòng xem xét' : 'thủ trưởng đơn vị phê duyệt'}.`,
        link: `/reports/${report.id}`,
        cycleId: cycle.id,
        unitId: unit.id,
        dedupeKey: `report.submitted:report:${report.id}:v${versionNo}:${stage}`,
      },
      manager,
    );
  }

  /** Tells the unit's staff that the report came back, with the reviewer's comment. */
  private async notifyReturned(manager: EntityManager, report: ReportEntity, cycle: CycleEntity, stage: ReviewStage, comment: string): Promise<void> {
    const unit = await manager.findOneByOrFail(UnitEntity, { id: report.unitId });
    await this.notifier.notify(
      {
        recipients: { unitRoles: [{ unitId: unit.id, roles: [Role.Staff] }] },
        kind: 'report.returned',
        title: `Báo cáo ISO năm ${cycle.year} của ${unit.name} bị trả lại`,
        body: `${stage === 'division' ? 'Trưởng phòng' : 'Thủ trưởng đơn vị'} đã trả lại báo cáo (lần trình ${report.currentVersion}) để chỉnh sửa.\nÝ kiến: ${comment.trim()}`,
        link: `/reports/${report.id}`,
        cycleId: cycle.id,
        unitId: unit.id,
        dedupeKey: `report.returned:report:${report.id}:v${report.currentVersion}:${stage}`,
      },
      manager,
    );
  }

  private async openTask(report: ReportEntity, elementIds: string[]) {
    if (!report.processInstanceKey) return null;
    const tasks = await this.engine.listUserTasks({ instanceKey: report.processInstanceKey, state: 'created' });
    return tasks.find((t) => elementIds.includes(t.elementId)) ?? null;
  }

  private async cycleOf(report: ReportEntity): Promise<CycleEntity> {
    return this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: report.cycleId });
  }

  private async requireRole(actor: Actor, unitId: number, roles: Role[], act: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    const allowed = await manager.existsBy(RoleAssignmentEntity, { personId: actor.personId, unitId, role: In(roles) });
    if (!allowed) throw new ReportForbiddenError(`Không có quyền ${act} của đơn vị này`);
  }
}

export function periodOf(cycle: CycleEntity): DataPeriod {
  return { start: cycle.periodStart, end: cycle.periodEnd };
}

function statusAfterReview(report: ReportEntity, stage: ReviewStage, decision: ReviewDecision, now: Date): Partial<ReportEntity> {
  if (decision === 'returned') return { status: 'returned', updatedAt: now };
  if (stage === 'head') return { status: 'approved', approvedVersion: report.currentVersion, updatedAt: now };
  return { updatedAt: now };
}
