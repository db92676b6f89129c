import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';
import { DataSource } from 'typeorm';
import { Clock } from '../../../../src/shared/clock';
import { EmbeddedWorkflowEngine } from '../../../../src/workflow/embedded/embedded-workflow-engine';
import { Job, JobOutcome, UserTask, UserTaskFilter, WorkflowEngine, WorkflowError } from '../../../../src/workflow/workflow-engine';

/**
 * A stand-in for Camunda 8.8's Orchestration Cluster REST API (`/v2`), speaking the requests and
 * answers `@camunda8/sdk`'s `CamundaRestClient` uses: deployments (multipart), process instances
 * (create, search, cancel), variables and element instances (search), jobs (long-polled activation,
 * completion, failure, BPMN error, retries), Camunda user tasks (search, get, variables, assign,
 * unassign, complete), messages (correlation, publication) and incidents (search, resolution).
 *
 * It is not Zeebe: the BPMN behind it runs on the embedded engine (the "brain", on the test's
 * database), so the adapter's translation is tested end to end, while Zeebe's own semantics are only
 * verified against a real cluster (ZEEBE_TEST_ADDRESS, test/workflow/zeebe/real-camunda.spec.ts).
 * Keys are Zeebe-like decimal strings. Every request is logged (`requests`) for assertions, and
 * `inject` makes the next matching requests fail the way a loaded or unreachable gateway does.
 */
export interface LoggedRequest {
  method: string;
  path: string;
  body: unknown;
}

/** `status`: answer with that HTTP status and a problem body; `drop`: close the connection without answering; `dropAfter`: process the request, then close without answering. */
export type Fault = { method?: string; path: RegExp; times: number } & ({ status: number; title?: string } | { drop: 'before' | 'after' });

interface BridgedJob {
  id: string;
  job: Job;
  resolve: (outcome: JobOutcome) => void;
  activatedUntil: number;
}

const TENANT = '<default>';

export class CamundaRestStub {
  readonly requests: LoggedRequest[] = [];
  private readonly faults: Fault[] = [];
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  private readonly keys = new Map<string, string>();
  private readonly ids = new Map<string, string>();
  private nextKey = 2251799813685249n;
  private readonly bridged = new Map<string, BridgedJob[]>();
  private readonly bridges = new Set<string>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly jobRetries = new Map<string, number>();
  private clockSource: Clock;
  readonly brain: EmbeddedWorkflowEngine;

  constructor(dataSource: DataSource, clock: Clock) {
    this.clockSource = clock;
    const delegating: Clock = { now: () => this.clockSource.now() };
    this.brain = new EmbeddedWorkflowEngine(dataSource, delegating, { schedulerIntervalMs: 0, log: () => undefined });
  }

  /** The clock the brain reads (the contract harness makes a new one per test). */
  useClock(clock: Clock): void {
    this.clockSource = clock;
  }

