import { hostname } from 'node:os';
// Only the type at load: the client (~340 ms to require) is loaded when the adapter starts, so that
// processes on the embedded engine (the default, every CLI command, the tests' children) never pay it.
import type { CamundaRestClient } from '@camunda8/sdk';
import {
  ActiveElement,
  BpmnResource,
  DeployedProcess,
  HistoryEntry,
  HistoryEvent,
  Incident,
  IncidentType,
  InstanceState,
  InstanceStatus,
  Job,
  JobHandler,
  JobOutcome,
  ProcessInstanceRef,
  PublishMessageRequest,
  PublishMessageResult,
  StartInstanceRequest,
  UserTask,
  UserTaskFilter,
  UserTaskState,
  Variables,
  WorkerRegistration,
  WorkflowEngine,
  WorkflowError,
  WorkflowEvent,
  WorkflowEventListener,
} from '../workflow-engine';
import { httpStatusOf, isTransient, toWorkflowError } from './zeebe-errors';

/**
 * The application's business key travels as this process variable (Zeebe has no business key):
 * set by `startInstance`, read back for jobs and user tasks, hidden from the variables the port shows.
 */
export const BUSINESS_KEY_VARIABLE = 'isoCycleBusinessKey';

/** How the adapter authenticates to the Orchestration Cluster REST API. */
export type ZeebeAuth =
  | { strategy: 'NONE' }
  | { strategy: 'BASIC'; username: string; password: string }
  | { strategy: 'OAUTH'; clientId: string; clientSecret: string; oauthUrl: string; audience: string | undefined };

export interface ZeebeEngineOptions {
  /** The Orchestration Cluster REST address, e.g. `http://camunda:8080` (the client adds `/v2`). */
  restAddress: string;
  auth: ZeebeAuth;
  tenantId?: string;
  /** Worker name shown in Operate for activated jobs (default: `iso-cycle@<host>`). */
  workerName?: string;
  /** How long an activated job stays ours before Zeebe hands it to another worker (default 5 min). */
  jobTimeoutMs?: number;
  /** Long-poll duration of one job activation request (default 10 s). */
  pollRequestTimeoutMs?: number;
  /** Jobs activated per request and worker type (default 8). */
  maxJobsPerActivation?: number;
  /** How often user tasks and incidents are searched to produce the port's events (default 2 s; 0: only in `whenIdle`). */
  eventSyncIntervalMs?: number;
  /** Retries of one request on no answer, 429, 502, 503 and 504 (default 5), first after `retryBaseDelayMs` (default 500), doubling. */
  requestRetries?: number;
  retryBaseDelayMs?: number;
  log?: (message: string, error?: unknown) => void;
}

const PAGE = { from: 0, limit: 1000 };

type RestUserTask = {
  userTaskKey: string; state: string; assignee?: string | null; elementId: string; name?: string | null; candidateGroups?: string[]; candidateUsers?: string[];
  processDefinitionId: string; processInstanceKey: string; creationDate: string; completionDate?: string | null; followUpDate?: string | null; dueDate?: string | null;
  externalFormReference?: string | null; formKey?: string | null; customHeaders?: Record<string, string>; priority?: number;
};
type RestIncident = { incidentKey: string; errorType: string; errorMessage: string; elementId: string; creationTime: string; state: string; processInstanceKey: string; jobKey?: string | null };
type RestElementInstance = { elementInstanceKey: string; elementId: string; type: string; state: string; startDate: string; endDate?: string | null };
type RestVariable = { name: string; value: string };

interface WorkerLoop {
  type: string;
  handler: JobHandler;
  closed: boolean;
  /** Set when an activation that started after `since` came back empty with nothing in flight. */
  quietSince: number;
  inFlight: number;
  cancel: (() => void) | null;
}

/**
 * The workflow port on Camunda 8.8 through `@camunda8/sdk`'s Orchestration Cluster REST client:
 * deployments, instances, Camunda user tasks, jobs (activation long-polling), messages and incidents.
 * The adapter keeps no state of its own beyond the events it has already announced (so several
 * application processes can share one cluster); the port's events are derived by searching user
 * tasks and incidents (see docs/workflow-engine.md, "Camunda 8 (Zeebe)", for what differs).
 */
