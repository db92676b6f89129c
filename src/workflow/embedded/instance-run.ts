import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Engine } from 'bpmn-engine';
import { Environment } from 'bpmn-elements';
import type { Clock } from '../../shared/clock';
import { Variables, WorkflowError } from '../workflow-engine';
import { installBrokerShortcuts } from './broker-shortcuts';
import { catchesError, type LoadedDeployment } from './deployment-registry';
import { evaluateFeel, evaluateFeelList, evaluateFeelString, isFeel } from './feel-expressions';
import { LOOP_MARKER, readZeebeExtensions, ZeebeLoop, ZeebeMapping } from './zeebe-extensions';
import type { JobExecutionSink } from './zeebe-job-service';
import { WfCall, WfHistory, WfJob, WfMessageSubscription, WfTimer, WfUserTask } from './workflow.entities';

/** Rows of one instance that are open in the database when a step begins, by execution id. */
export interface OpenRows {
  tasks: Map<string, WfUserTask>;
  jobs: Map<string, WfJob>;
  timers: Map<string, WfTimer>;
  subscriptions: Map<string, WfMessageSubscription>;
  /** Calls not yet closed or cancelled, by the call activity's (iteration's) execution id. */
  calls: Map<string, WfCall>;
}

export interface ActiveEntry {
  elementId: string;
  elementType: string;
  startedAt: number;
  /** A multi-instance activity's input collection, evaluated once when it started. */
  collection?: unknown[];
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
  /** Call activities (or iterations) entered: the children to start once this step is committed. */
  createdCalls: WfCall[];
  /** Calls the instance no longer waits for: `closed` when this step handed over the child's outcome, else `cancelled` (the child's tree ends). */
  closedCalls: { row: WfCall; state: 'closed' | 'cancelled' }[];
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
installBrokerShortcuts();

const defaultExpressions = new Environment().expressions as any;
/** Activity types whose end output is variables to merge (task results, message payloads). */
const OUTPUT_TYPES = new Set(['bpmn:UserTask', 'bpmn:ServiceTask', 'bpmn:SendTask', 'bpmn:BusinessRuleTask', 'bpmn:ReceiveTask', 'bpmn:IntermediateCatchEvent', 'bpmn:BoundaryEvent', 'bpmn:StartEvent', 'bpmn:CallActivity']);
/** Parallel multi-instance starts every iteration at once (bpmn-elements' default is batches of 50). */
const UNBATCHED = Number.MAX_SAFE_INTEGER;

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
  /** Calls whose outcome (output or error) this step handed to the call activity. */
  private settledCalls = new Set<string>();
  /** Error end events reached in this step, with their codes. */
  private thrownErrors: { elementId: string; code: string }[] = [];

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
        resolveExpression: (expression: string, message: any, fnContext: unknown) => {
          if (isFeel(expression)) return evaluateFeel(expression, this.variables);
          if (typeof expression === 'string' && expression.startsWith(LOOP_MARKER)) return this.resolveLoop(expression.slice(LOOP_MARKER.length), message);
          return defaultExpressions.resolveExpression(expression, message, fnContext);
        },
        isExpression: defaultExpressions.isExpression,
        hasExpression: defaultExpressions.hasExpression,
      } as any,
      services: { workflowClock: clock, workflowRun: this },
      Logger: silentLogger,
      settings: { batchSize: UNBATCHED },
      timers: this.timersApi() as any,
    } as any);
    this.engine.on('end', () => (this.ended = true));
    this.engine.on('error', (error: Error) => (this.failure ??= error));
  }

  async start(): Promise<void> {
    await this.engine.execute({ listener: this.elementEvents });
    await this.settle();
  }

  async resume(state: unknown): Promise<void> {
    this.engine.recover(state as any);
    await this.engine.resume({ listener: this.elementEvents });
    await this.settle();
  }

  /**
   * bpmn-engine's saved state without the definition source (recovered from the deployment's context).
   * Built as `engine.getState()` builds it, less the source: that serializes the whole definition
   * context on every call (measured: a sixth of the saved state's cost) only for us to drop it.
   */
  async savedState(): Promise<string | null> {
    if (this.ended) return null;
    const execution = (this.engine as any).execution;
    if (!execution) {
      const state = (await this.engine.getState()) as any;
      for (const definition of state.definitions ?? []) delete definition.source;
      return JSON.stringify(state);
    }
    return JSON.stringify({
      name: this.engine.name,
      state: execution.state,
      stopped: execution.stopped,
      engineVersion: BPMN_ENGINE_VERSION,
      environment: execution.environment.getState(),
      definitions: execution.definitions.map((definition: any) => definition.getState()),
    });
  }

  stop(): void {
    this.engine.stop();
  }

  /**
   * Lets go of a waiting (or ended) engine without stopping it. It holds nothing outside itself: its
   * timers are ours (rows, fired only through `fireTimer`), its jobs are rows, and it has no work in
   * flight between steps; unreferenced, it is simply collected. `stop()` would walk every element's
   * broker to cancel its consumers (measured: ~1 ms of CPU per eviction, a tenth of a recovering step).
   * Not for an engine that failed in the middle of a step: `stop()` that one.
   */
  discard(): void {
    this.liveTimers.clear();
    this.liveJobs.clear();
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

  /** Hands a child's variables to the call activity (or iteration) waiting for it; false when it no longer waits. */
  async completeCall(executionId: string, output: Variables): Promise<boolean> {
    const api = this.findPostponed(executionId);
    if (!api || api.type !== 'bpmn:CallActivity') return false;
    this.settledCalls.add(executionId);
    api.signal(output);
    await this.settle();
    return true;
  }

  /** A BPMN error from the called tree, thrown at the call activity (its error boundary event catches it). */
  async failCall(executionId: string, errorCode: string, message: string | undefined): Promise<boolean> {
    const api = this.findPostponed(executionId);
    if (!api || api.type !== 'bpmn:CallActivity') return false;
    this.settledCalls.add(executionId);
    api.sendApiMessage('error', { message: message ?? errorCode, code: errorCode });
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
    const changes: StepChanges = { createdTasks: [], closedTasks: [], createdJobs: [], closedJobs: [], createdTimers: [], movedTimers: [], deletedTimers: [], createdSubscriptions: [], deletedSubscriptions: [], createdCalls: [], closedCalls: [], history: [...this.history] };
    const postponed = this.ended ? [] : this.allPostponed();
    const liveTasks = new Map<string, Api>();
    const liveSubscriptions = new Map<string, { api: Api; messageRef: string }>();
    const liveCalls = new Map<string, Api>();
    for (const api of postponed) {
      if (api.type === 'bpmn:UserTask') liveTasks.set(api.executionId, api);
      if (api.type === 'bpmn:CallActivity') liveCalls.set(api.executionId, api);
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

    for (const [executionId, api] of liveCalls) if (!this.open.calls.has(executionId)) changes.createdCalls.push(this.newCall(api, now));
    for (const [executionId, row] of this.open.calls) {
      if (!liveCalls.has(executionId)) changes.closedCalls.push({ row, state: this.settledCalls.has(executionId) ? 'closed' : 'cancelled' });
    }
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
    this.settledCalls = new Set();
    this.thrownErrors = [];
  }

  /**
   * The error an error end event threw in this step when nothing in this instance catches it and the
   * instance ended with it (bpmn-engine then simply ends the process): for a called instance, it goes
   * to the call activities above.
   */
  uncaughtError(): { code: string; message: string } | null {
    if (!this.ended) return null;
    const thrown = this.thrownErrors.filter((error) => !catchesError(this.deployment.meta, error.elementId, error.code));
    const last = thrown[thrown.length - 1];
    return last ? { code: last.code, message: `error end event ${last.elementId}` } : null;
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
    for (const row of changes.createdCalls) this.open.calls.set(row.parentExecutionId, row);
    for (const { row } of changes.closedCalls) this.open.calls.delete(row.parentExecutionId);
  }

  /** A call row changed outside this instance's steps (the child started, ended or could not start). */
  updateOpenCall(row: WfCall): void {
    if (this.open.calls.has(row.parentExecutionId)) this.open.calls.set(row.parentExecutionId, row);
  }

  // ——— engine hooks ———

  onJobExecute(activity: any, message: { content: Record<string, any> }, callback: (error: Error | null, output?: unknown) => void): void {
    const extensions = readZeebeExtensions(activity.behaviour);
    const iteration = iterationLocals(extensions.loop, message.content);
    const local = { ...iteration, ...this.evaluateInputs(extensions.inputs, { ...this.variables, ...iteration }) };
    this.liveJobs.set(message.content.executionId, { elementId: activity.id, activity, callback, local });
  }

  /**
   * Element starts and ends reach the run through the engine's listener, which bpmn-engine calls for
   * every event it already routes: one subscription per activity per event would route each message
   * through more queues (measured: a fifth of a step's engine time).
   */
  private readonly elementEvents = {
    emit: (routingKey: string, api: Api) => {
      if (routingKey === 'activity.start') this.enter(api);
      else if (routingKey === 'activity.end') this.end(api);
      else if (routingKey === 'activity.leave') this.leave(api, 'cancelled');
    },
  };

  private extend(activity: any) {
    if (activity.type === 'bpmn:Process') return { activate() {}, deactivate() {} };
    const code = this.deployment.meta.errorThrowers?.[activity.id];
    if (code !== undefined) activity.on('throw', () => this.thrownErrors.push({ elementId: activity.id, code }));
    return { activate() {}, deactivate() {} };
  }

  private enter(api: Api): void {
    const executionId = api.executionId;
    if (this.active[executionId]) return;
    this.active[executionId] = { elementId: api.id, elementType: api.type, startedAt: this.clock.now().getTime() };
    this.record(api, 'started', null);
  }

  private end(api: Api): void {
    const activity = api.owner;
    // Message events end twice: their event definition (carrying the payload) and the activity.
    const loop = readZeebeExtensions(activity.behaviour).loop;
    if (loop && this.active[api.executionId]) this.applyLoopOutputs(activity, loop, api);
    else if (OUTPUT_TYPES.has(activity.type)) this.applyOutputs(activity, api.content.output);
    this.leave(api, 'completed');
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

  private applyOutputs(activity: any, output: unknown, iteration: Variables = {}): void {
    if (!output || typeof output !== 'object' || Array.isArray(output)) return;
    const result = output as Variables;
    const extensions = readZeebeExtensions(activity.behaviour);
    if (!extensions.outputs.length) {
      // A call activity with propagateAllChildVariables="false" and no output mappings sets nothing.
      if (extensions.calledElement?.propagateAllChildVariables !== false) Object.assign(this.variables, result);
      return;
    }
    const base = { ...this.variables, ...iteration };
    const scope = { ...base, ...this.evaluateInputs(extensions.inputs, base), ...result };
    for (const mapping of extensions.outputs) this.variables[mapping.target] = isFeel(mapping.source) ? evaluateFeel(mapping.source, scope) : (scope[mapping.source] ?? null);
  }

  /**
   * A multi-instance activity ended: each completed iteration's result is applied in index order (as its
   * own completion would), and `outputCollection` gets each iteration's `outputElement` (null for an
   * iteration that did not complete, e.g. after the completion condition).
   */
  private applyLoopOutputs(activity: any, loop: ZeebeLoop, api: Api): void {
    const outputs = (Array.isArray(api.content.output) ? api.content.output : []) as unknown[];
    const collection = this.active[api.executionId]?.collection ?? [];
    const collected: unknown[] = [];
    for (let index = 0; index < collection.length; index++) {
      const output = outputs[index];
      if (output === undefined || output === null) {
        collected.push(null);
        continue;
      }
      const iteration = loopLocals(loop, collection[index], index);
      if (OUTPUT_TYPES.has(activity.type)) this.applyOutputs(activity, output, iteration);
      if (loop.outputElement) {
        const scope = { ...this.variables, ...iteration, ...(typeof output === 'object' && !Array.isArray(output) ? (output as Variables) : {}) };
        collected.push(isFeel(loop.outputElement) ? evaluateFeel(loop.outputElement, scope) : (scope[loop.outputElement] ?? null));
      }
    }
    if (loop.outputCollection) this.variables[loop.outputCollection] = collected;
  }

  /** The collection (evaluated once per activation) and the completion condition of a multi-instance activity. */
  private resolveLoop(marker: string, message: any): unknown {
    const [kind, activityId] = [marker.slice(0, marker.indexOf(':')), marker.slice(marker.indexOf(':') + 1)];
    const activity = (this.deployment.context as any).getActivityById(activityId);
    const loop = readZeebeExtensions(activity?.behaviour).loop;
    if (!loop) throw new WorkflowError('INVALID_BPMN', `Activity ${activityId} has no zeebe:loopCharacteristics`);
    const content = message?.content ?? {};
    if (kind === 'collection') {
      const entry = this.active[content.executionId];
      if (entry?.collection) return entry.collection;
      const collection = evaluateFeel(loop.inputCollection, this.variables);
      if (!Array.isArray(collection)) throw new WorkflowError('INVALID_STATE', `inputCollection ${loop.inputCollection} of ${activityId} is not a list: ${JSON.stringify(collection)}`);
      if (entry) entry.collection = collection;
      return collection;
    }
    const outputs = (Array.isArray(content.loopOutput) ? content.loopOutput : []) as unknown[];
    const total = Number(content.loopCardinality ?? 0);
    const completed = outputs.filter((output) => output !== undefined).length;
    const result = content.output && typeof content.output === 'object' && !Array.isArray(content.output) ? (content.output as Variables) : {};
    const scope = {
      ...this.variables,
      ...iterationLocals(loop, content),
      ...result,
      numberOfInstances: total,
      numberOfCompletedInstances: completed,
      numberOfActiveInstances: loop.isSequential ? 0 : Math.max(0, total - completed),
      numberOfTerminatedInstances: 0,
    };
    return evaluateFeel(loop.completionCondition!, scope) === true;
  }

  private evaluateInputs(inputs: ZeebeMapping[], base: Variables = this.variables): Variables {
    const local: Variables = {};
    for (const mapping of inputs) {
      const scope = { ...base, ...local };
      local[mapping.target] = isFeel(mapping.source) ? evaluateFeel(mapping.source, scope) : (scope[mapping.source] ?? null);
    }
    return local;
  }

  private newTask(api: Api, now: number): WfUserTask {
    const activity = api.owner;
    const zeebe = readZeebeExtensions(activity.behaviour);
    const iteration = iterationLocals(zeebe.loop, api.content);
    const local = { ...iteration, ...this.evaluateInputs(zeebe.inputs, { ...this.variables, ...iteration }) };
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

  /**
   * The call row of a call activity (or iteration) just entered: the child's variables are the parent's
   * (unless propagateAllParentVariables="false") plus the input mappings. An expression that fails leaves
   * the call without a process id: the engine raises an incident on it.
   */
  private newCall(api: Api, now: number): WfCall {
    const zeebe = readZeebeExtensions(api.owner.behaviour);
    const called = zeebe.calledElement!;
    let calledProcessId: string | null = null;
    let variables: Variables;
    try {
      const scope = { ...this.variables, ...iterationLocals(zeebe.loop, api.content) };
      const inputs = this.evaluateInputs(zeebe.inputs, scope);
      calledProcessId = evaluateFeelString(called.processId, { ...scope, ...inputs });
      variables = called.propagateAllParentVariables ? { ...scope, ...inputs } : inputs;
      if (!calledProcessId) variables = { error: `the called process id ${called.processId} is empty` };
    } catch (error) {
      variables = { error: error instanceof Error ? error.message : String(error) };
    }
    return {
      id: randomUUID(), parentInstanceId: this.instanceId, parentExecutionId: api.executionId, elementId: api.id, calledProcessId,
      childInstanceId: null, state: 'pending', variables: JSON.stringify(variables), createdAt: now,
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
        const execution = api.owner?.behaviour?.loopCharacteristics ? api.owner.execution : null;
        if (execution && execution.executionId === api.executionId) {
          // A multi-instance activity: what waits are its iterations, not the activity.
          walk(((execution.getPostponed() ?? []) as Api[]).filter((child) => child.executionId !== api.executionId));
          continue;
        }
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

/** The variables an iteration of a multi-instance activity sees: its element and `loopCounter` (1-based). */
function iterationLocals(loop: ZeebeLoop | null, content: Record<string, any> | undefined): Variables {
  if (!loop || !content?.isMultiInstance || content.isRootScope || typeof content.index !== 'number') return {};
  return loopLocals(loop, content[loop.inputElement ?? 'wfLoopElement'], content.index);
}

function loopLocals(loop: ZeebeLoop, element: unknown, index: number): Variables {
  return loop.inputElement ? { [loop.inputElement]: element ?? null, loopCounter: index + 1 } : { loopCounter: index + 1 };
}

/** Written into saved states as bpmn-engine's own `getState()` does (informational; recovery ignores it). */
const BPMN_ENGINE_VERSION: string = JSON.parse(readFileSync(join(dirname(require.resolve('bpmn-engine')), '..', 'package.json'), 'utf8')).version;

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
