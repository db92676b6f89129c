import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { Actor } from '../access/actor';
import { AuditTrail } from '../audit/audit-trail.service';
import { AppConfig } from '../config/app-config';
import { ConsolidationEntity } from '../consolidation/consolidation.entity';
import { CycleEntity } from '../cycles/cycle.entity';
import { MissingHolidayCalendarError, WorkingDayCalendar } from '../cycles/working-days';
import { findInChunks } from '../database/find-in-chunks';
import { writeTransaction } from '../database/write-transaction';
import { UnitEntity } from '../organization/unit.entity';
import { ReportEntity } from '../reports/report.entity';
import { civilDateOf, isoCivilDate, officialShortDate } from '../shared/civil-date';
import { Clock } from '../shared/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../shared/errors';
import { WorkflowEngine } from '../workflow/workflow-engine';
import { DeadlineAlarmEntity } from './deadline-alarm.entity';
import { DEADLINE_CHANGED_MESSAGE, DEADLINE_WAKE_TTL_MS, PlannedAlarmVariables, REPORT_DEADLINE_PROCESS, REPORT_SENT, ReportDeadlineVariables, deadlineWatchBusinessKey, deadlineWatchKey } from './deadline-process';
import { PlannedAlarm, alarmKey, deadlineAlarms, nextAlarm } from './deadline-schedule';

/**
 * Deadlines of the cycle: the deadline each report must meet (its own extension, else the earlier
 * deadline its consolidating unit set, else the cycle's), the watch that raises the alarms, and the
 * changes that move a deadline — each wakes the watches concerned, so their timers follow.
 */