export class ZeebeWorkflowEngine extends WorkflowEngine {
  private client: CamundaRestClient | null = null;
  private readonly listeners = new Set<WorkflowEventListener>();
  private readonly workers = new Map<string, WorkerLoop>();
  private running = false;
  private syncTimer: NodeJS.Timeout | null = null;
  private syncing: Promise<void> = Promise.resolve();
  /** Open user tasks and open incidents already announced, with what was announced. */
  private readonly knownTasks = new Map<string, UserTask>();
  private readonly knownIncidents = new Map<string, Incident>();
  private readonly log: (message: string, error?: unknown) => void;

  constructor(private readonly options: ZeebeEngineOptions) {
    super();
    this.log = options.log ?? ((message, error) => console.error(`[workflow:zeebe] ${message}`, error ?? ''));
  }

  // ——— lifecycle ———

  async start(): Promise<void> {
    this.client = await this.createClient();
    await this.call('reach the Camunda cluster at ' + this.options.restAddress, () => this.rest.getTopology());
    this.running = true;
    await this.syncEvents(false);
    for (const loop of this.workers.values()) this.runLoop(loop);
    const interval = this.options.eventSyncIntervalMs ?? 2000;
    if (interval > 0) {
      this.syncTimer = setInterval(() => void this.syncEventsOnce(true), interval);
      this.syncTimer.unref();
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.syncTimer) clearInterval(this.syncTimer);
    this.syncTimer = null;
    for (const loop of this.workers.values()) loop.cancel?.();
    while ([...this.workers.values()].some((loop) => loop.inFlight > 0)) await delay(10);
    await this.syncing;
  }

