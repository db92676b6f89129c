import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { CycleEntity } from '../cycles/cycle.entity';
import { WorkingDayCalendar } from '../cycles/working-days';
import { writeTransaction } from '../database/write-transaction';
import { ReportEntity } from '../reports/report.entity';
import { Clock } from '../shared/clock';
import { Job, JobOutcome, JobOutcomes, WorkerRegistration, WorkflowEngine } from '../workflow/workflow-engine';
import { DeadlineAlarmEntity, DeadlineAlarmKind } from './deadline-alarm.entity';
import { DeadlineNotices } from './deadline-notices';
import { PlannedAlarmVariables, REPORT_DEADLINE_JOBS } from './deadline-process';
import { alarmKey, deadlineAlarms, nextAlarm } from './deadline-schedule';
import { DeadlinesService } from './deadlines.service';

const ALARM_KINDS: readonly DeadlineAlarmKind[] = ['reminder', 'deadline', 'escalation'];

/**
 * The service tasks of the deadline watch. `plan` reads the report's deadline afresh every time (so an
 * extension or an earlier district deadline moves the timers); `raise` records the alarm once and
 * acts on it in the same transaction: the lateness is set here, by the engine's timer.
 */
@Injectable()
export class DeadlineWorkers {
  private readonly logger = new Logger(DeadlineWorkers.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly deadlines: DeadlinesService,
    private readonly notices: DeadlineNotices,
    private readonly calendar: WorkingDayCalendar,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  register(): WorkerRegistration[] {
    return [this.engine.registerWorker(REPORT_DEADLINE_JOBS.plan, (job) => this.plan(job)), this.engine.registerWorker(REPORT_DEADLINE_JOBS.raise, (job) => this.raise(job))];
  }

  async plan(job: Job): Promise<JobOutcome> {
    const report = await this.reportOf(job);
    if (report.sentAt || report.onPaper) return JobOutcomes.complete(planned('done'));
    const cycle = await this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: report.cycleId });
    const deadline = await this.deadlines.effectiveDeadline(report);
    const now = this.clock.now();
    // An extension granted after the deadline passed lifts the lateness until the new one.
    if (report.lateSince && now <= deadline) await this.dataSource.getRepository(ReportEntity).update({ id: report.id }, { lateSince: null });
    const alarms = deadlineAlarms(deadline, { reminderOffsets: cycle.reminderOffsets, escalationDays: cycle.escalationDays }, this.calendar, this.config.civilTimeZone);
    const raised = await this.dataSource.getRepository(DeadlineAlarmEntity).findBy({ reportId: report.id });
    const next = nextAlarm(alarms, new Set(raised.map((r) => alarmKey(r))), now);
    if (!next) return JobOutcomes.complete(planned('wait'));
    return JobOutcomes.complete(planned('alarm', next.dueAt.toISOString(), next.kind));
  }

  async raise(job: Job): Promise<JobOutcome> {
    const report = await this.reportOf(job);
    const kind = String(job.variables.alarmKind) as DeadlineAlarmKind;
    const dueAt = new Date(String(job.variables.alarmAt));
    if (!ALARM_KINDS.includes(kind) || Number.isNaN(dueAt.getTime())) return JobOutcomes.fail(`alarm ${kind} at ${String(job.variables.alarmAt)} is not one this watch plans`, 0);
    if (report.sentAt || report.onPaper) return JobOutcomes.complete();
    await writeTransaction(this.dataSource, async (manager) => {
      if (await manager.existsBy(DeadlineAlarmEntity, { reportId: report.id, kind, dueAt })) return;
      const current = await manager.findOneByOrFail(ReportEntity, { id: report.id });
      if (kind === 'deadline' && !current.lateSince) await manager.update(ReportEntity, { id: report.id }, { lateSince: dueAt });
      const notified = await this.notices.notify(manager, current, kind, dueAt, await this.deadlines.effectiveDeadline(current, manager));
      await manager.insert(DeadlineAlarmEntity, { reportId: report.id, kind, dueAt, raisedAt: this.clock.now(), notified });
    });
    this.logger.debug(`report ${report.id}: ${kind} alarm raised`);
    return JobOutcomes.complete();
  }

  private async reportOf(job: Job): Promise<ReportEntity> {
    return this.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: Number(job.variables.reportId) });
  }
}

function planned(next: PlannedAlarmVariables['next'], alarmAt: string | null = null, alarmKind: string | null = null): Record<string, unknown> {
  const variables: PlannedAlarmVariables = { next, alarmAt, alarmKind };
  return { ...variables };
}
