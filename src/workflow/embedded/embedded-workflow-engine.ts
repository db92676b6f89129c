import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager, In, IsNull, LessThanOrEqual, MoreThan } from 'typeorm';
import { Clock } from '../../shared/clock';
import {
  BpmnResource,
  DeployedProcess,
  HistoryEntry,
  Incident,
  InstanceState,
  InstanceTreeNode,
  Job,
  JobHandler,
  JobOutcome,
  ProcessInstanceRef,
  PublishMessageRequest,
  PublishMessageResult,
  StartInstanceRequest,
  UserTask,
  UserTaskFilter,
  Variables,
  WorkerRegistration,
  WorkflowEngine,
  WorkflowError,
  WorkflowEvent,
  WorkflowEventListener,
} from '../workflow-engine';
import { catchesError, DeploymentRegistry, LoadedDeployment } from './deployment-registry';
import { EngineLock } from './engine-lock';
import { ActiveEntry, InstanceRun, OpenRows, StepChanges } from './instance-run';
import { SqlRows, Statement } from './sql-rows';
import { OpenTransactionError, runInSqliteQueue } from '../../database/sqlite-transactions';
import { nextStartTimer } from './start-timers';
import { WfBufferedMessage, WfCall, WfHistory, WfIncident, WfInstance, WfJob, WfMessageSubscription, WfTimer, WfUserTask } from './workflow.entities';

export interface EmbeddedEngineOptions {
  /** How often the scheduler looks for due timers and retries; 0 disables it (tests call `runDueTimers`). Default 1000. */
  schedulerIntervalMs?: number;
  /** After how long without heartbeat another process may take the engine lock. Default 30 s. */
  lockStaleAfterMs?: number;
  /**
   * TEST ONLY. Writes the engine state and the rows it changed in two transactions, with a pause between:
   * the bug the crash test must catch.
   */
  faultSplitCommit?: { gapMs: number };
  /**
   * How many instances may keep their bpmn-engine in memory between steps (~0.7 MiB each) and for how
   * long without a step. Their state is in the database after every step either way. Default 16 / 30 s
   * (a few suffice for the steps in flight; more only add garbage-collection work).
   */
  maxLiveInstances?: number;
  liveIdleMs?: number;
  /**
   * How many jobs of one type a worker handles at once; the others wait, activatable, in the order
   * they were created (as a Zeebe worker activates at most that many). Default 8. Without it a burst
   * (a district closing, a day's approvals) started every handler at once: every report composing its
   * PDF while waiting for the renderer's two pages.
   */
  maxJobsActive?: number;
  log?: (message: string, error?: unknown) => void;
}

type Extra = (manager: EntityManager) => Promise<void>;

/** Call rows the parent still waits on. */
const OPEN_CALL_STATES = ['pending', 'running', 'completed', 'failed', 'stuck'];

/** What ending a tree of instances inside a transaction leaves to announce after the commit. */
interface EndedTree {
  tasks: WfUserTask[];
  instances: WfInstance[];
}

/**
 * The embedded adapter: bpmn-engine instances recovered from the database for each step and evicted
 * after it, every step committed in one transaction with the rows it changed, one queue of steps per
 * process (the engine lock makes that process the only writer). See docs/workflow-engine.md.
 */
