import { randomUUID } from 'node:crypto';
import { Engine } from 'bpmn-engine';
import { Environment } from 'bpmn-elements';
import type { Clock } from '../../shared/clock';
import { Variables, WorkflowError } from '../workflow-engine';
import type { LoadedDeployment } from './deployment-registry';
import { evaluateFeel, evaluateFeelList, evaluateFeelString, isFeel } from './feel-expressions';
import { readZeebeExtensions, ZeebeMapping } from './zeebe-extensions';
import type { JobExecutionSink } from './zeebe-job-service';
import { WfHistory, WfJob, WfMessageSubscription, WfTimer, WfUserTask } from './workflow.entities';

/** Rows of one instance that are open in the database when a step begins, by execution id. */
export interface OpenRows {
  tasks: Map<string, WfUserTask>;
  jobs: Map<string, WfJob>;
  timers: Map<string, WfTimer>;
  subscriptions: Map<string, WfMessageSubscription>;
}

export interface ActiveEntry {
  elementId: string;
  elementType: string;
  startedAt: number;
}

/** What a step changed, to be written in one transaction with the instance's new state. */
export interface StepChanges {
  createdTasks: WfUserTask[];
  closedTasks: { row: WfUserTask; state: 'completed' | 'cancelled'; completedBy: string | null }[];
  createdJobs: WfJob[];
  closedJobs: { row: WfJob; state: 'completed' | 'cancelled' }[];
  createdTimers: WfTimer[];
  movedTimers: WfTimer[];
  deletedTimers: WfTimer[];
  createdSubscriptions: WfMessageSubscription[];
  deletedSubscriptions: WfMessageSubscription[];
  history: Omit<WfHistory, 'id'>[];
}

interface LiveTimer {
  executionId: string;
  elementId: string;
  dueAt: number;
  callback: (...args: unknown[]) => void;
  args: unknown[];
}

interface LiveJob {
  elementId: string;
  activity: any;
  callback: (error: Error | null, output?: unknown) => void;
  local: Variables;
}

type Api = any;