@Injectable()
export class DeadlinesService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly calendar: WorkingDayCalendar,
  ) {}

  async effectiveDeadline(report: ReportEntity, manager: EntityManager = this.dataSource.manager): Promise<Date> {
    if (report.deadlineAt) return report.deadlineAt;
    const unit = await manager.findOneByOrFail(UnitEntity, { id: report.unitId });
    if (unit.reportsToId !== null) {
      // Not the snapshot: once the receiver closed, it lists every unit below it (10,000 at national scale).
      const consolidation = await manager.findOne(ConsolidationEntity, { where: { cycleId: report.cycleId, unitId: unit.reportsToId }, select: { id: true, unitsDeadlineAt: true } });
      if (consolidation?.unitsDeadlineAt) return consolidation.unitsDeadlineAt;
    }
    return (await manager.findOneByOrFail(CycleEntity, { id: report.cycleId })).deadlineAt;
  }

  /**
   * The effective deadline of many reports at once, by report id: the same rule as `effectiveDeadline`,
   * in three queries whatever their number (a consolidation's dashboard lists every unit below it).
   */
  async effectiveDeadlines(reports: ReportEntity[], manager: EntityManager = this.dataSource.manager): Promise<Map<number, Date>> {
    const deadlines = new Map<number, Date>();
    const pending = reports.filter((report) => {
      if (report.deadlineAt) deadlines.set(report.id, report.deadlineAt);
      return !report.deadlineAt;
    });
    if (pending.length === 0) return deadlines;
    const cycleIds = [...new Set(pending.map((report) => report.cycleId))];
    const cycles = new Map((await manager.findBy(CycleEntity, { id: In(cycleIds) })).map((cycle) => [cycle.id, cycle]));
    const receiverOf = new Map((await findInChunks(manager, UnitEntity, 'id', pending.map((report) => report.unitId), {}, { id: true, reportsToId: true })).map((unit) => [unit.id, unit.reportsToId]));
    const unitsDeadline = new Map<string, Date>();
    for (const consolidation of await manager.find(ConsolidationEntity, { where: { cycleId: In(cycleIds) }, select: { cycleId: true, unitId: true, unitsDeadlineAt: true } })) {
      if (consolidation.unitsDeadlineAt) unitsDeadline.set(`${consolidation.cycleId}/${consolidation.unitId}`, consolidation.unitsDeadlineAt);
    }
    for (const report of pending) {
      const receiver = receiverOf.get(report.unitId);
      const cycle = cycles.get(report.cycleId);
      if (receiver === undefined || !cycle) throw new NotFoundError(`Đơn vị ${report.unitId} hoặc kỳ báo cáo ${report.cycleId}`);
      deadlines.set(report.id, (receiver !== null && unitsDeadline.get(`${report.cycleId}/${receiver}`)) || cycle.deadlineAt);
    }
    return deadlines;
  }

  /**
   * Starts the report's deadline watch unless it has one; idempotent. The watch starts with its first
   * alarm planned here (`planned`), by the rule its plan job applies: opening a cycle then costs no job
   * per unit. A cycle opened before its year's holidays are known (next year's, say) still opens: its
   * watches plan in their job, whose failure waits as an incident until the calendar is added.
   */
  async startWatch(report: ReportEntity): Promise<void> {
    if (report.deadlineWatchKey) return;
    const variables: ReportDeadlineVariables = { reportId: report.id, reportKey: deadlineWatchKey(report.id), reportSent: false, ...(await this.planHere(report, 'planned')) };
    const instance = await this.engine.startInstance({ bpmnProcessId: REPORT_DEADLINE_PROCESS.id, businessKey: deadlineWatchBusinessKey(report.id), variables: { ...variables } });
    await this.dataSource.getRepository(ReportEntity).update({ id: report.id }, { deadlineWatchKey: instance.instanceKey });
    report.deadlineWatchKey = instance.instanceKey;
  }

  /** The next alarm, planned here and flagged so (`planned` at start, `replanned` on a wake); false before the year's holidays are known. */
  private async planHere(report: ReportEntity, flag: 'planned' | 'replanned'): Promise<Partial<ReportDeadlineVariables>> {
    try {
      return { [flag]: true, ...(await this.planNextAlarm(report)) };
    } catch (error) {
      if (error instanceof MissingHolidayCalendarError) return { [flag]: false };
      throw error;
    }
  }

  /**
   * The watch's next step, read afresh: done once the report is sent, else the next alarm from the
   * effective deadline and the alarms already raised, else wait for a change. An extension granted
   * after the deadline passed lifts the lateness until the new one.
   */
  async planNextAlarm(report: ReportEntity): Promise<PlannedAlarmVariables> {
    if (report.sentAt || report.onPaper) return { next: 'done', alarmAt: null, alarmKind: null };
    const deadline = await this.effectiveDeadline(report);
    const now = this.clock.now();
    if (report.lateSince && now <= deadline) await this.dataSource.getRepository(ReportEntity).update({ id: report.id }, { lateSince: null });
    const alarms = await this.alarmsOf(report, deadline);
    const raised = await this.dataSource.getRepository(DeadlineAlarmEntity).findBy({ reportId: report.id });
    const next = nextAlarm(alarms, new Set(raised.map((r) => alarmKey(r))), now);
    if (!next) return { next: 'wait', alarmAt: null, alarmKind: null };
    return { next: 'alarm', alarmAt: next.dueAt.toISOString(), alarmKind: next.kind };
  }

  /**
   * Whether the deadline in force still plans this alarm. A watch's timer was armed for the deadline of
   * its last plan; if the deadline moved and the wake never came (the process stopped between the change
   * and the wakes), the timer is stale: raising it would remind, or mark late, by a deadline no longer
   * in force.
   */
  async plansAlarm(report: ReportEntity, alarm: PlannedAlarm): Promise<boolean> {
    const key = alarmKey(alarm);
    return (await this.alarmsOf(report, await this.effectiveDeadline(report))).some((planned) => alarmKey(planned) === key);
  }

  private async alarmsOf(report: ReportEntity, deadline: Date): Promise<PlannedAlarm[]> {
    const cycle = await this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: report.cycleId });
    return deadlineAlarms(deadline, { reminderOffsets: cycle.reminderOffsets, escalationDays: cycle.escalationDays }, this.calendar, this.config.civilTimeZone);
  }

  /**
   * Tells the watches of these reports (read after the deadline moved) their next alarm: each plans it
   * here, by the rule its plan job applies, so that the watch waits again without a job. Before the
   * year's holidays are known, the watch plans by its job (which waits as an incident until they are).
   */
  async wakeWatches(reports: ReportEntity[]): Promise<void> {
    for (const report of reports) await this.wake(report.id, await this.planHere(report, 'replanned'));
  }

  /** Tells the report's watch that the report was sent (on paper, say): it ends without planning again. */
  async endWatch(reportId: number): Promise<void> {
    await this.wake(reportId, { ...REPORT_SENT });
  }

  private async wake(reportId: number, variables: Record<string, unknown>): Promise<void> {
    await this.engine.publishMessage({ name: DEADLINE_CHANGED_MESSAGE, correlationKey: deadlineWatchKey(reportId), variables, timeToLiveMs: DEADLINE_WAKE_TTL_MS });
  }

  /** Extends (or moves) the deadline of the whole cycle; every unit without its own deadline follows. */
  async extendCycle(cycleId: number, deadline: Date, actor: Actor): Promise<CycleEntity> {
    const cycle = await this.dataSource.getRepository(CycleEntity).findOneBy({ id: cycleId });
    if (!cycle) throw new NotFoundError(`Kỳ báo cáo ${cycleId}`);
    this.requireFuture(deadline, 'deadline');
    const deadlineDay = isoCivilDate(deadline, this.config.civilTimeZone);
    if (cycle.periodEnd > deadlineDay) throw new ValidationFailedError([{ path: 'deadline', code: 'before-period-end', message: `Hạn báo cáo không được trước ngày kết thúc kỳ số liệu (${cycle.periodEnd})` }]);
    if (sameInstant(cycle.deadlineAt, deadline)) throw new ConflictError('Hạn của kỳ báo cáo đã như vậy: không có gì thay đổi', 'unchanged');
    await writeTransaction(this.dataSource, async (manager) => {
      await manager.update(CycleEntity, { id: cycle.id }, { deadlineAt: deadline });
      await this.audit.record(manager, { actor, action: 'cycle.deadline-changed', subject: { type: 'cycle', id: cycle.id }, cycleId: String(cycle.id), before: { deadlineAt: cycle.deadlineAt }, after: { deadlineAt: deadline } });
    });
    await this.wakeWatches(await this.dataSource.getRepository(ReportEntity).findBy({ cycleId: cycle.id, sentAt: IsNull(), onPaper: false }));
    return this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: cycle.id });
  }

  /** A deadline for one unit alone (an extension granted to it); null returns it to the common one. */
  async setUnitDeadline(reportId: number, deadline: Date | null, actor: Actor): Promise<ReportEntity> {
    const report = await this.dataSource.getRepository(ReportEntity).findOneBy({ id: reportId });
    if (!report) throw new NotFoundError(`Báo cáo ${reportId}`);
    if (report.sentAt || report.onPaper) throw new ConflictError('Báo cáo đã được gửi: không còn hạn để gia hạn', 'report-already-sent');
    if (deadline) this.requireFuture(deadline, 'deadline');
    if (sameInstant(report.deadlineAt, deadline)) throw new ConflictError('Hạn của đơn vị đã như vậy: không có gì thay đổi', 'unchanged');
    await writeTransaction(this.dataSource, async (manager) => {
      await manager.update(ReportEntity, { id: report.id }, { deadlineAt: deadline });
      await this.audit.record(manager, { actor, action: 'report.deadline-changed', subject: { type: 'report', id: report.id }, unitId: report.unitId, cycleId: String(report.cycleId), before: { deadlineAt: report.deadlineAt }, after: { deadlineAt: deadline } });
    });
    await this.wakeWatches([await this.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: report.id })]);
    // Read again: planning the watch's next alarm lifts a lateness the extension ended.
    return this.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: report.id });
  }

  /** A consolidating unit's own deadline for the units reporting to it (a district for its communes): no later than its own. */
  async setUnitsDeadline(consolidationId: number, deadline: Date | null, actor: Actor): Promise<ConsolidationEntity> {
    const consolidation = await this.dataSource.getRepository(ConsolidationEntity).findOneBy({ id: consolidationId });
    if (!consolidation) throw new NotFoundError(`Tổng hợp ${consolidationId}`);
    if (consolidation.status === 'closed') throw new ConflictError('Đã chốt số liệu: không thể đổi hạn của các đơn vị', 'consolidation-closed');
    if (deadline) {
      this.requireFuture(deadline, 'deadline');
      const ownReport = await this.dataSource.getRepository(ReportEntity).findOneBy({ cycleId: consolidation.cycleId, unitId: consolidation.unitId });
      const own = ownReport ? await this.effectiveDeadline(ownReport) : (await this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: consolidation.cycleId })).deadlineAt;
      if (deadline > own) throw new ValidationFailedError([{ path: 'deadline', code: 'after-own-deadline', message: `Hạn của các đơn vị phải sớm hơn hoặc bằng hạn báo cáo của đơn vị tổng hợp (${officialShortDate(civilDateOf(own))})` }]);
    }
    if (sameInstant(consolidation.unitsDeadlineAt, deadline)) throw new ConflictError('Hạn của các đơn vị đã như vậy: không có gì thay đổi', 'unchanged');
    await writeTransaction(this.dataSource, async (manager) => {
      await manager.update(ConsolidationEntity, { id: consolidation.id }, { unitsDeadlineAt: deadline });
      await this.audit.record(manager, { actor, action: 'consolidation.units-deadline-changed', subject: { type: 'consolidation', id: consolidation.id }, unitId: consolidation.unitId, cycleId: String(consolidation.cycleId), before: { unitsDeadlineAt: consolidation.unitsDeadlineAt }, after: { unitsDeadlineAt: deadline } });
    });
    const units = await this.dataSource.getRepository(UnitEntity).findBy({ reportsToId: consolidation.unitId });
    const waiting = await this.dataSource.getRepository(ReportEntity).findBy({ cycleId: consolidation.cycleId, unitId: In(units.map((u) => u.id)), sentAt: IsNull(), onPaper: false });
    await this.wakeWatches(waiting);
    return this.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ id: consolidation.id });
  }

  private requireFuture(deadline: Date, path: string): void {
    if (Number.isNaN(deadline.getTime())) throw new ValidationFailedError([{ path, code: 'format', message: 'Hạn báo cáo không phải là một thời điểm hợp lệ' }]);
    if (deadline <= this.clock.now()) throw new ValidationFailedError([{ path, code: 'past', message: 'Hạn báo cáo mới phải ở tương lai' }]);
  }
}

/** A change that changes nothing is refused (409), so a repeated request never writes an audit event. */
function sameInstant(a: Date | null, b: Date | null): boolean {
  return a === null || b === null ? a === b : a.getTime() === b.getTime();
}