export class EmbeddedWorkflowEngine extends WorkflowEngine {
  private readonly registry: DeploymentRegistry;
  private readonly rows: SqlRows;
  private readonly lock: EngineLock;
  private readonly listeners = new Set<WorkflowEventListener>();
  private readonly workers = new Map<string, JobHandler>();
  private readonly dispatching = new Set<string>();
  /** Handlers running and jobs waiting for one, by job type. */
  private readonly handling = new Map<string, { active: number; waiting: (() => void)[] }>();
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private running = false;
  private scheduler: NodeJS.Timeout | null = null;
  private readonly log: (message: string, error?: unknown) => void;
  /** Engines kept between steps, least recently used first; only read or written inside the step queue. */
  private readonly live = new Map<string, { run: InstanceRun; row: WfInstance }>();
  /** taskKey → instance id, for open tasks of instances in memory (entries are checked on use). */
  private readonly liveTaskIndex = new Map<string, string>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly options: EmbeddedEngineOptions = {},
  ) {
    super();
    this.registry = new DeploymentRegistry(dataSource);
    this.rows = new SqlRows(dataSource);
    this.log = options.log ?? ((message, error) => console.error(`[workflow] ${message}`, error ?? ''));
    this.lock = new EngineLock(dataSource, options.lockStaleAfterMs, (message) => {
      this.log(message);
      this.running = false;
    });
  }

  // ——— lifecycle ———

  async start(): Promise<void> {
    await this.lock.acquire();
    this.running = true;
    const interval = this.options.schedulerIntervalMs ?? 1000;
    if (interval > 0) {
      this.scheduler = setInterval(() => void this.runDueTimers().catch((error) => this.log('scheduler tick failed', error)), interval);
      this.scheduler.unref();
    }
    await this.runDueTimers();
    await this.resumeCalls();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.scheduler) clearInterval(this.scheduler);
    this.scheduler = null;
    await this.whenIdle();
    await this.enqueue(async () => this.evictAll());
    await this.lock.release();
  }

  async whenIdle(): Promise<void> {
    while (this.pending > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  onEvent(listener: WorkflowEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // ——— deployments and instances ———

  deploy(resources: BpmnResource[]): Promise<DeployedProcess[]> {
    return this.enqueue(async () => {
      const { deployed, fresh } = await this.registry.deploy(resources, this.clock.now());
      for (const deployment of fresh) await this.scheduleStartTimers(deployment);
      return deployed;
    });
  }

  startInstance(request: StartInstanceRequest): Promise<ProcessInstanceRef> {
    return this.enqueue(async () => {
      const deployment = await this.registry.latest(request.bpmnProcessId, request.version);
      if (!deployment.meta.startEvents.some((start) => start.kind === 'none')) {
        throw new WorkflowError('INVALID_STATE', `Process "${request.bpmnProcessId}" has no none start event: start it by message or timer`);
      }
      return this.createInstance(deployment, request.variables ?? {}, request.businessKey ?? null, null);
    });
  }

  cancelInstance(instanceKey: string): Promise<void> {
    return this.enqueue(async () => {
      const row = await this.activeInstance(instanceKey);
      if (row.parentInstanceId) {
        throw new WorkflowError('INVALID_STATE', `Process instance ${instanceKey} was started by a call activity of ${row.parentInstanceId}: cancel its root ${row.rootInstanceId ?? row.parentInstanceId}`);
      }
      let ended: EndedTree = { tasks: [], instances: [] };
      await this.dataSource.transaction(async (manager) => {
        ended = await this.endTree(manager, row.id, 'cancelled');
      });
      this.announceEnded(ended);
    });
  }

  async getInstance(instanceKey: string): Promise<InstanceState> {
    const row = await this.dataSource.getRepository(WfInstance).findOneBy({ id: instanceKey });
    if (!row) throw new WorkflowError('NOT_FOUND', `No process instance ${instanceKey}`);
    const active = JSON.parse(row.activeElements) as Record<string, ActiveEntry>;
    return {
      ...toRef(row),
      status: row.status as InstanceState['status'],
      parentInstanceKey: row.parentInstanceId,
      rootInstanceKey: row.rootInstanceId ?? row.id,
      variables: JSON.parse(row.variables),
      activeElements: Object.entries(active).map(([executionId, entry]) => ({ executionId, elementId: entry.elementId, elementType: entry.elementType, startedAt: new Date(entry.startedAt) })),
      openIncidents: await this.listIncidents({ instanceKey, state: 'open' }),
      startedAt: new Date(row.startedAt),
      endedAt: row.endedAt === null ? null : new Date(row.endedAt),
    };
  }

  async getHistory(instanceKey: string): Promise<HistoryEntry[]> {
    const rows = await this.dataSource.getRepository(WfHistory).find({ where: { instanceId: instanceKey }, order: { id: 'ASC' } });
    return rows.map((row) => ({
      elementId: row.elementId, elementType: row.elementType, executionId: row.executionId, event: row.event as HistoryEntry['event'], at: new Date(row.at), actor: row.actor,
      ...(row.calledInstanceId && { calledInstanceKey: row.calledInstanceId }),
    }));
  }

  async listInstanceTree(instanceKey: string): Promise<InstanceTreeNode[]> {
    const repo = this.dataSource.getRepository(WfInstance);
    const row = await repo.findOneBy({ id: instanceKey });
    if (!row) throw new WorkflowError('NOT_FOUND', `No process instance ${instanceKey}`);
    const rootId = row.rootInstanceId ?? row.id;
    const root = rootId === row.id ? row : await repo.findOneBy({ id: rootId });
    const members = [root!, ...(await repo.find({ where: { rootInstanceId: rootId } }))];
    const callIds = members.map((member) => member.parentCallId).filter((id): id is string => Boolean(id));
    const calls = new Map<string, WfCall>();
    for (let i = 0; i < callIds.length; i += 500) {
      for (const call of await this.dataSource.getRepository(WfCall).findBy({ id: In(callIds.slice(i, i + 500)) })) calls.set(call.id, call);
    }
    const byId = new Map(members.map((member) => [member.id, member]));
    const depthOf = (member: WfInstance): number => {
      let depth = 0;
      for (let at = member; at.parentInstanceId && byId.has(at.parentInstanceId); at = byId.get(at.parentInstanceId)!) depth++;
      return depth;
    };
    return members
      .map((member): InstanceTreeNode => ({
        ...toRef(member), status: member.status as InstanceTreeNode['status'], parentInstanceKey: member.parentInstanceId,
        parentElementId: member.parentCallId ? (calls.get(member.parentCallId)?.elementId ?? null) : null, depth: depthOf(member),
        startedAt: new Date(member.startedAt), endedAt: member.endedAt === null ? null : new Date(member.endedAt),
      }))
      .sort((a, b) => a.depth - b.depth || a.startedAt.getTime() - b.startedAt.getTime() || a.instanceKey.localeCompare(b.instanceKey));
  }

  // ——— user tasks ———

  async listUserTasks(filter: UserTaskFilter = {}): Promise<UserTask[]> {
    const query = this.dataSource.getRepository(WfUserTask).createQueryBuilder('t').orderBy('t.created_at', 'ASC').addOrderBy('t.id', 'ASC');
    const equal: [keyof UserTaskFilter, string][] = [['state', 'state'], ['instanceKey', 'instance_id'], ['bpmnProcessId', 'bpmn_process_id'], ['elementId', 'element_id'], ['assignee', 'assignee'], ['businessKey', 'business_key']];
    for (const [key, column] of equal) if (filter[key] !== undefined) query.andWhere(`t.${column} = :${key}`, { [key]: filter[key] });
    let tasks = (await query.getMany()).map(toUserTask);
    if (filter.candidateGroup) tasks = tasks.filter((task) => task.candidateGroups.includes(filter.candidateGroup!));
    if (filter.candidateUser) tasks = tasks.filter((task) => task.candidateUsers.includes(filter.candidateUser!));
    return tasks;
  }

  async getUserTask(taskKey: string): Promise<UserTask> {
    const row = await this.dataSource.getRepository(WfUserTask).findOneBy({ id: taskKey });
    if (!row) throw new WorkflowError('NOT_FOUND', `No user task ${taskKey}`);
    return toUserTask(row);
  }

  assignUserTask(taskKey: string, assignee: string | null, actor?: string): Promise<UserTask> {
    return this.enqueue(async () => {
      const row = await this.openTask(taskKey);
      const now = this.clock.now().getTime();
      await this.dataSource.transaction(async (manager) => {
        await manager.update(WfUserTask, { id: row.id }, { assignee });
        await manager.insert(WfHistory, { instanceId: row.instanceId, executionId: row.executionId, elementId: row.elementId, elementType: 'bpmn:UserTask', event: 'assigned', at: now, actor: actor ?? assignee });
      });
      // The instance in memory keeps its open tasks' rows: keep its copy current, or the task's
      // completion would be told with the old assignee (found by the soak test: claims lost from the inbox).
      const cached = this.liveOpenTask(taskKey);
      if (cached) cached.assignee = assignee;
      const task = toUserTask({ ...row, assignee });
      this.emit({ type: 'userTaskAssigned', task, previousAssignee: row.assignee });
      return task;
    });
  }

  completeUserTask(taskKey: string, variables: Variables, actor: string): Promise<void> {
    return this.enqueue(async () => {
      const row = this.liveOpenTask(taskKey) ?? (await this.openTask(taskKey));
      await this.step(row.instanceId, (run) => run.completeUserTask(row.executionId, variables, actor));
    });
  }

  // ——— jobs and incidents ———

  registerWorker(type: string, handler: JobHandler): WorkerRegistration {
    if (this.workers.has(type)) throw new WorkflowError('INVALID_STATE', `A worker for "${type}" is already registered`);
    this.workers.set(type, handler);
    if (this.running) this.afterCommit(() => this.dispatchDueJobs(type));
    return {
      close: () => {
        if (this.workers.get(type) === handler) this.workers.delete(type);
      },
    };
  }

  async listIncidents(filter: { instanceKey?: string; state?: 'open' | 'resolved' } = {}): Promise<Incident[]> {
    const where: { instanceId?: string; state?: string } = {};
    if (filter.instanceKey) where.instanceId = filter.instanceKey;
    if (filter.state) where.state = filter.state;
    const rows = await this.dataSource.getRepository(WfIncident).find({ where, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map(toIncident);
  }

  resolveIncident(incidentKey: string, retries = 1): Promise<void> {
    return this.enqueue(async () => {
      const incident = await this.dataSource.getRepository(WfIncident).findOneBy({ id: incidentKey });
      if (!incident) throw new WorkflowError('NOT_FOUND', `No incident ${incidentKey}`);
      if (incident.state !== 'open') throw new WorkflowError('INVALID_STATE', `Incident ${incidentKey} is already resolved`);
      const now = this.clock.now().getTime();
      const stuck = incident.type === 'CALLED_ELEMENT_ERROR'
        ? await this.dataSource.getRepository(WfCall).findBy({ parentInstanceId: incident.instanceId, elementId: incident.elementId, state: 'stuck' })
        : [];
      await this.dataSource.transaction(async (manager) => {
        await manager.update(WfIncident, { id: incident.id }, { state: 'resolved', resolvedAt: now });
        if (incident.jobId) await manager.update(WfJob, { id: incident.jobId, state: 'failed' }, { state: 'activatable', retries: Math.max(1, retries), availableAt: now, errorMessage: null });
        if (stuck.length) await manager.update(WfCall, { id: In(stuck.map((call) => call.id)) }, { state: 'pending' });
      });
      this.emit({ type: 'incidentResolved', incident: toIncident({ ...incident, state: 'resolved', resolvedAt: now }) });
      if (incident.jobId) this.afterCommit(() => this.dispatchJobById(incident.jobId!));
      for (const call of stuck) this.afterCommit(() => this.enqueue(() => this.startChild(call.id)));
    });
  }

  // ——— messages and timers ———

  publishMessage(request: PublishMessageRequest): Promise<PublishMessageResult> {
    return this.enqueue(async () => {
      const variables = request.variables ?? {};
      const correlated: string[] = [];
      const subscriptions = await this.dataSource.getRepository(WfMessageSubscription).find({
        where: { messageName: request.name, correlationKey: request.correlationKey },
        order: { createdAt: 'ASC', id: 'ASC' },
      });
      for (const subscription of subscriptions) {
        if (correlated.includes(subscription.instanceId)) continue; // one correlation per instance
        const delivered = await this.step(subscription.instanceId, (run) => run.deliverMessage(subscription.executionId, variables));
        if (delivered) correlated.push(subscription.instanceId);
      }
      if (!correlated.length) {
        for (const deployment of await this.registry.allLatest()) {
          const start = deployment.meta.startEvents.find((event) => event.kind === 'message' && event.messageName === request.name);
          if (!start) continue;
          const ref = await this.createInstance(deployment, {}, request.correlationKey || null, { elementId: start.elementId, variables });
          correlated.push(ref.instanceKey);
        }
      }
      const ttl = request.timeToLiveMs ?? 0;
      if (correlated.length || ttl <= 0) return { correlatedInstanceKeys: correlated, buffered: false };
      const now = this.clock.now().getTime();
      await this.dataSource.getRepository(WfBufferedMessage).insert({
        id: randomUUID(), name: request.name, correlationKey: request.correlationKey, variables: JSON.stringify(variables), publishedAt: now, expiresAt: now + ttl,
      });
      return { correlatedInstanceKeys: [], buffered: true };
    });
  }

  async runDueTimers(): Promise<number> {
    const now = this.clock.now().getTime();
    const due = await this.dataSource.getRepository(WfTimer).find({ where: { dueAt: LessThanOrEqual(now) }, order: { dueAt: 'ASC', id: 'ASC' }, take: 500 });
    let fired = 0;
    for (const timer of due) {
      fired += await this.enqueue(async () => {
        const current = await this.dataSource.getRepository(WfTimer).findOneBy({ id: timer.id });
        if (!current || current.dueAt > this.clock.now().getTime()) return 0;
        if (current.instanceId) {
          const instance = await this.dataSource.getRepository(WfInstance).findOneBy({ id: current.instanceId });
          if (instance?.status !== 'active') {
            await this.dataSource.getRepository(WfTimer).delete({ id: current.id });
            return 0;
          }
          await this.step(current.instanceId, (run) => run.fireTimer(current.executionId));
        } else {
          await this.fireStartTimer(current);
        }
        return 1;
      }).catch((error) => {
        // Nothing was committed: the timer stays due and is tried again on the next tick; others go on.
        this.log(`timer ${timer.elementId} of ${timer.instanceId ?? timer.deploymentId} could not fire`, error);
        return 0;
      });
    }
    await this.enqueue(async () => {
      await this.dataSource.getRepository(WfBufferedMessage).delete({ expiresAt: LessThanOrEqual(now) });
      this.evictIdle();
    });
    await this.dispatchDueJobs();
    return fired;
  }

  // ——— steps ———

  /**
   * Applies an action to an instance and commits its new state with the rows it changed. The engine
   * comes from memory when the instance was used recently, else it is recovered from the database.
   */
  private async step<T>(instanceId: string, action: (run: InstanceRun) => Promise<T>, extra?: Extra): Promise<T> {
    const cached = this.live.get(instanceId);
    this.live.delete(instanceId);
    cached?.run.beginStep(); // a recovered engine keeps what happened while resuming (overdue timers)
    const entry = cached ?? (await this.recover(instanceId));
    try {
      const result = await action(entry.run);
      await this.commit(entry.run, entry.row, [], extra);
      this.keepLive(entry);
      return result;
    } catch (error) {
      entry.run.stop(); // its memory may be ahead of the database: recover next time
      throw error;
    }
  }

  private async recover(instanceId: string): Promise<{ run: InstanceRun; row: WfInstance }> {
    const row = await this.activeInstance(instanceId);
    const deployment = await this.registry.byId(row.deploymentId);
    const run = new InstanceRun(row.id, deployment, this.clock, await this.openRows(row.id), JSON.parse(row.variables), JSON.parse(row.activeElements), { businessKey: row.businessKey });
    try {
      await run.resume(JSON.parse(row.state!));
    } catch (error) {
      run.stop();
      throw error;
    }
    return { run, row };
  }

  private keepLive(entry: { run: InstanceRun; row: WfInstance }): void {
    if (entry.run.ended || !this.running) return entry.run.discard();
    entry.run.lastUsed = Date.now();
    this.live.set(entry.row.id, entry);
    const max = this.options.maxLiveInstances ?? 16;
    for (const [id, oldest] of this.live) {
      if (this.live.size <= max) break;
      this.evict(id, oldest.run);
    }
  }

  /** Idle instances leave memory (their state is already in the database). */
  private evictIdle(): void {
    const limit = Date.now() - (this.options.liveIdleMs ?? 30_000);
    for (const [id, entry] of this.live) {
      if (entry.run.lastUsed > limit) continue;
      this.evict(id, entry.run);
    }
  }

  private evict(instanceId: string, run: InstanceRun): void {
    this.live.delete(instanceId);
    for (const taskKey of run.openTaskKeys()) this.liveTaskIndex.delete(taskKey);
    run.discard();
  }

  private evictAll(): void {
    for (const entry of this.live.values()) entry.run.discard();
    this.live.clear();
    this.liveTaskIndex.clear();
  }

  private async createInstance(
    deployment: LoadedDeployment, variables: Variables, businessKey: string | null, trigger: { elementId: string; variables: Variables } | null, extra?: Extra,
    link?: Pick<WfInstance, 'parentInstanceId' | 'parentCallId' | 'rootInstanceId'> & { id: string },
  ): Promise<ProcessInstanceRef> {
    const now = this.clock.now().getTime();
    const row: WfInstance = {
      id: link?.id ?? randomUUID(), deploymentId: deployment.id, bpmnProcessId: deployment.bpmnProcessId, version: deployment.version, businessKey,
      status: 'active', state: null, variables: '{}', activeElements: '{}', startedAt: now, endedAt: null, revision: 0,
      parentInstanceId: link?.parentInstanceId ?? null, parentCallId: link?.parentCallId ?? null, rootInstanceId: link?.rootInstanceId ?? null,
    };
    const run = new InstanceRun(row.id, deployment, this.clock, emptyOpenRows(), { ...variables }, {}, { businessKey });
    try {
      await run.start();
      if (trigger) await run.triggerStartEvent(trigger.elementId, trigger.variables);
      await this.commit(run, row, [this.instanceHistory(row, 'instance-started', now)], extra);
    } catch (error) {
      run.stop();
      throw error;
    }
    this.keepLive({ run, row });
    return toRef(row);
  }

  private async commit(run: InstanceRun, row: WfInstance, leadingHistory: Omit<WfHistory, 'id'>[] = [], extra?: Extra): Promise<void> {
    const isNew = row.revision === 0;
    let changes = run.changes();
    // A message that arrived before its catch event waits in wf_messages: consume it in this same step.
    const consumed: WfBufferedMessage[] = [];
    for (let round = 0; round < 100; round++) {
      const match = await this.bufferedMessageFor(changes.createdSubscriptions, consumed);
      if (!match) break;
      consumed.push(match.message);
      await run.deliverMessage(match.subscription.executionId, JSON.parse(match.message.variables));
      changes = run.changes();
    }
    const now = this.clock.now().getTime();
    const state = await run.savedState();
    const ended = run.ended;
    const history = [...leadingHistory, ...changes.history];
    if (ended) history.push(this.instanceHistory(row, 'instance-completed', now));
    const next: WfInstance = {
      ...row,
      status: ended ? 'completed' : 'active',
      state,
      variables: JSON.stringify(run.variables),
      activeElements: JSON.stringify(run.active),
      endedAt: ended ? now : null,
      revision: row.revision + 1,
    };

    const revisionError = () => new WorkflowError('INVALID_STATE', `Instance ${row.id} changed under this step (revision ${row.revision})`);
    // Only the columns that changed: an UPDATE that names an indexed column rewrites its index entry.
    const writeInstance = isNew
      ? this.rows.insertStatement(WfInstance, [next])!
      : this.rows.updateStatement(WfInstance, changedColumns(row, next), { id: row.id, revision: row.revision }, revisionError);
    const endedTrees: EndedTree[] = [];
    const uncaught = ended && row.parentCallId ? run.uncaughtError() : null;
    const writeRows = this.changeStatements(changes, now);
    const deleteConsumed = this.rows.deleteByIdsStatement(WfBufferedMessage, consumed.map((message) => message.id));
    if (deleteConsumed) writeRows.push(deleteConsumed);
    const historyRows = this.rows.insertStatement(WfHistory, history as WfHistory[]);
    if (historyRows) writeRows.push(historyRows);
    // A called instance that ended leaves its variables for the parent, in the same transaction.
    // An error end event nothing in the child caught: the call fails with it instead.
    const closeCall = ended && row.parentCallId
      ? this.rows.updateStatement(WfCall, { state: uncaught ? 'failed' : 'completed', childInstanceId: row.id, variables: JSON.stringify(uncaught ?? run.variables) }, { id: row.parentCallId })
      : null;
    // The parent left a call activity before its child ended (boundary event, completion condition…): the child's tree ends with it.
    const endsTrees = changes.closedCalls.some(({ row: call, state: callState }) => callState === 'cancelled' && call.childInstanceId);
    const writeRowsThrough = async (manager: EntityManager) => {
      await this.rows.runAll(manager.queryRunner!, writeRows);
      if (extra) await extra(manager);
      for (const { row: call, state: callState } of changes.closedCalls) {
        if (callState === 'cancelled' && call.childInstanceId) endedTrees.push(await this.endTree(manager, call.childInstanceId, 'terminated'));
      }
      if (closeCall) await this.rows.runAll(manager.queryRunner!, [closeCall]);
    };
    const fault = this.options.faultSplitCommit;
    if (fault) {
      await this.dataSource.transaction((manager) => this.rows.runAll(manager.queryRunner!, [writeInstance]));
      await new Promise((resolve) => setTimeout(resolve, fault.gapMs));
      await this.dataSource.transaction(writeRowsThrough);
    } else {
      // On SQLite, a step that is only planned statements runs them on the connection directly.
      const direct = extra || endsTrees
        ? null
        : runInSqliteQueue(this.dataSource, (connection) => this.rows.runOnSqlite(connection, [writeInstance, ...writeRows, ...(closeCall ? [closeCall] : [])]));
      let done = false;
      if (direct) {
        try {
          await direct;
          done = true;
        } catch (error) {
          if (!(error instanceof OpenTransactionError)) throw error;
        }
      }
      if (!done) {
        await this.dataSource.transaction(async (manager) => {
          await this.rows.runAll(manager.queryRunner!, [writeInstance]);
          await writeRowsThrough(manager);
        });
      }
    }
    Object.assign(row, next);
    run.committed(changes);
    for (const tree of endedTrees) this.announceEnded(tree);
    if (this.running) {
      for (const call of changes.createdCalls) this.afterCommit(() => this.enqueue(() => this.startChild(call.id)));
      if (ended && row.parentCallId) {
        const callId = row.parentCallId;
        this.afterCommit(() => this.enqueue(() => (uncaught ? this.failCallUpwards(callId) : this.completeCall(callId))));
      }
    }

    for (const task of changes.createdTasks) this.liveTaskIndex.set(task.id, row.id);
    for (const { row: task } of changes.closedTasks) this.liveTaskIndex.delete(task.id);
    for (const task of changes.createdTasks) this.emit({ type: 'userTaskCreated', task: toUserTask(task) });
    for (const { row: task, state: taskState, completedBy } of changes.closedTasks) {
      const closed = toUserTask({ ...task, state: taskState, completedAt: now, completedBy });
      this.emit(taskState === 'completed' ? { type: 'userTaskCompleted', task: closed } : { type: 'userTaskCancelled', task: closed });
    }
    if (ended) this.emit({ type: 'instanceCompleted', instance: toRef(next), variables: run.variables });
    const instance = { bpmnProcessId: next.bpmnProcessId, businessKey: next.businessKey, variables: next.variables };
    for (const job of changes.createdJobs) this.dispatch(job, instance);
  }

  private changeStatements(changes: StepChanges, now: number): Statement[] {
    const rows = this.rows;
    const statements: (Statement | null)[] = [rows.insertStatement(WfUserTask, changes.createdTasks)];
    for (const { row, state, completedBy } of changes.closedTasks) statements.push(rows.updateStatement(WfUserTask, { state, completedAt: now, completedBy }, { id: row.id }));
    statements.push(rows.insertStatement(WfJob, changes.createdJobs));
    for (const { row, state } of changes.closedJobs) statements.push(rows.updateStatement(WfJob, { state }, { id: row.id }));
    statements.push(rows.insertStatement(WfTimer, changes.createdTimers));
    for (const timer of changes.movedTimers) statements.push(rows.updateStatement(WfTimer, { dueAt: timer.dueAt }, { id: timer.id }));
    statements.push(rows.deleteByIdsStatement(WfTimer, changes.deletedTimers.map((timer) => timer.id)));
    statements.push(rows.insertStatement(WfMessageSubscription, changes.createdSubscriptions));
    statements.push(rows.deleteByIdsStatement(WfMessageSubscription, changes.deletedSubscriptions.map((subscription) => subscription.id)));
    statements.push(rows.insertStatement(WfCall, changes.createdCalls));
    for (const { row, state } of changes.closedCalls) statements.push(rows.updateStatement(WfCall, { state }, { id: row.id }));
    return statements.filter((statement): statement is Statement => statement !== null);
  }

  // ——— call activities ———

  /** After a start: calls whose child was not started yet, and children that ended without their parent knowing. */
  private async resumeCalls(): Promise<void> {
    const calls = await this.dataSource.getRepository(WfCall).find({ where: { state: In(['pending', 'completed', 'failed']) }, order: { createdAt: 'ASC', id: 'ASC' } });
    const resume = { pending: (id: string) => this.startChild(id), completed: (id: string) => this.completeCall(id), failed: (id: string) => this.failCallUpwards(id) };
    for (const call of calls) {
      await this.enqueue(() => resume[call.state as keyof typeof resume](call.id)).catch((error) => this.log(`call ${call.id} could not be resumed`, error));
    }
  }

  /**
   * Starts the child of a pending call as its own instance: its creation, the call's move to `running` and
   * the parent's `called` history entry commit together, so a crash never starts a child twice.
   */
  private async startChild(callId: string): Promise<void> {
    const call = await this.rows.findOne(WfCall, { id: callId });
    if (!call || call.state !== 'pending') return;
    const parent = await this.rows.findOne(WfInstance, { id: call.parentInstanceId });
    if (!parent || parent.status !== 'active') return;
    const input = JSON.parse(call.variables) as Variables;
    if (!call.calledProcessId) return this.callIncident(call, `Call activity ${call.elementId}: ${String(input.error ?? 'no process id')}`);
    let deployment: LoadedDeployment;
    try {
      deployment = await this.registry.latest(call.calledProcessId);
    } catch (error) {
      return this.callIncident(call, `Call activity ${call.elementId}: ${(error as Error).message}`);
    }
    const childId = randomUUID();
    const now = this.clock.now().getTime();
    const link = { id: childId, parentInstanceId: parent.id, parentCallId: call.id, rootInstanceId: parent.rootInstanceId ?? parent.id };
    try {
      await this.createInstance(deployment, input, parent.businessKey, null, async (manager) => {
        const runner = manager.queryRunner!;
        // (an instance that ended at once has already set its call to completed: keep that)
        await this.rows.update(runner, WfCall, { state: 'running', childInstanceId: childId }, { id: call.id, state: 'pending' });
        await this.rows.insert(runner, WfHistory, [{ instanceId: parent.id, executionId: call.parentExecutionId, elementId: call.elementId, elementType: 'bpmn:CallActivity', event: 'called', at: now, actor: null, calledInstanceId: childId } as WfHistory]);
      }, link);
    } catch (error) {
      if (error instanceof WorkflowError && error.code !== 'INVALID_BPMN' && error.code !== 'INVALID_STATE') throw error;
      return this.callIncident(call, `Call activity ${call.elementId}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const updated = await this.rows.findOne(WfCall, { id: call.id });
    if (updated) this.live.get(parent.id)?.run.updateOpenCall(updated);
  }

  /** A child ended: its variables go to the call activity waiting for it, and the call closes, in one step of the parent. */
  private async completeCall(callId: string): Promise<void> {
    const call = await this.rows.findOne(WfCall, { id: callId });
    if (!call || call.state !== 'completed') return;
    const parent = await this.rows.findOne(WfInstance, { id: call.parentInstanceId });
    if (!parent || parent.status !== 'active') {
      await this.dataSource.getRepository(WfCall).update({ id: call.id }, { state: 'closed' });
      return;
    }
    const delivered = await this.step(parent.id, (run) => run.completeCall(call.parentExecutionId, JSON.parse(call.variables)));
    if (!delivered) await this.dataSource.getRepository(WfCall).update({ id: call.id, state: 'completed' }, { state: 'closed' });
  }

  /**
   * A child ended through an error end event it does not catch: the nearest call activity above that
   * catches the code gets the error and the tree below it ends, in one transaction; none does: an
   * incident on the call activity that called the child.
   */
  private async failCallUpwards(callId: string): Promise<void> {
    const call = await this.rows.findOne(WfCall, { id: callId });
    if (!call || call.state !== 'failed') return;
    const { code, message } = JSON.parse(call.variables) as { code: string; message: string };
    const child = call.childInstanceId ? await this.rows.findOne(WfInstance, { id: call.childInstanceId }) : null;
    const catcher = child ? await this.errorCatcher(child, code) : null;
    if (!catcher) {
      const parent = await this.rows.findOne(WfInstance, { id: call.parentInstanceId });
      if (parent?.status !== 'active') return void (await this.dataSource.getRepository(WfCall).update({ id: call.id }, { state: 'closed' }));
      return this.callIncident(call, `BPMN error "${code}" from ${message} of the called instance ${call.childInstanceId} is not caught`, 'UNHANDLED_ERROR_EVENT');
    }
    let ended: EndedTree = { tasks: [], instances: [] };
    await this.step(catcher.parent.id, (run) => run.failCall(catcher.call.parentExecutionId, code, message), async (manager) => {
      await manager.update(WfCall, { id: call.id, state: 'failed' }, { state: 'closed' });
      ended = await this.endTree(manager, catcher.call.childInstanceId!, 'terminated');
    });
    this.announceEnded(ended);
  }

  private async callIncident(call: WfCall, message: string, type: Incident['type'] = 'CALLED_ELEMENT_ERROR'): Promise<void> {
    const now = this.clock.now().getTime();
    const incident: WfIncident = { id: randomUUID(), instanceId: call.parentInstanceId, jobId: null, elementId: call.elementId, type, message: message.slice(0, 1000), state: 'open', createdAt: now, resolvedAt: null };
    await this.dataSource.transaction(async (manager) => {
      await manager.update(WfCall, { id: call.id }, { state: 'stuck' });
      await manager.insert(WfIncident, incident);
    });
    this.live.get(call.parentInstanceId)?.run.updateOpenCall({ ...call, state: 'stuck' });
    this.emit({ type: 'incidentRaised', incident: toIncident(incident) });
  }

  /**
   * The nearest ancestor whose call activity (or an enclosing sub-process) catches `errorCode` thrown
   * somewhere in the tree below it, with the call that leads down to the thrower.
   */
  private async errorCatcher(instance: WfInstance, errorCode: string): Promise<{ parent: WfInstance; call: WfCall } | null> {
    for (let at: WfInstance | null = instance; at?.parentCallId; ) {
      const call: WfCall | null = await this.rows.findOne(WfCall, { id: at.parentCallId });
      const parent: WfInstance | null = call && (await this.rows.findOne(WfInstance, { id: call.parentInstanceId }));
      if (!call || !parent || parent.status !== 'active') return null;
      const deployment = await this.registry.byId(parent.deploymentId);
      if (catchesError(deployment.meta, call.elementId, errorCode)) return { parent, call };
      at = parent;
    }
    return null;
  }

  /**
   * Ends an instance and every active instance it called, deepest first, inside the caller's transaction:
   * open tasks cancelled, jobs cancelled, timers and subscriptions removed, incidents resolved, calls closed.
   */
  private async endTree(manager: EntityManager, topId: string, status: 'cancelled' | 'terminated'): Promise<EndedTree> {
    const order: string[] = [topId];
    for (let frontier = [topId]; frontier.length; ) {
      const children = await manager.getRepository(WfInstance).find({ select: ['id'], where: { parentInstanceId: In(frontier), status: 'active' } });
      frontier = children.map((child) => child.id);
      order.push(...frontier);
    }
    const now = this.clock.now().getTime();
    const ended: EndedTree = { tasks: [], instances: [] };
    for (const id of order.reverse()) {
      const row = await manager.getRepository(WfInstance).findOneBy({ id, status: 'active' });
      if (!row) continue;
      this.live.get(id)?.run.discard();
      this.live.delete(id);
      const tasks = await manager.getRepository(WfUserTask).findBy({ instanceId: id, state: 'created' });
      const active = JSON.parse(row.activeElements) as Record<string, ActiveEntry>;
      const affected = await this.rows.update(manager.queryRunner!, WfInstance, { status, state: null, endedAt: now, activeElements: '{}', revision: row.revision + 1 }, { id, revision: row.revision });
      if (!affected) throw new WorkflowError('INVALID_STATE', `Instance ${id} changed under this step (revision ${row.revision})`);
      if (tasks.length) await manager.update(WfUserTask, { instanceId: id, state: 'created' }, { state: 'cancelled', completedAt: now });
      await manager.update(WfJob, { instanceId: id, state: In(['activatable', 'failed']) }, { state: 'cancelled' });
      await manager.delete(WfTimer, { instanceId: id });
      await manager.delete(WfMessageSubscription, { instanceId: id });
      await manager.update(WfIncident, { instanceId: id, state: 'open' }, { state: 'resolved', resolvedAt: now });
      await manager.update(WfCall, { parentInstanceId: id, state: In(OPEN_CALL_STATES) }, { state: 'cancelled' });
      const history: Omit<WfHistory, 'id'>[] = Object.entries(active).map(([executionId, entry]) => ({ instanceId: id, executionId, elementId: entry.elementId, elementType: entry.elementType, event: 'cancelled', at: now, actor: null }));
      history.push(this.instanceHistory(row, status === 'cancelled' ? 'instance-cancelled' : 'instance-terminated', now));
      await manager.insert(WfHistory, history);
      ended.tasks.push(...tasks.map((task) => ({ ...task, state: 'cancelled', completedAt: now })));
      ended.instances.push({ ...row, status });
    }
    return ended;
  }

  private announceEnded(ended: EndedTree): void {
    for (const task of ended.tasks) this.liveTaskIndex.delete(task.id);
    for (const task of ended.tasks) this.emit({ type: 'userTaskCancelled', task: toUserTask(task) });
    for (const instance of ended.instances) this.emit({ type: 'instanceCancelled', instance: toRef(instance) });
  }

  private async bufferedMessageFor(subscriptions: WfMessageSubscription[], consumed: WfBufferedMessage[]) {
    const now = this.clock.now().getTime();
    for (const subscription of subscriptions) {
      const candidates = await this.dataSource.getRepository(WfBufferedMessage).find({
        where: { name: subscription.messageName, correlationKey: subscription.correlationKey, expiresAt: MoreThan(now) },
        order: { publishedAt: 'ASC', id: 'ASC' },
        take: consumed.length + 1,
      });
      const message = candidates.find((candidate) => !consumed.some((taken) => taken.id === candidate.id));
      if (message) return { subscription, message };
    }
    return null;
  }

  // ——— jobs ———

  private async dispatchDueJobs(type?: string): Promise<void> {
    if (!this.running) return;
    const where = { state: 'activatable', availableAt: LessThanOrEqual(this.clock.now().getTime()), ...(type && { type }) };
    const jobs = await this.dataSource.getRepository(WfJob).find({ where, order: { createdAt: 'ASC', id: 'ASC' } });
    for (const job of jobs) this.dispatch(job);
  }

  private async dispatchJobById(jobId: string): Promise<void> {
    const job = await this.dataSource.getRepository(WfJob).findOneBy({ id: jobId });
    if (job && job.state === 'activatable' && job.availableAt <= this.clock.now().getTime()) this.dispatch(job);
  }

  /**
   * Hands a job to its worker (at least once: after a crash the job is handed out again). `known` is the
   * instance as just committed, when the caller has it.
   */
  private dispatch(job: WfJob, known?: Pick<WfInstance, 'bpmnProcessId' | 'businessKey' | 'variables'>): void {
    const handler = this.workers.get(job.type);
    if (!handler || !this.running || this.dispatching.has(job.id)) return;
    this.dispatching.add(job.id);
    this.track(async () => {
      const release = await this.handlerSlot(job.type);
      try {
        if (!this.running) return; // stopped meanwhile: the job stays activatable for the next start
        const instance = known ?? (await this.dataSource.getRepository(WfInstance).findOneBy({ id: job.instanceId, status: 'active' }));
        if (!instance) return;
        const view: Job = {
          jobKey: job.id, type: job.type, instanceKey: job.instanceId, bpmnProcessId: instance.bpmnProcessId, businessKey: instance.businessKey, elementId: job.elementId,
          retries: job.retries, customHeaders: JSON.parse(job.customHeaders), variables: { ...JSON.parse(instance.variables), ...JSON.parse(job.localVariables) },
        };
        let outcome: JobOutcome;
        try {
          outcome = await handler(view);
        } catch (error) {
          outcome = { outcome: 'fail', message: error instanceof Error ? error.message : String(error) };
        }
        await this.enqueue(() => this.applyJobOutcome(job.id, outcome));
      } catch (error) {
        this.log(`job ${job.id} (${job.type}) could not be handled`, error);
      } finally {
        release();
        this.dispatching.delete(job.id);
      }
    });
  }

  /** Waits until fewer than `maxJobsActive` jobs of this type are being handled; returns the release. */
  private async handlerSlot(type: string): Promise<() => void> {
    let slots = this.handling.get(type);
    if (!slots) this.handling.set(type, (slots = { active: 0, waiting: [] }));
    const taken = slots;
    if (taken.active >= (this.options.maxJobsActive ?? 8)) await new Promise<void>((resolve) => taken.waiting.push(resolve));
    else taken.active++;
    // A released slot passes straight to the next waiting job, so `active` counts it throughout.
    return () => {
      const next = taken.waiting.shift();
      if (next) next();
      else taken.active--;
    };
  }

  private async applyJobOutcome(jobId: string, outcome: JobOutcome): Promise<void> {
    const job = await this.rows.findOne(WfJob, { id: jobId });
    if (!job || job.state !== 'activatable') return; // cancelled meanwhile (boundary event, cancellation)
    try {
      if (outcome.outcome === 'complete') {
        await this.step(job.instanceId, (run) => run.completeJob(job.executionId, outcome.variables));
      } else if (outcome.outcome === 'bpmnError') {
        const instance = await this.activeInstance(job.instanceId);
        const deployment = await this.registry.byId(instance.deploymentId);
        const catcher = catchesError(deployment.meta, job.elementId, outcome.errorCode) ? null : await this.errorCatcher(instance, outcome.errorCode);
        if (catchesError(deployment.meta, job.elementId, outcome.errorCode)) {
          await this.step(job.instanceId, (run) => run.throwJobError(job.executionId, outcome.errorCode, outcome.message, outcome.variables));
        } else if (catcher) {
          // Thrown in a called instance and caught at a call activity above it: the tree below that call
          // ends and the error reaches the call activity, in one transaction.
          let ended: EndedTree = { tasks: [], instances: [] };
          await this.step(catcher.parent.id, (run) => run.failCall(catcher.call.parentExecutionId, outcome.errorCode, outcome.message), async (manager) => {
            ended = await this.endTree(manager, catcher.call.childInstanceId!, 'terminated');
          });
          this.announceEnded(ended);
        } else {
          await this.raiseIncident(job, 'UNHANDLED_ERROR_EVENT', `BPMN error "${outcome.errorCode}" is not caught${outcome.message ? `: ${outcome.message}` : ''}`);
        }
      } else {
        const retries = outcome.retries ?? job.retries - 1;
        if (retries > 0) {
          const availableAt = this.clock.now().getTime() + (outcome.retryBackoffMs ?? 0);
          await this.dataSource.getRepository(WfJob).update({ id: job.id }, { retries, availableAt, errorMessage: outcome.message.slice(0, 1000) });
          if (!outcome.retryBackoffMs) this.afterCommit(() => this.dispatchJobById(job.id));
        } else {
          await this.raiseIncident(job, 'JOB_NO_RETRIES', outcome.message);
        }
      }
    } catch (error) {
      if (error instanceof WorkflowError && error.code !== 'INVALID_BPMN') throw error;
      await this.raiseIncident(job, 'STEP_FAILED', error instanceof Error ? error.message : String(error));
    }
  }

  private async raiseIncident(job: WfJob, type: Incident['type'], message: string): Promise<void> {
    const now = this.clock.now().getTime();
    const incident: WfIncident = { id: randomUUID(), instanceId: job.instanceId, jobId: job.id, elementId: job.elementId, type, message: message.slice(0, 1000), state: 'open', createdAt: now, resolvedAt: null };
    await this.dataSource.transaction(async (manager) => {
      await manager.update(WfJob, { id: job.id }, { state: 'failed', retries: 0, errorMessage: message.slice(0, 1000) });
      await manager.insert(WfIncident, incident);
    });
    this.emit({ type: 'incidentRaised', incident: toIncident(incident) });
  }

  // ——— start timers ———

  private async scheduleStartTimers(deployment: LoadedDeployment): Promise<void> {
    const timers = this.dataSource.getRepository(WfTimer);
    const previous = await timers.find({ where: { instanceId: IsNull() } });
    const stale = previous.filter((timer) => timer.deploymentId !== deployment.id);
    const staleIds: string[] = [];
    for (const timer of stale) {
      const owner = await this.registry.byId(timer.deploymentId!);
      if (owner.bpmnProcessId === deployment.bpmnProcessId) staleIds.push(timer.id);
    }
    const now = this.clock.now();
    const fresh = deployment.meta.startEvents
      .filter((start) => start.kind === 'timer')
      .map((start) => ({ start, next: nextStartTimer(start.timer!, now) }))
      .filter(({ next }) => next !== null)
      .map(({ start, next }): WfTimer => ({ id: randomUUID(), instanceId: null, deploymentId: deployment.id, executionId: `start:${start.elementId}`, elementId: start.elementId, dueAt: next!.dueAt, cycle: next!.remainingCycle }));
    await this.dataSource.transaction(async (manager) => {
      if (staleIds.length) await manager.delete(WfTimer, { id: In(staleIds) });
      if (fresh.length) await manager.insert(WfTimer, fresh);
    });
  }

  private async fireStartTimer(timer: WfTimer): Promise<void> {
    const deployment = await this.registry.byId(timer.deploymentId!);
    const next = timer.cycle ? nextStartTimer({ type: 'timeCycle', value: timer.cycle }, new Date(timer.dueAt)) : null;
    await this.createInstance(deployment, {}, null, { elementId: timer.elementId, variables: {} }, async (manager) => {
      if (next) await manager.update(WfTimer, { id: timer.id }, { dueAt: next.dueAt, cycle: next.remainingCycle });
      else await manager.delete(WfTimer, { id: timer.id });
    });
  }

  // ——— plumbing ———

  private async activeInstance(instanceId: string): Promise<WfInstance> {
    const row = await this.rows.findOne(WfInstance, { id: instanceId });
    if (!row) throw new WorkflowError('NOT_FOUND', `No process instance ${instanceId}`);
    if (row.status !== 'active') throw new WorkflowError('INVALID_STATE', `Process instance ${instanceId} is ${row.status}`);
    return row;
  }

  /** The open task row held by an instance in memory (saves a query per completion), if any. */
  private liveOpenTask(taskKey: string): WfUserTask | undefined {
    const instanceId = this.liveTaskIndex.get(taskKey);
    const task = instanceId ? this.live.get(instanceId)?.run.openTask(taskKey) : undefined;
    if (!task) this.liveTaskIndex.delete(taskKey);
    return task;
  }

  private async openTask(taskKey: string): Promise<WfUserTask> {
    const row = await this.rows.findOne(WfUserTask, { id: taskKey });
    if (!row) throw new WorkflowError('NOT_FOUND', `No user task ${taskKey}`);
    if (row.state !== 'created') throw new WorkflowError('INVALID_STATE', `User task ${taskKey} is ${row.state}`);
    return row;
  }

  private async openRows(instanceId: string): Promise<OpenRows> {
    // Plain SQL (sql-rows.ts): TypeORM's query builder cost a fifth of a recovery's database time.
    const [tasks, jobs, timers, subscriptions, calls] = await Promise.all([
      this.rows.findAll(WfUserTask, { instanceId, state: 'created' }),
      this.rows.findAll(WfJob, { instanceId, state: ['activatable', 'failed'] }),
      this.rows.findAll(WfTimer, { instanceId }),
      this.rows.findAll(WfMessageSubscription, { instanceId }),
      this.rows.findAll(WfCall, { parentInstanceId: instanceId, state: OPEN_CALL_STATES }),
    ]);
    const byExecution = <T extends { executionId: string }>(rows: T[]) => new Map(rows.map((row) => [row.executionId, row]));
    return {
      tasks: byExecution(tasks), jobs: byExecution(jobs), timers: byExecution(timers), subscriptions: byExecution(subscriptions),
      calls: new Map(calls.map((call) => [call.parentExecutionId, call])),
    };
  }

  private instanceHistory(row: WfInstance, event: string, at: number): Omit<WfHistory, 'id'> {
    return { instanceId: row.id, executionId: row.id, elementId: row.bpmnProcessId, elementType: 'bpmn:Process', event, at, actor: null };
  }

  /** Runs `work` after every step queued before it, one at a time. */
  private enqueue<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.catch(() => undefined);
    return this.track(() => result);
  }

  private afterCommit(work: () => Promise<void>): void {
    this.track(() => work().catch((error) => this.log('after-commit work failed', error)));
  }

  private track<T>(work: () => Promise<T>): Promise<T> {
    this.pending++;
    const done = () => {
      if (--this.pending === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    };
    const promise = (async () => work())();
    promise.then(done, done);
    return promise;
  }

  private emit(event: WorkflowEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log(`event listener failed on ${event.type}`, error);
      }
    }
  }
}

/** The columns of the instance row a step changed (the id and the revision check are the WHERE). */
function changedColumns(before: WfInstance, after: WfInstance): Partial<WfInstance> {
  const changed: Record<string, unknown> = {};
  for (const key of Object.keys(after) as (keyof WfInstance)[]) if (key !== 'id' && after[key] !== before[key]) changed[key] = after[key];
  return changed as Partial<WfInstance>;
}

function emptyOpenRows(): OpenRows {
  return { tasks: new Map(), jobs: new Map(), timers: new Map(), subscriptions: new Map(), calls: new Map() };
}

function toRef(row: WfInstance): ProcessInstanceRef {
  return { instanceKey: row.id, bpmnProcessId: row.bpmnProcessId, version: row.version, businessKey: row.businessKey };
}

function toUserTask(row: WfUserTask): UserTask {
  return {
    taskKey: row.id, instanceKey: row.instanceId, bpmnProcessId: row.bpmnProcessId, businessKey: row.businessKey, elementId: row.elementId, name: row.name,
    state: row.state as UserTask['state'], assignee: row.assignee, candidateGroups: JSON.parse(row.candidateGroups), candidateUsers: JSON.parse(row.candidateUsers),
    dueDate: row.dueDate, followUpDate: row.followUpDate, priority: row.priority, formKey: row.formKey, customHeaders: JSON.parse(row.customHeaders),
    variables: JSON.parse(row.variables), createdAt: new Date(row.createdAt), completedAt: row.completedAt === null ? null : new Date(row.completedAt), completedBy: row.completedBy,
  };
}

function toIncident(row: WfIncident): Incident {
  return { incidentKey: row.id, type: row.type as Incident['type'], instanceKey: row.instanceId, elementId: row.elementId, jobKey: row.jobId, message: row.message, state: row.state as Incident['state'], createdAt: new Date(row.createdAt) };
}