/** bpmn-elements' own resolver (`${…}` and literals such as `PT1S`), for everything that is not FEEL. */
const defaultExpressions = new Environment().expressions as any;
/** Activity types whose end output is variables to merge (task results, message payloads). */
const OUTPUT_TYPES = new Set(['bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask', 'bpmn:ReceiveTask', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:StartEvent']);

/**
 * One step of one instance: a bpmn-engine recovered from the instance's saved state (or a fresh one),
 * an action (signal a task, a worker's outcome, a message, a timer), then — once the engine waits again —
 * the differences between what the engine waits for and the rows open in the database. The engine
 * object lives only for the step: idle instances cost no memory.
 *
 * Variables live in one flat process scope beside the engine state (not in bpmn-engine's environment,
 * which mixes in `fields`, `content` and `properties`).
 */
export class InstanceRun implements JobExecutionSink {
  readonly engine: Engine;
  variables: Variables;
  active: Record<string, ActiveEntry>;
  ended = false;
  private failure: Error | null = null;
  private history: Omit<WfHistory, 'id'>[] = [];
  private readonly liveTimers = new Map<string, LiveTimer>();
  private readonly liveJobs = new Map<string, LiveJob>();
  /** When the engine last did a step: idle engines are evicted. */
  lastUsed = Date.now();
  private completedTasks = new Map<string, string | null>();
  private completedJobs = new Set<string>();

  constructor(
    readonly instanceId: string,
    private readonly deployment: LoadedDeployment,
    private readonly clock: Clock,
    private readonly open: OpenRows,
    variables: Variables,
    active: Record<string, ActiveEntry>,
    private readonly context: { businessKey: string | null },
  ) {
    this.variables = variables;
    this.active = active;
    this.engine = new Engine({
      name: instanceId,
      sourceContext: deployment.context as any,
      extensions: { zeebe: (activity: any) => this.extend(activity) },
      expressions: {
        resolveExpression: (expression: string, message: unknown, fnContext: unknown) =>
          isFeel(expression) ? evaluateFeel(expression, this.variables) : defaultExpressions.resolveExpression(expression, message, fnContext),
        isExpression: defaultExpressions.isExpression,
        hasExpression: defaultExpressions.hasExpression,
      } as any,
      services: { workflowClock: clock, workflowRun: this },
      Logger: silentLogger,
      timers: this.timersApi() as any,
    } as any);
    this.engine.on('end', () => (this.ended = true));
    this.engine.on('error', (error: Error) => (this.failure ??= error));
  }

  async start(): Promise<void> {
    await this.engine.execute();
    await this.settle();
  }

  async resume(state: unknown): Promise<void> {
    this.engine.recover(state as any);
    await this.engine.resume();
    await this.settle();
  }

  /** bpmn-engine's saved state without the definition source (recovered from the deployment's context). */
  async savedState(): Promise<string | null> {
    if (this.ended) return null;
    const state = (await this.engine.getState()) as any;
    for (const definition of state.definitions ?? []) delete definition.source;
    return JSON.stringify(state);
  }

  stop(): void {
    this.engine.stop();
  }

  // ——— actions ———

  async completeUserTask(executionId: string, variables: Variables, actor: string): Promise<void> {
    const api = this.findPostponed(executionId);
    if (!api) throw new WorkflowError('INVALID_STATE', `User task ${executionId} is not waiting in instance ${this.instanceId}`);
    this.completedTasks.set(executionId, actor);
    api.signal(variables ?? {});
    await this.settle();
  }

  async completeJob(executionId: string, variables: Variables | undefined): Promise<void> {
    const job = this.takeJob(executionId);
    job.callback(null, variables ?? {});
    await this.settle();
  }

  async throwJobError(executionId: string, errorCode: string, message: string | undefined, variables: Variables | undefined): Promise<void> {
    const job = this.takeJob(executionId);
    if (variables) Object.assign(this.variables, variables);
    job.callback(Object.assign(new Error(message ?? errorCode), { code: errorCode }));
    await this.settle();
  }

  async deliverMessage(executionId: string, variables: Variables): Promise<boolean> {
    const api = this.findPostponed(executionId);
    if (!api) return false;
    api.signal(variables ?? {});
    await this.settle();
    return true;
  }

  /** Fires a timer the engine registered in this step; false when the instance no longer waits for it. */
  async fireTimer(executionId: string): Promise<boolean> {
    const timer = this.liveTimers.get(executionId);
    if (!timer) return false;
    this.liveTimers.delete(executionId);
    timer.callback(...timer.args);
    await this.settle();
    return true;
  }

  /** Signals the waiting start event (message or timer start) of a freshly started instance. */
  async triggerStartEvent(elementId: string, variables: Variables): Promise<void> {
    const api = this.allPostponed().find((candidate) => candidate.id === elementId);
    if (!api) return; // a timer start event whose date has passed fired by itself
    const timer = [...this.liveTimers.values()].find((candidate) => candidate.elementId === elementId);
    if (timer) {
      this.liveTimers.delete(timer.executionId);
      timer.callback(...timer.args);
    } else {
      api.signal(variables);
    }
    await this.settle();
  }

  // ——— reconciliation ———

  /** Compares what the engine waits for now with the rows open at the start of the step. */
  changes(): StepChanges {
    this.throwIfFailed();
    const now = this.clock.now().getTime();
    const changes: StepChanges = { createdTasks: [], closedTasks: [], createdJobs: [], closedJobs: [], createdTimers: [], movedTimers: [], deletedTimers: [], createdSubscriptions: [], deletedSubscriptions: [], history: [...this.history] };
    const postponed = this.ended ? [] : this.allPostponed();
    const liveTasks = new Map<string, Api>();
    const liveSubscriptions = new Map<string, { api: Api; messageRef: string }>();
    for (const api of postponed) {
      if (api.type === 'bpmn:UserTask') liveTasks.set(api.executionId, api);
      const messageRef = messageRefOf(api.owner);
      if (messageRef) liveSubscriptions.set(api.executionId, { api, messageRef });
    }

    for (const [executionId, api] of liveTasks) if (!this.open.tasks.has(executionId)) changes.createdTasks.push(this.newTask(api, now));
    for (const [executionId, row] of this.open.tasks) {
      if (liveTasks.has(executionId)) continue;
      const completed = this.completedTasks.has(executionId);
      changes.closedTasks.push({ row, state: completed ? 'completed' : 'cancelled', completedBy: completed ? this.completedTasks.get(executionId)! : null });
    }

    const liveJobIds = new Set(postponed.filter((api) => this.liveJobs.has(api.executionId)).map((api) => api.executionId as string));
    for (const executionId of liveJobIds) if (!this.open.jobs.has(executionId)) changes.createdJobs.push(this.newJob(executionId, now));
    for (const [executionId, row] of this.open.jobs) {
      if (!liveJobIds.has(executionId)) changes.closedJobs.push({ row, state: this.completedJobs.has(executionId) ? 'completed' : 'cancelled' });
    }

    for (const [executionId, timer] of this.liveTimers) {
      const row = this.open.timers.get(executionId);
      if (!row) changes.createdTimers.push({ id: randomUUID(), instanceId: this.instanceId, deploymentId: null, executionId, elementId: timer.elementId, dueAt: timer.dueAt, cycle: null });
      else if (row.dueAt !== timer.dueAt) changes.movedTimers.push({ ...row, dueAt: timer.dueAt });
    }
    for (const [executionId, row] of this.open.timers) if (!this.liveTimers.has(executionId)) changes.deletedTimers.push(row);

    for (const [executionId, { api, messageRef }] of liveSubscriptions) {
      if (this.open.subscriptions.has(executionId)) continue;
      const message = this.deployment.meta.messages[messageRef] ?? { name: messageRef, correlationKey: null };
      const correlationKey = message.correlationKey ? evaluateFeelString(message.correlationKey, this.variables) : null;
      changes.createdSubscriptions.push({
        id: randomUUID(), instanceId: this.instanceId, executionId, elementId: api.id, messageName: message.name, correlationKey: correlationKey ?? '', createdAt: now,
      });
    }
    for (const [executionId, row] of this.open.subscriptions) if (!liveSubscriptions.has(executionId)) changes.deletedSubscriptions.push(row);
    return changes;
  }

  /** An open user task of this instance by its key. */
  openTask(taskKey: string): WfUserTask | undefined {
    for (const task of this.open.tasks.values()) if (task.id === taskKey) return task;
    return undefined;
  }

  openTaskKeys(): string[] {
    return [...this.open.tasks.values()].map((task) => task.id);
  }

  /** Forgets what the previous step did (the engine may stay in memory between steps). */
  beginStep(): void {
    this.history = [];
    this.completedTasks = new Map();
    this.completedJobs = new Set();
  }

  /** After commit: the created rows are open, the closed ones are not. */
  committed(changes: StepChanges): void {
    for (const row of changes.createdTasks) this.open.tasks.set(row.executionId, row);
    for (const { row } of changes.closedTasks) this.open.tasks.delete(row.executionId);
    for (const row of changes.createdJobs) this.open.jobs.set(row.executionId, row);
    for (const { row } of changes.closedJobs) this.open.jobs.delete(row.executionId);
    for (const row of [...changes.createdTimers, ...changes.movedTimers]) this.open.timers.set(row.executionId, row);
    for (const row of changes.deletedTimers) this.open.timers.delete(row.executionId);
    for (const row of changes.createdSubscriptions) this.open.subscriptions.set(row.executionId, row);
    for (const row of changes.deletedSubscriptions) this.open.subscriptions.delete(row.executionId);
  }

  // ——— engine hooks ———

  onJobExecute(activity: any, message: { content: Record<string, any> }, callback: (error: Error | null, output?: unknown) => void): void {
    const extensions = readZeebeExtensions(activity.behaviour);
    const local = this.evaluateInputs(extensions.inputs);
    this.liveJobs.set(message.content.executionId, { elementId: activity.id, activity, callback, local });
  }

  private extend(activity: any) {
    if (activity.type === 'bpmn:Process') return { activate() {}, deactivate() {} };
    activity.on('start', (api: Api) => {
      const executionId = api.executionId;
      if (this.active[executionId]) return;
      this.active[executionId] = { elementId: api.id, elementType: api.type, startedAt: this.clock.now().getTime() };
      this.record(api, 'started', null);
    });
    activity.on('end', (api: Api) => {
      // Message events end twice: their event definition (carrying the payload) and the activity.
      if (OUTPUT_TYPES.has(activity.type)) this.applyOutputs(activity, api.content.output);
      this.leave(api, 'completed');
    });
    activity.on('leave', (api: Api) => this.leave(api, 'cancelled'));
    return { activate() {}, deactivate() {} };
  }

  private leave(api: Api, event: 'completed' | 'cancelled'): void {
    const executionId = api.executionId;
    if (!this.active[executionId]) return;
    delete this.active[executionId];
    const actor = event === 'completed' ? (this.completedTasks.get(executionId) ?? null) : null;
    if (event === 'completed' && this.liveJobs.has(executionId)) this.completedJobs.add(executionId);
    this.record(api, event, actor);
  }

  private record(api: Api, event: string, actor: string | null): void {
    this.history.push({ instanceId: this.instanceId, executionId: api.executionId, elementId: api.id, elementType: api.type, event, at: this.clock.now().getTime(), actor });
  }

  private applyOutputs(activity: any, output: unknown): void {
    if (!output || typeof output !== 'object' || Array.isArray(output)) return;
    const result = output as Variables;
    const extensions = readZeebeExtensions(activity.behaviour);
    if (!extensions.outputs.length) {
      Object.assign(this.variables, result);
      return;
    }
    const scope = { ...this.variables, ...this.evaluateInputs(extensions.inputs), ...result };
    for (const mapping of extensions.outputs) this.variables[mapping.target] = isFeel(mapping.source) ? evaluateFeel(mapping.source, scope) : (scope[mapping.source] ?? null);
  }

  private evaluateInputs(inputs: ZeebeMapping[]): Variables {
    const local: Variables = {};
    for (const mapping of inputs) {
      const scope = { ...this.variables, ...local };
      local[mapping.target] = isFeel(mapping.source) ? evaluateFeel(mapping.source, scope) : (scope[mapping.source] ?? null);
    }
    return local;
  }

  private newTask(api: Api, now: number): WfUserTask {
    const activity = api.owner;
    const zeebe = readZeebeExtensions(activity.behaviour);
    const local = this.evaluateInputs(zeebe.inputs);
    const scope = { ...this.variables, ...local };
    const priority = zeebe.priority === undefined ? 50 : Number(evaluateFeel(zeebe.priority, scope));
    return {
      id: randomUUID(),
      instanceId: this.instanceId,
      executionId: api.executionId,
      elementId: api.id,
      bpmnProcessId: this.deployment.bpmnProcessId,
      businessKey: this.context.businessKey,
      name: activity.name ?? null,
      state: 'created',
      assignee: evaluateFeelString(zeebe.assignee, scope),
      candidateGroups: JSON.stringify(evaluateFeelList(zeebe.candidateGroups, scope)),
      candidateUsers: JSON.stringify(evaluateFeelList(zeebe.candidateUsers, scope)),
      dueDate: evaluateFeelString(zeebe.dueDate, scope),
      followUpDate: evaluateFeelString(zeebe.followUpDate, scope),
      priority: Number.isFinite(priority) ? priority : 50,
      formKey: zeebe.formKey ?? null,
      customHeaders: JSON.stringify(zeebe.headers),
      variables: JSON.stringify(scope),
      createdAt: now,
      completedAt: null,
      completedBy: null,
    };
  }

  private newJob(executionId: string, now: number): WfJob {
    const job = this.liveJobs.get(executionId)!;
    const zeebe = readZeebeExtensions(job.activity.behaviour);
    if (!zeebe.taskType) throw new WorkflowError('INVALID_BPMN', `Service task ${job.elementId} has no zeebe:taskDefinition type`);
    const retries = zeebe.retries ? Number(evaluateFeel(zeebe.retries, this.variables)) : 3;
    return {
      id: randomUUID(),
      instanceId: this.instanceId,
      executionId,
      elementId: job.elementId,
      type: String(evaluateFeel(zeebe.taskType, this.variables)),
      state: 'activatable',
      retries: Number.isFinite(retries) ? retries : 3,
      availableAt: now,
      customHeaders: JSON.stringify(zeebe.headers),
      localVariables: JSON.stringify(job.local),
      errorMessage: null,
      createdAt: now,
    };
  }

  private takeJob(executionId: string): LiveJob {
    const job = this.liveJobs.get(executionId);
    if (!job) throw new WorkflowError('INVALID_STATE', `Job ${executionId} is not active in instance ${this.instanceId}`);
    return job;
  }

  private timersApi() {
    const setTimer = (owner: any, callback: (...args: unknown[]) => void, delay: number, args: unknown[]) => {
      const executionId = owner?.executionId as string;
      const dueAt = owner?.expireAt ? new Date(owner.expireAt).getTime() : this.clock.now().getTime() + delay;
      const timer: LiveTimer = { executionId, elementId: owner?.id, dueAt, callback, args };
      this.liveTimers.set(executionId, timer);
      return timer;
    };
    const clearTimer = (ref: LiveTimer | undefined) => {
      if (ref && this.liveTimers.get(ref.executionId) === ref) this.liveTimers.delete(ref.executionId);
    };
    return {
      register: (owner: unknown) => ({
        setTimeout: (callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]) => setTimer(owner, callback, delay, args),
        clearTimeout: clearTimer,
      }),
      setTimeout: (callback: (...args: unknown[]) => void, delay: number, ...args: unknown[]) => setTimer(null, callback, delay, args),
      clearTimeout: clearTimer,
      get executing() {
        return [];
      },
    };
  }

  private findPostponed(executionId: string): Api | undefined {
    return this.allPostponed().find((api) => api.executionId === executionId);
  }

  private allPostponed(): Api[] {
    const result: Api[] = [];
    const seen = new Set<string>();
    const walk = (apis: Api[]) => {
      for (const api of apis) {
        if (seen.has(api.executionId)) continue;
        seen.add(api.executionId);
        result.push(api);
        if (api.owner?.isSubProcess) walk(api.getPostponed());
      }
    };
    walk((this.engine.execution?.getPostponed() ?? []) as Api[]);
    return result;
  }

  private async settle(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.throwIfFailed();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }
}

/** bpmn-engine's default logger probes the terminal for every element it creates: measurable per step. */
const silentLogger = () => ({ debug() {}, error() {}, warn() {}, info() {} });

function messageRefOf(activity: any): string | null {
  const behaviour = activity?.behaviour;
  if (!behaviour) return null;
  if (activity.type === 'bpmn:ReceiveTask') return behaviour.messageRef?.id ?? null;
  for (const definition of behaviour.eventDefinitions ?? []) {
    if (definition.type === 'bpmn:MessageEventDefinition') return definition.behaviour?.messageRef?.id ?? null;
  }
  return null;
}