  onEvent(listener: WorkflowEventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Idle means: no handler is running and every worker's activation that started after this call
   * has come back empty (after its long poll); then the events are brought up to date. The broker may still
   * create jobs later (timers); "idle" is as of what the cluster had to hand out.
   */
  async whenIdle(): Promise<void> {
    if (!this.running) return;
    const since = Date.now();
    for (;;) {
      const loops = [...this.workers.values()].filter((loop) => !loop.closed);
      if (loops.every((loop) => loop.inFlight === 0 && loop.quietSince > since)) break;
      await delay(5);
    }
    await this.syncEventsOnce(true);
  }

  // ——— deployments and instances ———

  async deploy(resources: BpmnResource[]): Promise<DeployedProcess[]> {
    const response = await this.call(`deploy ${resources.map((resource) => resource.name).join(', ')}`, () =>
      this.rest.deployResources(resources.map((resource) => ({ name: resource.name, content: resource.xml })), this.options.tenantId), 'INVALID_BPMN');
    return response.processes.map((process) => ({
      bpmnProcessId: process.processDefinitionId,
      version: Number(process.processDefinitionVersion),
      processDefinitionKey: String(process.processDefinitionKey),
      resourceName: process.resourceName,
    }));
  }

  async startInstance(request: StartInstanceRequest): Promise<ProcessInstanceRef> {
    const variables = { ...(request.variables ?? {}), ...(request.businessKey !== undefined && { [BUSINESS_KEY_VARIABLE]: request.businessKey }) };
    const created = await this.call(`start process "${request.bpmnProcessId}"`, () =>
      this.rest.createProcessInstance({ processDefinitionId: request.bpmnProcessId, ...(request.version !== undefined && { processDefinitionVersion: request.version }), variables } as never));
    return { instanceKey: String(created.processInstanceKey), bpmnProcessId: created.processDefinitionId, version: Number(created.processDefinitionVersion), businessKey: request.businessKey ?? null };
  }

  /** Zeebe cancels the instances a cancelled instance called; they are announced deepest first, like the embedded engine does. */
  async cancelInstance(instanceKey: string): Promise<void> {
    const instance = await this.getInstance(instanceKey);
    if (instance.status !== 'active') throw new WorkflowError('INVALID_STATE', `instance ${instanceKey} is ${instance.status}, not active`);
    const called = (await this.listInstanceTree(instanceKey)).filter((node) => node.status === 'active' && node.depth > 0 && node.instanceKey !== instanceKey);
    await this.call(`cancel instance ${instanceKey}`, () => this.rest.cancelProcessInstance({ processInstanceKey: instanceKey }));
    await this.syncEventsOnce(true);
    for (const node of called.sort((a, b) => b.depth - a.depth)) {
      this.emit({ type: 'instanceCancelled', instance: { instanceKey: node.instanceKey, bpmnProcessId: node.bpmnProcessId, version: node.version, businessKey: instance.businessKey } });
    }
    this.emit({ type: 'instanceCancelled', instance: { instanceKey, bpmnProcessId: instance.bpmnProcessId, version: instance.version, businessKey: instance.businessKey } });
  }

  async getInstance(instanceKey: string): Promise<InstanceState> {
    const [instance] = await this.searchInstances({ processInstanceKey: instanceKey });
    if (!instance) throw new WorkflowError('NOT_FOUND', `process instance ${instanceKey} not found`);
    const [variables, elements, incidents] = await Promise.all([
      this.instanceVariables(instanceKey),
      this.elementInstances(instanceKey, 'ACTIVE'),
      this.listIncidents({ instanceKey, state: 'open' }),
    ]);
    const { [BUSINESS_KEY_VARIABLE]: businessKey, ...visible } = variables;
    const parentInstanceKey = instance.parentProcessInstanceKey ? String(instance.parentProcessInstanceKey) : null;
    const rootInstanceKey = parentInstanceKey ? await this.rootOf(parentInstanceKey) : instanceKey;
    // A called instance carries the business key of its root (the variable is not mapped into children).
    const inherited = businessKey === undefined && rootInstanceKey !== instanceKey ? (await this.instanceVariables(rootInstanceKey))[BUSINESS_KEY_VARIABLE] : businessKey;
    const state = {
      instanceKey,
      parentInstanceKey,
      rootInstanceKey,
      bpmnProcessId: instance.processDefinitionId,
      version: Number(instance.processDefinitionVersion),
      businessKey: typeof inherited === 'string' ? inherited : null,
      status: toInstanceStatus(instance.state),
      variables: visible,
      activeElements: elements.filter((element) => element.type !== 'PROCESS').map((element): ActiveElement => ({
        elementId: element.elementId, elementType: toElementType(element.type), executionId: String(element.elementInstanceKey), startedAt: new Date(element.startDate),
      })),
      openIncidents: incidents,
      startedAt: new Date(instance.startDate),
      endedAt: instance.endDate ? new Date(instance.endDate) : null,
    };
    return state;
  }

  /** The call tree from process instance search (`parentProcessInstanceKey`): up to the root, then down level by level. */
  async listInstanceTree(instanceKey: string): Promise<CallTreeNode[]> {
    const root = await this.rootOf(instanceKey);
    const nodes: CallTreeNode[] = [];
    let level = await this.searchInstances({ processInstanceKey: root });
    if (level.length === 0) throw new WorkflowError('NOT_FOUND', `process instance ${instanceKey} not found`);
    for (let depth = 0; level.length > 0; depth++) {
      for (const instance of level) {
        nodes.push({
          instanceKey: String(instance.processInstanceKey), bpmnProcessId: instance.processDefinitionId, version: Number(instance.processDefinitionVersion), businessKey: null,
          status: toInstanceStatus(instance.state), parentInstanceKey: instance.parentProcessInstanceKey ? String(instance.parentProcessInstanceKey) : null,
          parentElementId: instance.parentFlowNodeInstanceKey ? await this.elementIdOf(String(instance.parentFlowNodeInstanceKey)) : null, depth, startedAt: new Date(instance.startDate), endedAt: instance.endDate ? new Date(instance.endDate) : null,
        });
      }
      const children: RestProcessInstance[] = [];
      for (const instance of level) children.push(...(await this.searchInstances({ parentProcessInstanceKey: String(instance.processInstanceKey) })));
      level = children.sort((a, b) => a.startDate.localeCompare(b.startDate));
    }
    return nodes;
  }

  private async elementIdOf(elementInstanceKey: string): Promise<string | null> {
    const element = await this.call(`read element instance ${elementInstanceKey}`, () => this.rest.getElementInstance(elementInstanceKey)).catch(() => null);
    return element?.elementId ?? null;
  }

  private async rootOf(instanceKey: string): Promise<string> {
    let key = instanceKey;
    for (let hops = 0; hops < 100; hops++) {
      const [instance] = await this.searchInstances({ processInstanceKey: key });
      if (!instance) throw new WorkflowError('NOT_FOUND', `process instance ${key} not found`);
      if (!instance.parentProcessInstanceKey) return key;
      key = String(instance.parentProcessInstanceKey);
    }
    return key;
  }

  private async searchInstances(filter: Record<string, string>): Promise<RestProcessInstance[]> {
    const found = await this.call('search process instances', () => this.rest.searchProcessInstances({ filter, page: PAGE } as never));
    return found.items as unknown as RestProcessInstance[];
  }

  /** From Zeebe's element instances: when each element started and ended; Zeebe records no actors. */
  async getHistory(instanceKey: string): Promise<HistoryEntry[]> {
    const elements = await this.elementInstances(instanceKey);
    if (elements.length === 0) await this.getInstance(instanceKey);
    const entries: HistoryEntry[] = [];
    for (const element of elements) {
      const process = element.type === 'PROCESS';
      const base = { elementId: element.elementId, elementType: toElementType(element.type), executionId: String(element.elementInstanceKey), actor: null };
      entries.push({ ...base, event: process ? 'instance-started' : 'started', at: new Date(element.startDate) });
      if (element.type === 'CALL_ACTIVITY') {
        for (const child of await this.searchInstances({ parentFlowNodeInstanceKey: String(element.elementInstanceKey) })) {
          entries.push({ ...base, event: 'called' as string as HistoryEvent, at: new Date(child.startDate), calledInstanceKey: String(child.processInstanceKey) } as HistoryEntry);
        }
      }
      if (element.endDate && element.state !== 'ACTIVE') {
        const event: HistoryEvent = element.state === 'COMPLETED' ? (process ? 'instance-completed' : 'completed') : process ? 'instance-cancelled' : 'cancelled';
        entries.push({ ...base, event, at: new Date(element.endDate) });
      }
    }
    return entries.sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  // ——— user tasks ———

  async listUserTasks(filter: UserTaskFilter = {}): Promise<UserTask[]> {
    const restFilter: Record<string, unknown> = {
      ...(filter.state && { state: toRestTaskState(filter.state) }),
      ...(filter.instanceKey && { processInstanceKey: filter.instanceKey }),
      ...(filter.bpmnProcessId && { processDefinitionId: filter.bpmnProcessId }),
      ...(filter.elementId && { elementId: filter.elementId }),
      ...(filter.assignee && { assignee: filter.assignee }),
      ...(filter.candidateGroup && { candidateGroup: filter.candidateGroup }),
      ...(filter.candidateUser && { candidateUser: filter.candidateUser }),
      ...(filter.businessKey !== undefined && { processInstanceVariables: [{ name: BUSINESS_KEY_VARIABLE, value: JSON.stringify(filter.businessKey) }] }),
    };
    const found = await this.searchTasks(restFilter);
    return Promise.all(found.map((task) => this.toUserTask(task)));
  }

  private async searchTasks(filter: Record<string, unknown>): Promise<RestUserTask[]> {
    const found = await this.call('search user tasks', () => this.rest.searchUserTasks({ filter, page: PAGE } as never));
    return found.items as unknown as RestUserTask[];
  }

  async getUserTask(taskKey: string): Promise<UserTask> {
    const task = await this.call(`read user task ${taskKey}`, () => this.rest.getUserTask(taskKey));
    return this.toUserTask(task as unknown as RestUserTask);
  }

  async assignUserTask(taskKey: string, assignee: string | null, actor?: string): Promise<UserTask> {
    const before = await this.openTask(taskKey);
    const action = assignee === null ? 'unassign' : 'assign';
    await this.call(`${action} user task ${taskKey}${actor ? ` (by ${actor})` : ''}`, () =>
      assignee === null ? this.rest.unassignUserTask({ userTaskKey: taskKey }) : this.rest.assignUserTask({ userTaskKey: taskKey, assignee, allowOverride: true }));
    const task = { ...before, assignee };
    this.knownTasks.set(taskKey, task);
    this.emit({ type: 'userTaskAssigned', task, previousAssignee: before.assignee });
    return task;
  }

  /** Zeebe does not record who completed a task: `actor` reaches the port's event only (as `completedBy`). */
  async completeUserTask(taskKey: string, variables: Variables, actor: string): Promise<void> {
    const before = await this.openTask(taskKey);
    await this.call(`complete user task ${taskKey}`, () => this.rest.completeUserTask({ userTaskKey: taskKey, variables }));
    this.knownTasks.delete(taskKey);
    this.emit({ type: 'userTaskCompleted', task: { ...before, state: 'completed', completedAt: new Date(), completedBy: actor } });
  }

  // ——— jobs ———

  registerWorker(type: string, handler: JobHandler): WorkerRegistration {
    if (this.workers.has(type)) throw new WorkflowError('INVALID_STATE', `A worker for "${type}" is already registered`);
    const loop: WorkerLoop = { type, handler, closed: false, quietSince: 0, inFlight: 0, cancel: null };
    this.workers.set(type, loop);
    if (this.running) this.runLoop(loop);
    return {
      close: () => {
        loop.closed = true;
        loop.cancel?.();
        if (this.workers.get(type) === loop) this.workers.delete(type);
      },
    };
  }

  /** Zeebe fires its own timers and job retry back-offs: nothing is due here. */
  async runDueTimers(): Promise<number> {
    return 0;
  }

  // ——— messages ———

  /**
   * Correlates to a waiting subscription (or message start event) first, which answers with the
   * instance; when none waits and the message has a time-to-live, publishes it to be buffered.
   */
  async publishMessage(request: PublishMessageRequest): Promise<PublishMessageResult> {
    const message = { name: request.name, correlationKey: request.correlationKey, variables: (request.variables ?? {}) as never };
    try {
      const correlated = await this.withRetries(() => this.rest.correlateMessage(message));
      return { correlatedInstanceKeys: [String(correlated.processInstanceKey)], buffered: false };
    } catch (error) {
      if (httpStatusOf(error) !== 404) throw toWorkflowError(error, `correlate message "${request.name}" (${request.correlationKey})`);
    }
    const timeToLiveMs = request.timeToLiveMs ?? 0;
    if (timeToLiveMs <= 0) return { correlatedInstanceKeys: [], buffered: false };
    await this.call(`publish message "${request.name}" (${request.correlationKey})`, () => this.rest.publishMessage({ ...message, timeToLive: timeToLiveMs }));
    return { correlatedInstanceKeys: [], buffered: true };
  }

  // ——— incidents ———

  async listIncidents(filter: { instanceKey?: string; state?: 'open' | 'resolved' } = {}): Promise<Incident[]> {
    const restFilter = { ...(filter.instanceKey && { processInstanceKey: filter.instanceKey }), ...(filter.state && { state: filter.state === 'open' ? 'ACTIVE' : 'RESOLVED' }) };
    const found = await this.call('search incidents', () => this.rest.searchIncidents({ filter: restFilter, page: PAGE } as never));
    return (found.items as unknown as RestIncident[]).map(toIncident);
  }

  async resolveIncident(incidentKey: string, retries = 1): Promise<void> {
    const found = await this.call(`read incident ${incidentKey}`, () => this.rest.searchIncidents({ filter: { incidentKey }, page: PAGE } as never));
    const incident = (found.items as unknown as RestIncident[])[0];
    if (!incident) throw new WorkflowError('NOT_FOUND', `incident ${incidentKey} not found`);
    if (incident.state !== 'ACTIVE') throw new WorkflowError('INVALID_STATE', `incident ${incidentKey} is ${incident.state.toLowerCase()}, not open`);
    if (incident.jobKey) await this.call(`give job ${incident.jobKey} ${retries} retries`, () => this.rest.updateJob({ jobKey: String(incident.jobKey), retries }));
    await this.call(`resolve incident ${incidentKey}`, () => this.rest.resolveIncident(incidentKey));
    this.knownIncidents.delete(incidentKey);
    this.emit({ type: 'incidentResolved', incident: { ...toIncident(incident), state: 'resolved' } });
  }

  // ——— internals ———

  private get rest(): CamundaRestClient {
    if (!this.client) throw new WorkflowError('NOT_AVAILABLE', 'the Zeebe adapter is not started');
    return this.client;
  }

  private async createClient(): Promise<CamundaRestClient> {
    const { CamundaRestClient } = await import('@camunda8/sdk');
    const auth = this.options.auth;
    const config = {
      ZEEBE_REST_ADDRESS: this.options.restAddress,
      CAMUNDA_AUTH_STRATEGY: auth.strategy,
      CAMUNDA_LOG_LEVEL: 'none',
      CAMUNDA_TOKEN_DISK_CACHE_DISABLE: true,
      ...(this.options.tenantId && { CAMUNDA_TENANT_ID: this.options.tenantId }),
      ...(auth.strategy === 'BASIC' && { CAMUNDA_BASIC_AUTH_USERNAME: auth.username, CAMUNDA_BASIC_AUTH_PASSWORD: auth.password }),
      ...(auth.strategy === 'OAUTH' && { ZEEBE_CLIENT_ID: auth.clientId, ZEEBE_CLIENT_SECRET: auth.clientSecret, CAMUNDA_OAUTH_URL: auth.oauthUrl, ...(auth.audience && { ZEEBE_TOKEN_AUDIENCE: auth.audience }) }),
    };
    const base = this.options.retryBaseDelayMs ?? 500;
    const limit = this.options.requestRetries ?? 5;
    return new CamundaRestClient({
      config: config as never,
      retry: {
        limit,
        methods: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
        statusCodes: [429, 502, 503, 504],
        calculateDelay: ({ attemptCount, computedValue }) => (computedValue === 0 || attemptCount > limit ? 0 : base * 2 ** (attemptCount - 1)),
      },
    });
  }

  /** A request with the client's retries, its failure turned into the port's error. */
  private async call<T>(what: string, request: () => Promise<T>, onClientError?: WorkflowError['code']): Promise<T> {
    try {
      return await this.withRetries(request);
    } catch (error) {
      throw toWorkflowError(error, what, onClientError);
    }
  }

  /** The client retries inside a request; a request that still fails transiently is repeated here a few times more. */
  private async withRetries<T>(request: () => Promise<T>, attempts = 3): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await request();
      } catch (error) {
        if (attempt >= attempts || !isTransient(error)) throw error;
        await delay((this.options.retryBaseDelayMs ?? 500) * 2 ** attempt);
      }
    }
  }

  private async openTask(taskKey: string): Promise<UserTask> {
    const task = await this.getUserTask(taskKey);
    if (task.state !== 'created') throw new WorkflowError('INVALID_STATE', `user task ${taskKey} is ${task.state}, not open`);
    return task;
  }

  /** With `variables: false`, the task without its variables (one request fewer): for change detection only. */
  private async toUserTask(task: RestUserTask, withVariables = true): Promise<UserTask> {
    const variables = withVariables ? await this.taskVariables(String(task.userTaskKey)) : {};
    const { [BUSINESS_KEY_VARIABLE]: businessKey, ...visible } = variables;
    return {
      taskKey: String(task.userTaskKey),
      instanceKey: String(task.processInstanceKey),
      bpmnProcessId: task.processDefinitionId,
      businessKey: typeof businessKey === 'string' ? businessKey : null,
      elementId: task.elementId,
      name: task.name || null,
      state: toTaskState(task.state),
      assignee: task.assignee || null,
      candidateGroups: task.candidateGroups ?? [],
      candidateUsers: task.candidateUsers ?? [],
      dueDate: task.dueDate || null,
      followUpDate: task.followUpDate || null,
      priority: task.priority ?? 50,
      formKey: task.formKey || task.externalFormReference || null,
      customHeaders: task.customHeaders ?? {},
      variables: visible,
      createdAt: new Date(task.creationDate),
      completedAt: task.completionDate ? new Date(task.completionDate) : null,
      completedBy: null,
    };
  }

  private async taskVariables(taskKey: string): Promise<Variables> {
    const found = await this.call(`read variables of user task ${taskKey}`, () => this.rest.searchUserTaskVariables({ userTaskKey: taskKey, page: PAGE } as never));
    return parseVariables(found.items as unknown as RestVariable[]);
  }

  private async instanceVariables(instanceKey: string): Promise<Variables> {
    const found = await this.call(`read variables of instance ${instanceKey}`, () =>
      this.rest.searchVariables({ filter: { processInstanceKey: instanceKey, scopeKey: instanceKey }, page: PAGE } as never));
    return parseVariables(found.items as unknown as RestVariable[]);
  }

  private async elementInstances(instanceKey: string, state?: 'ACTIVE'): Promise<RestElementInstance[]> {
    const found = await this.call(`read elements of instance ${instanceKey}`, () =>
      this.rest.searchElementInstances({ filter: { processInstanceKey: instanceKey, ...(state && { state }) }, page: PAGE, sort: [{ field: 'startDate', order: 'ASC' }] } as never));
    return found.items as unknown as RestElementInstance[];
  }

  private runLoop(loop: WorkerLoop): void {
    const workerName = this.options.workerName ?? `iso-cycle@${hostname()}`;
    const next = async (): Promise<void> => {
      while (this.running && !loop.closed) {
        const startedAt = Date.now();
        const activation = this.rest.activateJobs({
          type: loop.type, worker: workerName, timeout: this.options.jobTimeoutMs ?? 300_000,
          maxJobsToActivate: this.options.maxJobsPerActivation ?? 8, requestTimeout: this.options.pollRequestTimeoutMs ?? 10_000,
        } as never);
        loop.cancel = () => activation.cancel();
        let jobs: Awaited<typeof activation> = [];
        try {
          jobs = (await activation) ?? [];
        } catch (error) {
          if (!this.running || loop.closed) return;
          this.log(`activating "${loop.type}" jobs failed; trying again`, error);
          await delay(this.options.retryBaseDelayMs ?? 500);
          continue;
        } finally {
          loop.cancel = null;
        }
        if (jobs.length === 0) {
          loop.quietSince = startedAt;
          continue;
        }
        loop.inFlight += jobs.length;
        await Promise.all(jobs.map((job) => this.handle(loop, job as unknown as RestJob).finally(() => loop.inFlight--)));
      }
    };
    void next();
  }

  /** Runs the handler and reports its outcome; a report that fails transiently is repeated until the job's deadline. */
  private async handle(loop: WorkerLoop, activated: RestJob): Promise<void> {
    const { [BUSINESS_KEY_VARIABLE]: businessKey, ...variables } = { ...(activated.variables as Variables) };
    const job: Job = {
      jobKey: String(activated.jobKey), type: activated.type, instanceKey: String(activated.processInstanceKey), bpmnProcessId: activated.bpmnProcessId ?? activated.processDefinitionId ?? '',
      businessKey: typeof businessKey === 'string' ? businessKey : null, elementId: activated.elementId, retries: Number(activated.retries),
      customHeaders: { ...(activated.customHeaders as Record<string, string>) }, variables,
    };
    let outcome: JobOutcome;
    try {
      outcome = await loop.handler(job);
    } catch (error) {
      outcome = { outcome: 'fail', message: error instanceof Error ? error.message : String(error) };
    }
    const deadline = Date.now() + (this.options.jobTimeoutMs ?? 300_000);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.report(job, outcome);
        return;
      } catch (error) {
        // The job no longer exists: an earlier attempt reached the broker before its answer was lost,
        // or the job was cancelled meanwhile (boundary event, cancelled instance). Nothing is left to report.
        if (httpStatusOf(error) === 404) return;
        if (!isTransient(error) || Date.now() > deadline) {
          this.log(`job ${job.jobKey} (${job.type}): its ${outcome.outcome} could not be reported`, error);
          return;
        }
        await delay(Math.min((this.options.retryBaseDelayMs ?? 500) * 2 ** attempt, 30_000));
      }
    }
  }

  private report(job: Job, outcome: JobOutcome): Promise<unknown> {
    if (outcome.outcome === 'complete') return this.rest.completeJob({ jobKey: job.jobKey, variables: (outcome.variables ?? {}) as never });
    if (outcome.outcome === 'bpmnError') return this.rest.errorJob({ jobKey: job.jobKey, errorCode: outcome.errorCode, errorMessage: outcome.message, variables: (outcome.variables ?? {}) as never });
    return this.rest.failJob({ jobKey: job.jobKey, errorMessage: outcome.message, retries: outcome.retries ?? job.retries - 1, retryBackOff: outcome.retryBackoffMs ?? 0 });
  }

  private syncEventsOnce(emit: boolean): Promise<void> {
    if (!this.running) return Promise.resolve();
    this.syncing = this.syncing.then(() => this.syncEvents(emit)).catch((error) => this.log('searching user tasks and incidents failed', error));
    return this.syncing;
  }

  /**
   * The port's task and incident events from searches: a task or incident not seen before is
   * announced as created/raised; one seen open and now gone is announced with its new state.
   * With `emit` false (at start) it only learns what is open: the inbox resyncs on start anyway.
   */
  private async syncEvents(emit: boolean): Promise<void> {
    const open = await this.searchTasks({ state: 'CREATED' });
    const openKeys = new Set(open.map((task) => String(task.userTaskKey)));
    for (const [taskKey, known] of [...this.knownTasks]) {
      if (openKeys.has(taskKey)) continue;
      this.knownTasks.delete(taskKey);
      const now = await this.getUserTask(taskKey).catch(() => null);
      if (!emit || !now) continue;
      this.emit(now.state === 'completed' ? { type: 'userTaskCompleted', task: now } : { type: 'userTaskCancelled', task: { ...known, ...now, state: 'cancelled' } });
    }
    for (const found of open) {
      const key = String(found.userTaskKey);
      const known = this.knownTasks.get(key);
      const assignee = found.assignee || null;
      if (known && known.assignee === assignee) continue;
      // Variables are read only for what is announced: at start (no events) the snapshot is enough.
      const task = await this.toUserTask(found, emit);
      this.knownTasks.set(key, task);
      if (!emit) continue;
      if (!known) this.emit({ type: 'userTaskCreated', task });
      else this.emit({ type: 'userTaskAssigned', task, previousAssignee: known.assignee });
    }
    const incidents = await this.listIncidents({ state: 'open' });
    const incidentKeys = new Set(incidents.map((incident) => incident.incidentKey));
    for (const [key, known] of [...this.knownIncidents]) {
      if (incidentKeys.has(key)) continue;
      this.knownIncidents.delete(key);
      if (emit) this.emit({ type: 'incidentResolved', incident: { ...known, state: 'resolved' } });
    }
    for (const incident of incidents) {
      if (this.knownIncidents.has(incident.incidentKey)) continue;
      this.knownIncidents.set(incident.incidentKey, incident);
      if (emit) this.emit({ type: 'incidentRaised', incident });
    }
  }

  private emit(event: WorkflowEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.log(`an event listener failed on ${event.type}`, error);
      }
    }
  }
}

