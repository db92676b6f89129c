import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { writeTransaction } from '../database/write-transaction';
import { ReportEntity } from '../reports/report.entity';
import { Clock } from '../shared/clock';
import { Job, JobOutcome, JobOutcomes, WorkerRegistration, WorkflowEngine } from '../workflow/workflow-engine';
import { DeadlineAlarmEntity, DeadlineAlarmKind } from './deadline-alarm.entity';
import { DeadlineNotices } from './deadline-notices';
import { REPORT_DEADLINE_JOBS } from './deadline-process';
import { DeadlinesService } from './deadlines.service';

const ALARM_KINDS: readonly DeadlineAlarmKind[] = ['reminder', 'deadline', 'escalation'];

/** Test switch: with false, a stale alarm (one the deadline in force no longer plans) is raised as it fires. */
export const deadlineGuards = { staleAlarmsSkipped: true };

/**
 * The service tasks of the deadline watch. `plan` reads the report's deadline afresh every time (so an
 * extension or an earlier district deadline moves the timers), by the rule the watch's start also uses;
 * `raise` records the alarm once and acts on it in the same transaction (the lateness is set here, by
 * the engine's timer), then answers the next alarm as `plan` would: one job an alarm, one engine step
 * fewer (a watch started before raise answered it still runs its plan task, which plans again).
 */
@Injectable()
export class DeadlineWorkers {
  private readonly logger = new Logger(DeadlineWorkers.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly deadlines: DeadlinesService,
    private readonly notices: DeadlineNotices,
    private readonly clock: Clock,
  ) {}

  register(): WorkerRegistration[] {
    return [this.engine.registerWorker(REPORT_DEADLINE_JOBS.plan, (job) => this.plan(job)), this.engine.registerWorker(REPORT_DEADLINE_JOBS.raise, (job) => this.raise(job))];
  }

  async plan(job: Job): Promise<JobOutcome> {
    return JobOutcomes.complete({ ...(await this.deadlines.planNextAlarm(await this.reportOf(job))) });
  }

  async raise(job: Job): Promise<JobOutcome> {
    const report = await this.reportOf(job);
    const kind = String(job.variables.alarmKind) as DeadlineAlarmKind;
    const dueAt = new Date(String(job.variables.alarmAt));
    if (!ALARM_KINDS.includes(kind) || Number.isNaN(dueAt.getTime())) return JobOutcomes.fail(`alarm ${kind} at ${String(job.variables.alarmAt)} is not one this watch plans`, 0);
    if (report.sentAt || report.onPaper) return JobOutcomes.complete({ ...(await this.deadlines.planNextAlarm(report)) });
    // A timer armed before the deadline moved, whose wake was lost: nothing to raise, plan from the deadline in force.
    if (deadlineGuards.staleAlarmsSkipped && !(await this.deadlines.plansAlarm(report, { kind, dueAt }))) {
      this.logger.warn(`report ${report.id}: ${kind} alarm at ${dueAt.toISOString()} is no longer planned by its deadline; not raised`);
      return JobOutcomes.complete({ ...(await this.deadlines.planNextAlarm(report)) });
    }
    await writeTransaction(this.dataSource, async (manager) => {
      if (await manager.existsBy(DeadlineAlarmEntity, { reportId: report.id, kind, dueAt })) return;
      const current = await manager.findOneByOrFail(ReportEntity, { id: report.id });
      if (kind === 'deadline' && !current.lateSince) await manager.update(ReportEntity, { id: report.id }, { lateSince: dueAt });
      const notified = await this.notices.notify(manager, current, kind, dueAt, await this.deadlines.effectiveDeadline(current, manager));
      await manager.insert(DeadlineAlarmEntity, { reportId: report.id, kind, dueAt, raisedAt: this.clock.now(), notified });
    });
    this.logger.debug(`report ${report.id}: ${kind} alarm raised`);
    // The next alarm, as the plan task would answer it: the watch goes on waiting without a second job.
    return JobOutcomes.complete({ ...(await this.deadlines.planNextAlarm(await this.reportOf(job))) });
  }

  private async reportOf(job: Job): Promise<ReportEntity> {
    return this.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: Number(job.variables.reportId) });
  }
}