  get address(): string {
    const port = (this.server?.address() as AddressInfo).port;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<void> {
    await this.brain.start();
    this.server = createServer((request, response) => void this.serve(request, response));
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = null;
    for (const jobs of this.bridged.values()) for (const job of jobs) job.resolve({ outcome: 'fail', message: 'stub stopped', retries: job.job.retries });
    this.bridged.clear();
    await this.brain.stop();
  }

  /** The next `times` requests matching `path` (and `method`) fail as described. */
  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** Requests to `path` so far (e.g. `/v2/jobs/2251799813685250/completion`). */
  requestsTo(path: RegExp, method = 'POST'): LoggedRequest[] {
    return this.requests.filter((request) => request.method === method && path.test(request.path));
  }

  /** The Zeebe-like key of a brain id, and back. */
  keyOf(id: string): string {
    let key = this.keys.get(id);
    if (!key) {
      key = String(this.nextKey++);
      this.keys.set(id, key);
      this.ids.set(key, id);
    }
    return key;
  }

  private idOf(key: string): string {
    return this.ids.get(key) ?? `unknown:${key}`;
  }

  // ——— HTTP ———

  private async serve(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const raw = await readBody(request);
    const path = (request.url ?? '/').split('?')[0];
    const method = request.method ?? 'GET';
    const contentType = request.headers['content-type'] ?? '';
    const body: unknown = contentType.startsWith('multipart/form-data') ? parseMultipart(raw, contentType) : raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
    this.requests.push({ method, path, body });
    const fault = this.faults.find((candidate) => candidate.times > 0 && candidate.path.test(path) && (!candidate.method || candidate.method === method));
    if (fault) fault.times--;
    if (fault && 'drop' in fault && fault.drop === 'before') return void request.socket.destroy();
    if (fault && 'status' in fault) return this.problem(response, fault.status, fault.title ?? (fault.status === 503 || fault.status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE'), 'injected by the test');
    // A long poll whose client has gone (a stopped worker) must not take jobs, as a real gateway does not.
    let clientGone = false;
    response.on('close', () => (clientGone = !response.writableEnded));
    try {
      const answer = await this.route(method, path, body, () => clientGone);
      if (fault && 'drop' in fault) return void request.socket.destroy();
      if (answer === undefined) {
        response.writeHead(204).end();
      } else {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
      }
    } catch (error) {
      if (error instanceof HttpProblem) return this.problem(response, error.status, error.title, error.message);
      if (error instanceof WorkflowError) {
        const status = error.code === 'NOT_FOUND' ? 404 : error.code === 'INVALID_STATE' ? 409 : 400;
        return this.problem(response, status, error.code, error.message);
      }
      return this.problem(response, 500, 'INTERNAL', error instanceof Error ? error.message : String(error));
    }
  }

  private problem(response: ServerResponse, status: number, title: string, detail: string): void {
    response.writeHead(status, { 'content-type': 'application/problem+json' }).end(JSON.stringify({ type: 'about:blank', title, status, detail, instance: '/v2' }));
  }

  private async route(method: string, path: string, body: any, clientGone: () => boolean = () => false): Promise<unknown> {
    const brain = this.brain;
    let match: RegExpMatchArray | null;
    if (method === 'GET' && path === '/v2/topology') return { brokers: [{ nodeId: 0, host: '127.0.0.1', port: 26501, partitions: [{ partitionId: 1, role: 'leader', health: 'healthy' }], version: '8.8.0' }], clusterSize: 1, partitionsCount: 1, replicationFactor: 1, gatewayVersion: '8.8.0' };
    if (method === 'POST' && path === '/v2/deployments') {
      const files = (body as MultipartPart[]).filter((part) => part.name === 'resources');
      const deployed = await brain.deploy(files.map((file) => ({ name: file.filename ?? 'resource.bpmn', xml: file.content })));
      return {
        deploymentKey: this.keyOf(`deployment:${deployed.map((process) => process.processDefinitionKey).join(',')}`), tenantId: TENANT,
        deployments: deployed.map((process) => ({ processDefinition: { processDefinitionId: process.bpmnProcessId, processDefinitionVersion: process.version, processDefinitionKey: this.keyOf(process.processDefinitionKey), resourceName: process.resourceName, tenantId: TENANT } })),
      };
    }
    if (method === 'POST' && path === '/v2/process-instances') {
      const started = await brain.startInstance({ bpmnProcessId: body.processDefinitionId, version: body.processDefinitionVersion, variables: body.variables ?? {} });
      return { processDefinitionId: started.bpmnProcessId, processDefinitionKey: this.keyOf(`${started.bpmnProcessId}:${started.version}`), processDefinitionVersion: started.version, processInstanceKey: this.keyOf(started.instanceKey), tenantId: TENANT, variables: {} };
    }
    if (method === 'POST' && path === '/v2/process-instances/search') return this.searchInstances(body.filter ?? {});
    if (method === 'POST' && (match = path.match(/^\/v2\/process-instances\/(\d+)\/cancellation$/))) return void (await brain.cancelInstance(this.idOf(match[1])));
    if (method === 'POST' && path === '/v2/variables/search') {
      const instanceKey = body.filter?.processInstanceKey as string;
      const state = await brain.getInstance(this.idOf(instanceKey));
      return page(Object.entries(state.variables).map(([name, value]) => ({ variableKey: this.keyOf(`variable:${instanceKey}:${name}`), name, value: JSON.stringify(value), isTruncated: false, processInstanceKey: instanceKey, scopeKey: instanceKey, tenantId: TENANT })));
    }
    if (method === 'POST' && path === '/v2/element-instances/search') return page(await this.elementInstances(body.filter.processInstanceKey, body.filter.state));
    if (method === 'GET' && (match = path.match(/^\/v2\/element-instances\/(\d+)$/))) {
      const element = /^element:([^:]+):(.+)$/.exec(this.idOf(match[1]));
      const entry = element ? (await brain.getHistory(element[1])).find((candidate) => candidate.executionId === element[2]) : undefined;
      if (!element || !entry) throw new HttpProblem(404, 'NOT_FOUND', `element instance ${match[1]} not found`);
      return { elementInstanceKey: match[1], elementId: entry.elementId, elementName: entry.elementId, type: toRestType(entry.elementType), processInstanceKey: this.keyOf(element[1]), tenantId: TENANT };
    }
    if (method === 'POST' && path === '/v2/incidents/search') {
      const filter = body.filter ?? {};
      const incidents = await brain.listIncidents({ ...(filter.processInstanceKey && { instanceKey: this.idOf(filter.processInstanceKey) }), ...(filter.state && { state: filter.state === 'ACTIVE' ? 'open' : 'resolved' }) });
      return page(incidents.filter((incident) => !filter.incidentKey || this.keyOf(incident.incidentKey) === filter.incidentKey).map((incident) => ({
        incidentKey: this.keyOf(incident.incidentKey), errorType: incident.type === 'STEP_FAILED' ? 'EXTRACT_VALUE_ERROR' : incident.type, errorMessage: incident.message, elementId: incident.elementId,
        creationTime: incident.createdAt.toISOString(), state: incident.state === 'open' ? 'ACTIVE' : 'RESOLVED', processInstanceKey: this.keyOf(incident.instanceKey),
        jobKey: incident.jobKey ? this.keyOf(incident.jobKey) : null, tenantId: TENANT, processDefinitionId: '', processDefinitionKey: '', elementInstanceKey: '',
      })));
    }
    if (method === 'POST' && (match = path.match(/^\/v2\/incidents\/(\d+)\/resolution$/))) {
      const incident = (await brain.listIncidents()).find((candidate) => this.keyOf(candidate.incidentKey) === match![1]);
      if (!incident) throw new HttpProblem(404, 'NOT_FOUND', `incident ${match[1]} not found`);
      return void (await brain.resolveIncident(incident.incidentKey, (incident.jobKey && this.jobRetries.get(incident.jobKey)) || 1));
    }
    if (method === 'PATCH' && (match = path.match(/^\/v2\/jobs\/(\d+)$/))) {
      if (typeof body.changeset?.retries === 'number') this.jobRetries.set(this.idOf(match[1]), body.changeset.retries);
      return undefined;
    }
    if (method === 'POST' && path === '/v2/jobs/activation') return { jobs: await this.activate(body, clientGone) };
    if (method === 'POST' && (match = path.match(/^\/v2\/jobs\/(\d+)\/(completion|failure|error)$/))) {
      const outcome: JobOutcome = match[2] === 'completion' ? { outcome: 'complete', variables: body?.variables ?? {} }
        : match[2] === 'error' ? { outcome: 'bpmnError', errorCode: body.errorCode, message: body.errorMessage, variables: body.variables ?? {} }
          : { outcome: 'fail', message: body.errorMessage ?? '', retries: body.retries, retryBackoffMs: body.retryBackOff || undefined };
      return this.answerJob(match[1], outcome);
    }
    if (method === 'POST' && path === '/v2/user-tasks/search') return page(await this.searchTasks(body.filter ?? {}));
    if (method === 'GET' && (match = path.match(/^\/v2\/user-tasks\/(\d+)$/))) return this.restTask(await brain.getUserTask(this.idOf(match[1])));
    if (method === 'POST' && (match = path.match(/^\/v2\/user-tasks\/(\d+)\/variables\/search$/))) {
      const task = await brain.getUserTask(this.idOf(match[1]));
      return page(Object.entries(task.variables).map(([name, value]) => ({ variableKey: this.keyOf(`variable:${match![1]}:${name}`), name, value: JSON.stringify(value), isTruncated: false, processInstanceKey: this.keyOf(task.instanceKey), scopeKey: match![1], tenantId: TENANT })));
    }
    if (method === 'POST' && (match = path.match(/^\/v2\/user-tasks\/(\d+)\/assignment$/))) return void (await brain.assignUserTask(this.idOf(match[1]), body.assignee));
    if (method === 'DELETE' && (match = path.match(/^\/v2\/user-tasks\/(\d+)\/assignee$/))) return void (await brain.assignUserTask(this.idOf(match[1]), null));
    if (method === 'POST' && (match = path.match(/^\/v2\/user-tasks\/(\d+)\/completion$/))) {
      try {
        return void (await brain.completeUserTask(this.idOf(match[1]), body?.variables ?? {}, 'zeebe'));
      } catch (error) {
        if (error instanceof WorkflowError && error.code === 'INVALID_STATE') throw new HttpProblem(404, 'NOT_FOUND', `user task ${match[1]} is not active`);
        throw error;
      }
    }
    if (method === 'POST' && path === '/v2/messages/correlation') {
      const result = await brain.publishMessage({ name: body.name, correlationKey: body.correlationKey, variables: body.variables ?? {}, timeToLiveMs: 0 });
      if (result.correlatedInstanceKeys.length === 0) throw new HttpProblem(404, 'NOT_FOUND', `no subscription for message "${body.name}" with correlation key "${body.correlationKey}"`);
      return { messageKey: this.keyOf(`message:${this.requests.length}`), tenantId: TENANT, processInstanceKey: this.keyOf(result.correlatedInstanceKeys[0]) };
    }
    if (method === 'POST' && path === '/v2/messages/publication') {
      await brain.publishMessage({ name: body.name, correlationKey: body.correlationKey, variables: body.variables ?? {}, timeToLiveMs: Number(body.timeToLive ?? 0) });
      return { messageKey: this.keyOf(`message:${this.requests.length}`), tenantId: TENANT };
    }
    throw new HttpProblem(404, 'NOT_FOUND', `the stub does not serve ${method} ${path}`);
  }

  // ——— process instances ———

  private async searchInstances(filter: Record<string, string>): Promise<unknown> {
    const brain = this.brain as WorkflowEngine & { listInstanceTree?: (key: string) => Promise<{ instanceKey: string; parentInstanceKey: string | null }[]> };
    let ids: string[] = [];
    if (filter.processInstanceKey) ids = [this.idOf(filter.processInstanceKey)];
    else if (filter.parentFlowNodeInstanceKey) {
      const element = /^element:([^:]+):(.+)$/.exec(this.idOf(filter.parentFlowNodeInstanceKey));
      const history = element ? await this.brain.getHistory(element[1]) : [];
      ids = history.filter((entry) => (entry.event as string) === 'called' && entry.executionId === element![2]).map((entry) => (entry as { calledInstanceKey?: string }).calledInstanceKey!);
    } else if (filter.parentProcessInstanceKey && brain.listInstanceTree) {
      const parent = this.idOf(filter.parentProcessInstanceKey);
      ids = (await brain.listInstanceTree(parent)).filter((node) => node.parentInstanceKey === parent).map((node) => node.instanceKey);
    }
    const items = [];
    for (const id of ids) {
      const state = await this.brain.getInstance(id).catch((error) => (error instanceof WorkflowError && error.code === 'NOT_FOUND' ? null : Promise.reject(error)));
      if (!state) continue;
      const parent = (state as { parentInstanceKey?: string | null }).parentInstanceKey;
      const call = parent ? (await this.brain.getHistory(parent)).find((entry) => (entry as { calledInstanceKey?: string }).calledInstanceKey === id) : undefined;
      items.push({
        parentFlowNodeInstanceKey: call ? this.keyOf(`element:${parent}:${call.executionId}`) : null,
        processInstanceKey: this.keyOf(state.instanceKey), processDefinitionId: state.bpmnProcessId, processDefinitionName: state.bpmnProcessId, processDefinitionVersion: state.version,
        processDefinitionKey: this.keyOf(`${state.bpmnProcessId}:${state.version}`), parentProcessInstanceKey: parent ? this.keyOf(parent) : null,
        state: state.status === 'active' ? 'ACTIVE' : state.status === 'completed' ? 'COMPLETED' : 'TERMINATED', startDate: state.startedAt.toISOString(), endDate: state.endedAt?.toISOString() ?? null,
        tenantId: TENANT, hasIncident: state.openIncidents.length > 0,
      });
    }
    return page(items);
  }

  private async elementInstances(instanceKey: string, state?: string): Promise<unknown[]> {
    const id = this.idOf(instanceKey);
    const history = await this.brain.getHistory(id);
    const elements = new Map<string, { elementInstanceKey: string; elementId: string; elementName: string; type: string; state: string; startDate: string; endDate: string | null }>();
    for (const entry of history) {
      const process = entry.event.startsWith('instance-');
      const key = process ? `process:${id}` : `element:${id}:${entry.executionId}`;
      if ((entry.event as string) === 'called') continue;
      if (entry.event === 'started' || entry.event === 'instance-started') {
        elements.set(key, { elementInstanceKey: this.keyOf(key), elementId: entry.elementId, elementName: entry.elementId, type: process ? 'PROCESS' : toRestType(entry.elementType), state: 'ACTIVE', startDate: entry.at.toISOString(), endDate: null });
      } else if (['completed', 'cancelled', 'instance-completed', 'instance-cancelled', 'instance-terminated'].includes(entry.event)) {
        const element = elements.get(key);
        if (element) Object.assign(element, { state: entry.event.endsWith('completed') ? 'COMPLETED' : 'TERMINATED', endDate: entry.at.toISOString() });
      }
    }
    return [...elements.values()].filter((element) => !state || element.state === state).map((element) => ({ ...element, processInstanceKey: instanceKey, hasIncident: false, tenantId: TENANT }));
  }

  // ——— jobs ———

  /** Jobs reach the stub through a brain worker per type, registered when the type is first asked for. */
  private bridge(type: string): void {
    if (this.bridges.has(type)) return;
    this.bridges.add(type);
    this.brain.registerWorker(type, (job) => new Promise<JobOutcome>((resolve) => {
      const queue = this.bridged.get(type) ?? [];
      queue.push({ id: job.jobKey, job, resolve, activatedUntil: 0 });
      this.bridged.set(type, queue);
      for (const wake of this.waiters.get(type)?.splice(0) ?? []) wake();
    }));
  }

  private async activate(body: { type: string; worker: string; timeout: number; maxJobsToActivate: number; requestTimeout?: number }, clientGone: () => boolean): Promise<unknown[]> {
    this.bridge(body.type);
    const take = () => {
      const now = Date.now();
      const free = (this.bridged.get(body.type) ?? []).filter((job) => job.activatedUntil <= now).slice(0, body.maxJobsToActivate);
      for (const job of free) job.activatedUntil = now + Number(body.timeout);
      return free;
    };
    let jobs = take();
    if (jobs.length === 0) {
      const wait = Math.max(0, Math.min(Number(body.requestTimeout ?? 10_000) || 10_000, 10_000));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, wait);
        const waiters = this.waiters.get(body.type) ?? [];
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
        this.waiters.set(body.type, waiters);
      });
      if (clientGone()) return [];
      jobs = take();
    }
    return jobs.map(({ id, job, activatedUntil }) => ({
      jobKey: this.keyOf(id), type: job.type, processInstanceKey: this.keyOf(job.instanceKey), processDefinitionId: job.bpmnProcessId, processDefinitionVersion: 1,
      processDefinitionKey: this.keyOf(`${job.bpmnProcessId}:1`), elementId: job.elementId, elementInstanceKey: this.keyOf(`element:${id}`), customHeaders: job.customHeaders,
      worker: body.worker, retries: job.retries, deadline: activatedUntil, variables: job.variables, tenantId: TENANT,
    }));
  }