type RestProcessInstance = {
  processInstanceKey: string; processDefinitionId: string; processDefinitionVersion: number | string; parentProcessInstanceKey?: string | null; parentFlowNodeInstanceKey?: string | null; state: string; startDate: string; endDate?: string | null;
};

/** One instance of a call tree, as `listInstanceTree` returns it. */
interface CallTreeNode extends ProcessInstanceRef {
  status: InstanceStatus;
  parentInstanceKey: string | null;
  parentElementId: string | null;
  depth: number;
  startedAt: Date;
  endedAt: Date | null;
}

type RestJob = {
  jobKey: string; type: string; processInstanceKey: string; bpmnProcessId?: string; processDefinitionId?: string; elementId: string; retries: number;
  customHeaders: unknown; variables: unknown;
};

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function parseVariables(items: RestVariable[]): Variables {
  const variables: Variables = {};
  for (const item of items) {
    try {
      variables[item.name] = JSON.parse(item.value);
    } catch {
      variables[item.name] = item.value;
    }
  }
  return variables;
}

function toInstanceStatus(state: string): InstanceStatus {
  if (state === 'COMPLETED') return 'completed';
  if (state === 'TERMINATED' || state === 'CANCELED') return 'cancelled';
  return 'active';
}

function toTaskState(state: string): UserTaskState {
  if (state === 'COMPLETED') return 'completed';
  if (state === 'CANCELED' || state === 'FAILED') return 'cancelled';
  return 'created';
}

