import { isUniqueViolation, writeTransaction } from '../database/write-transaction';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { UserTask, WorkflowEngine, WorkflowEvent } from '../workflow/workflow-engine';
import { InboxTaskCandidateEntity, InboxTaskEntity } from './inbox-task.entity';

/**
 * Keeps `inbox_tasks` in step with the engine's user tasks, from the port's events. Writes are
 * idempotent (keyed by task key), so an event delivered twice, or replayed by `resync`, is harmless.
 */
@Injectable()
export class InboxProjection implements OnModuleDestroy {
  private readonly logger = new Logger(InboxProjection.name);
  private unsubscribe?: () => void;
  /** Events are applied one after another, in the order the engine emitted them. */
  private queue: Promise<void> = Promise.resolve();
  /** Task events received while the queue was busy: written together, in one transaction. */
  private pending: { task: UserTask; state: InboxTaskEntity['state'] }[] = [];

  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
  ) {}

  /** Starts following the engine; call once the engine is started. */
  attach(): void {
    this.unsubscribe ??= this.engine.onEvent((event) => {
      const state = INBOX_STATE_AFTER[event.type];
      if (!state || !('task' in event)) return;
      this.pending.push({ task: event.task, state });
      // The first event of a batch queues its writing; those after it join the batch until it starts.
      if (this.pending.length === 1) this.queue = this.queue.then(() => this.applyPending());
    });
  }

  /** Resolves when every event received so far is written. */
  settled(): Promise<void> {
    return this.queue;
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  /**
   * Rebuilds the open tasks from the engine (after a restart, or for an engine without durable events).
   * A task the inbox still shows open but the engine no longer lists as open was closed while its
   * event was lost (the process died after the engine's commit, before this projection's): it takes
   * the engine's own record — completed, by whom and when, or cancelled — never a guess (it used to be
   * marked cancelled, so a draft task completed just before a SIGKILL showed up as cancelled; found by
   * the soak test on MariaDB). Runs in the event queue, so no event is applied halfway through it.
   */
  async resync(): Promise<void> {
    const run = this.queue.then(() => this.rebuild());
    this.queue = run.catch((error) => this.logger.error(`inbox resync: ${(error as Error).message}`));
    return run;
  }

  private async rebuild(): Promise<void> {
    const open = await this.engine.listUserTasks({ state: 'created' });
    const openKeys = new Set(open.map((t) => t.taskKey));
    const shown = await this.dataSource.getRepository(InboxTaskEntity).find({ where: { state: 'open' }, select: ['taskKey'] });
    const closed: { taskKey: string; task: UserTask | null }[] = [];
    for (const { taskKey } of shown.filter((t) => !openKeys.has(t.taskKey))) {
      closed.push({ taskKey, task: await this.engine.getUserTask(taskKey).catch(() => null) });
    }
    await this.write(async (manager) => {
      for (const { taskKey, task } of closed) {
        if (task && task.state !== 'created') await this.upsert(manager, task, task.state);
        else if (!task) await manager.update(InboxTaskEntity, { taskKey }, { state: 'cancelled' }); // the engine does not know it (any more)
      }
      for (const task of open) await this.upsert(manager, task, 'open');
    });
  }

  /**
   * Writes the events received so far in one transaction (a step that completes a task opens the next:
   * two events, one commit). If the batch fails, each event is written on its own, so that one bad
   * event loses only itself (until the next resync).
   */
  private async applyPending(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      await this.write(async (manager) => {
        for (const { task, state } of batch) await this.upsert(manager, task, state);
      });
    } catch {
      for (const { task, state } of batch) {
        await this.write((manager) => this.upsert(manager, task, state)).catch((error) => this.logger.error(`inbox projection: task ${task.taskKey}: ${(error as Error).message}`));
      }
    }
  }

  /**
   * Several application processes (zeebe engine) each announce the same new task: two may insert its
   * row at once, and the second is refused by the primary key; written again, it finds the row and updates it.
   */
  private write(work: (manager: EntityManager) => Promise<void>): Promise<void> {
    return writeTransaction(this.dataSource, work).catch((error) => (isUniqueViolation(error) ? writeTransaction(this.dataSource, work) : Promise.reject(error)));
  }

  private async upsert(manager: EntityManager, task: UserTask, state: InboxTaskEntity['state']): Promise<void> {
    const variables = task.variables as { cycleId?: number; unitId?: number; reportId?: number };
    const row: InboxTaskEntity = {
      taskKey: task.taskKey,
      instanceKey: task.instanceKey,
      bpmnProcessId: task.bpmnProcessId,
      elementId: task.elementId,
      name: task.name ?? task.elementId,
      state,
      cycleId: typeof variables.cycleId === 'number' ? variables.cycleId : null,
      unitId: typeof variables.unitId === 'number' ? variables.unitId : null,
      subject: task.businessKey,
      assignee: task.assignee,
      dueAt: task.dueDate ? new Date(task.dueDate) : null,
      createdAt: task.createdAt,
      completedAt: task.completedAt,
      completedBy: task.completedBy,
    };
    const exists = await manager.existsBy(InboxTaskEntity, { taskKey: task.taskKey });
    if (exists) {
      await manager.update(InboxTaskEntity, { taskKey: task.taskKey }, row);
      return;
    }
    await manager.insert(InboxTaskEntity, row);
    const candidates = [...task.candidateGroups.map((g) => `group:${g}`), ...task.candidateUsers.map((u) => `user:${u}`)];
    if (candidates.length > 0) await manager.insert(InboxTaskCandidateEntity, candidates.map((candidate) => ({ taskKey: task.taskKey, candidate })));
  }
}

/** The inbox row's state after each user-task event (other events do not touch the inbox). */
const INBOX_STATE_AFTER: Partial<Record<WorkflowEvent['type'], InboxTaskEntity['state']>> = {
  userTaskCreated: 'open',
  userTaskAssigned: 'open',
  userTaskCompleted: 'completed',
  userTaskCancelled: 'cancelled',
};