  private async answerJob(key: string, outcome: JobOutcome): Promise<undefined> {
    const id = this.idOf(key);
    for (const [type, queue] of this.bridged) {
      const index = queue.findIndex((job) => job.id === id && job.activatedUntil > 0);
      if (index < 0) continue;
      const [job] = queue.splice(index, 1);
      this.bridged.set(type, queue);
      job.resolve(outcome);
      // The brain applies the outcome in its step queue; an empty deployment queued behind it returns once it is applied.
      await new Promise((resolve) => setImmediate(resolve));
      await this.brain.deploy([]);
      return undefined;
    }
    throw new HttpProblem(404, 'NOT_FOUND', `job ${key} is not activated`);
  }

  // ——— user tasks ———

  private async searchTasks(filter: Record<string, any>): Promise<unknown[]> {
    const portFilter: UserTaskFilter = {
      ...(filter.state && { state: filter.state === 'CREATED' ? 'created' : filter.state === 'COMPLETED' ? 'completed' : 'cancelled' }),
      ...(filter.processInstanceKey && { instanceKey: this.idOf(filter.processInstanceKey) }),
      ...(filter.processDefinitionId && { bpmnProcessId: filter.processDefinitionId }),
      ...(filter.elementId && { elementId: filter.elementId }),
      ...(filter.assignee && { assignee: filter.assignee }),
      ...(filter.candidateGroup && { candidateGroup: filter.candidateGroup }),
      ...(filter.candidateUser && { candidateUser: filter.candidateUser }),
    };
    let tasks = await this.brain.listUserTasks(portFilter);
    for (const wanted of (filter.processInstanceVariables ?? []) as { name: string; value: string }[]) {
      const kept: UserTask[] = [];
      for (const task of tasks) {
        const variables = (await this.brain.getInstance(task.instanceKey)).variables;
        if (wanted.name in variables && JSON.stringify(variables[wanted.name]) === wanted.value) kept.push(task);
      }
      tasks = kept;
    }
    return tasks.map((task) => this.restTask(task));
  }

