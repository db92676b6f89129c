import { Injectable, Logger } from '@nestjs/common';
import { DataSource, In, Not, IsNull } from 'typeorm';
import { PersonEntity } from '../organization/person.entity';
import { UserTask, WorkflowEngine } from '../workflow/workflow-engine';
import { completeLeftOpenTask } from './complete-left-open';
import { UNIT_REPORT_PROCESS, UNIT_REPORT_TASKS } from './report-process';
import { ReportReviewEntity, ReviewStage } from './report-review.entity';
import { ReportVersionEntity } from './report-version.entity';
import { ReportEntity } from './report.entity';

const REVIEW_STAGES: Record<string, ReviewStage> = { [UNIT_REPORT_TASKS.divisionReview]: 'division', [UNIT_REPORT_TASKS.headReview]: 'head' };

/** What one start reconciled: the tasks it completed, and those it could not. */
export interface ReconciliationResult {
  completed: { reportId: number; taskKey: string; elementId: string }[];
  failed: { reportId: number; taskKey: string; message: string }[];
}

/**
 * Finishes at start what a crash cut in half. Submitting and reviewing commit their rows first and
 * complete the engine's task second (ReportsService); a process killed between the two leaves a
 * report `in-review` with its draft task still open, or a review recorded (`approved`, `returned`,
 * a division's approval) with its review task still open, and the process waits there for nobody.
 * For each such report this completes the open task exactly as the service would have — the draft
 * task with no variables, the review task with the recorded decision — in the name of the person
 * who acted. Idempotent: a task already completed is no longer open, so a second start finds nothing.
 */
@Injectable()
export class ReportReconciliation {
  private readonly logger = new Logger(ReportReconciliation.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
  ) {}

  /** Call once the engine has started and the processes are deployed, before serving requests. */
  async reconcile(): Promise<ReconciliationResult> {
    const result: ReconciliationResult = { completed: [], failed: [] };
    const reports = await this.dataSource.getRepository(ReportEntity).findBy({ status: In(['in-review', 'approved', 'returned']), processInstanceKey: Not(IsNull()) });
    if (reports.length === 0) return result;
    const open = new Map<string, UserTask[]>();
    for (const task of await this.engine.listUserTasks({ bpmnProcessId: UNIT_REPORT_PROCESS.id, state: 'created' })) {
      open.set(task.instanceKey, [...(open.get(task.instanceKey) ?? []), task]);
    }
    for (const report of reports) {
      for (const task of open.get(report.processInstanceKey!) ?? []) {
        const step = await this.recordedStep(report, task);
        if (!step) continue;
        try {
          if (!(await completeLeftOpenTask(this.engine, task.taskKey, step.variables, step.actor))) continue;
          result.completed.push({ reportId: report.id, taskKey: task.taskKey, elementId: task.elementId });
          this.logger.log(`report ${report.id}: ${task.elementId} completed at start (${step.what} was recorded, the engine step was not)`);
        } catch (error) {
          result.failed.push({ reportId: report.id, taskKey: task.taskKey, message: (error as Error).message });
          this.logger.error(`report ${report.id}: ${task.elementId} could not be completed at start: ${(error as Error).message}`);
        }
      }
    }
    return result;
  }

  /** The step the database says was taken on this open task, with what the service sends the engine for it. */
  private async recordedStep(report: ReportEntity, task: UserTask): Promise<{ what: string; variables: Record<string, unknown>; actor: string } | null> {
    if (task.elementId === UNIT_REPORT_TASKS.draft) {
      // `in-review` is written in the submission's transaction, with its version; a return sets `returned`.
      if (report.status !== 'in-review') return null;
      const version = await this.dataSource.getRepository(ReportVersionEntity).findOneBy({ reportId: report.id, versionNo: report.currentVersion });
      if (!version) return null;
      return { what: `submission of version ${version.versionNo}`, variables: {}, actor: await this.loginOf(version.submittedBy) };
    }
    const stage = REVIEW_STAGES[task.elementId];
    if (!stage) return null;
    // The review of this round is the one of the current version at the task's stage.
    const review = await this.dataSource.getRepository(ReportReviewEntity).findOneBy({ reportId: report.id, versionNo: report.currentVersion, stage });
    if (!review) return null;
    return { what: `${stage} review of version ${review.versionNo} (${review.decision})`, variables: { decision: review.decision }, actor: await this.loginOf(review.reviewerId) };
  }

  private async loginOf(personId: number): Promise<string> {
    return (await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: personId })).login;
  }
}