function toRestTaskState(state: UserTaskState): string {
  return state === 'created' ? 'CREATED' : state === 'completed' ? 'COMPLETED' : 'CANCELED';
}

/** Zeebe's element types in the bpmn-moddle spelling the embedded engine reports (`SERVICE_TASK` → `bpmn:ServiceTask`). */
function toElementType(type: string): string {
  return `bpmn:${type.toLowerCase().replace(/(^|_)([a-z])/g, (_, __, letter: string) => letter.toUpperCase())}`;
}

/** Zeebe's incident error types the port names; every other one (IO mapping, condition, FEEL extraction…) is a step that failed. */
const INCIDENT_TYPES: Record<string, IncidentType> = {
  JOB_NO_RETRIES: 'JOB_NO_RETRIES', UNHANDLED_ERROR_EVENT: 'UNHANDLED_ERROR_EVENT', CALLED_ELEMENT_ERROR: 'CALLED_ELEMENT_ERROR' as string as IncidentType,
};

function toIncident(incident: RestIncident): Incident {
  return {
    incidentKey: String(incident.incidentKey),
    type: INCIDENT_TYPES[incident.errorType] ?? 'STEP_FAILED',
    instanceKey: String(incident.processInstanceKey),
    elementId: incident.elementId,
    jobKey: incident.jobKey ? String(incident.jobKey) : null,
    message: incident.errorMessage,
    state: incident.state === 'ACTIVE' ? 'open' : 'resolved',
    createdAt: new Date(incident.creationTime),
  };
}