  private restTask(task: UserTask): unknown {
    return {
      userTaskKey: this.keyOf(task.taskKey), state: task.state === 'created' ? 'CREATED' : task.state === 'completed' ? 'COMPLETED' : 'CANCELED', assignee: task.assignee ?? undefined,
      elementId: task.elementId, name: task.name ?? undefined, candidateGroups: task.candidateGroups, candidateUsers: task.candidateUsers, processDefinitionId: task.bpmnProcessId,
      processInstanceKey: this.keyOf(task.instanceKey), processDefinitionKey: this.keyOf(`${task.bpmnProcessId}:1`), processDefinitionVersion: 1, elementInstanceKey: this.keyOf(`element:${task.taskKey}`),
      creationDate: task.createdAt.toISOString(), completionDate: task.completedAt?.toISOString(), followUpDate: task.followUpDate ?? undefined, dueDate: task.dueDate ?? undefined,
      formKey: task.formKey ?? undefined, customHeaders: task.customHeaders, priority: task.priority, tenantId: TENANT,
    };
  }
}

class HttpProblem extends Error {
  constructor(readonly status: number, readonly title: string, message: string) {
    super(message);
  }
}

function page(items: unknown[]): unknown {
  return { items, page: { totalItems: items.length, startCursor: null, endCursor: null } };
}

/** `bpmn:ServiceTask` → `SERVICE_TASK`. */
function toRestType(elementType: string): string {
  return elementType.replace(/^bpmn:/, '').replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

interface MultipartPart {
  name: string;
  filename: string | undefined;
  content: string;
}

function parseMultipart(raw: Buffer, contentType: string): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return [];
  const text = raw.toString('utf8');
  return text.split(`--${boundary[1] ?? boundary[2]}`).slice(1, -1).map((section) => {
    const [head, ...rest] = section.replace(/^\r\n/, '').split('\r\n\r\n');
    const disposition = /name="([^"]*)"(?:; filename="([^"]*)")?/.exec(head);
    return { name: disposition?.[1] ?? '', filename: disposition?.[2], content: rest.join('\r\n\r\n').replace(/\r\n$/, '') };
  });
}
