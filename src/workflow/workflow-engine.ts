/**
 * The workflow engine port: everything the application asks of a BPMN engine, named by intent.
 * The abstract class doubles as the Nest DI token; `WorkflowModule` binds the adapter chosen by
 * `AppConfig.workflowEngine` (`embedded`: bpmn-engine on our database; `zeebe`: Camunda 8).
 *
 * Keys are opaque strings. Variables are plain JSON values. Every method that changes state has
 * committed that change when its promise resolves; events (`onEvent`) are delivered after commit.
 */
export type Variables = Record<string, unknown>;

/** A BPMN file to deploy; `name` identifies the resource (e.g. `annual-review.bpmn`). */
export interface BpmnResource {
  name: string;
  xml: string;
}

export interface DeployedProcess {
  bpmnProcessId: string;
  /** 1, 2, …: a new version only when the resource changed. Running instances keep theirs. */
  version: number;
  processDefinitionKey: string;
  resourceName: string;
}

export interface StartInstanceRequest {
  bpmnProcessId: string;
  variables?: Variables;
  /** The application's identifier for what the instance is about (e.g. `unit:42/year:2026`). */
  businessKey?: string;
  /** Default: the latest deployed version. */
  version?: number;
}

export interface ProcessInstanceRef {
  instanceKey: string;
  bpmnProcessId: string;
  version: number;
  businessKey: string | null;
}

export type InstanceStatus = 'active' | 'completed' | 'cancelled' | 'terminated';

export interface ActiveElement {
  elementId: string;
  elementType: string;
  executionId: string;
  startedAt: Date;
}

export interface InstanceState extends ProcessInstanceRef {
  status: InstanceStatus;
  /** The instance whose call activity started this one (null for a top-level instance). */
  parentInstanceKey: string | null;
  /** The top of this instance's call tree (itself for a top-level instance). */
  rootInstanceKey: string;
  variables: Variables;
  activeElements: ActiveElement[];
  openIncidents: Incident[];
  startedAt: Date;
  endedAt: Date | null;
}

export type HistoryEvent = 'started' | 'completed' | 'cancelled' | 'assigned' | 'called' | 'instance-started' | 'instance-completed' | 'instance-cancelled' | 'instance-terminated';

export interface HistoryEntry {
  elementId: string;
  elementType: string;
  executionId: string;
  event: HistoryEvent;
  at: Date;
  /** Who did it, when a person did (user task completion, assignment, cancellation). */
  actor: string | null;
  /** For `called`: the instance the call activity (or one of its multi-instance iterations) started. */
  calledInstanceKey?: string;
}

/** One instance of a call tree (`listInstanceTree`). */
export interface InstanceTreeNode extends ProcessInstanceRef {
  status: InstanceStatus;
  parentInstanceKey: string | null;
  /** The call activity of the parent that started it. */
  parentElementId: string | null;
  /** 0 for the root. */
  depth: number;
  startedAt: Date;
  endedAt: Date | null;
}

export type UserTaskState = 'created' | 'completed' | 'cancelled';

export interface UserTask {
  taskKey: string;
  instanceKey: string;
  bpmnProcessId: string;
  businessKey: string | null;
  elementId: string;
  name: string | null;
  state: UserTaskState;
  assignee: string | null;
  candidateGroups: string[];
  candidateUsers: string[];
  /** ISO 8601 as evaluated from `zeebe:taskSchedule`. */
  dueDate: string | null;
  followUpDate: string | null;
  /** 0–100, default 50 (`zeebe:priorityDefinition`). */
  priority: number;
  /** `zeebe:formDefinition` formId, formKey or externalReference. */
  formKey: string | null;
  customHeaders: Record<string, string>;
  /** The variables visible to the task (process variables plus input mappings) when it was created. */
  variables: Variables;
  createdAt: Date;
  completedAt: Date | null;
  completedBy: string | null;
}

export interface UserTaskFilter {
  state?: UserTaskState;
  instanceKey?: string;
  bpmnProcessId?: string;
  elementId?: string;
  assignee?: string;
  /** Tasks offered to this group. */
  candidateGroup?: string;
  /** Tasks offered to this user directly. */
  candidateUser?: string;
  businessKey?: string;
}

export interface Job {
  /** Stable across redeliveries: a worker can use it to be idempotent. */
  jobKey: string;
  type: string;
  instanceKey: string;
  bpmnProcessId: string;
  businessKey: string | null;
  elementId: string;
  /** Retries left, including this attempt. */
  retries: number;
  customHeaders: Record<string, string>;
  variables: Variables;
}

/** The only three things a worker may answer. */
export type JobOutcome =
  | { outcome: 'complete'; variables?: Variables }
  | { outcome: 'bpmnError'; errorCode: string; message?: string; variables?: Variables }
  | { outcome: 'fail'; message: string; /** Retries left after this failure; default: current − 1. */ retries?: number; retryBackoffMs?: number };

export const JobOutcomes = {
  complete: (variables?: Variables): JobOutcome => ({ outcome: 'complete', variables }),
  bpmnError: (errorCode: string, message?: string, variables?: Variables): JobOutcome => ({ outcome: 'bpmnError', errorCode, message, variables }),
  fail: (message: string, retries?: number, retryBackoffMs?: number): JobOutcome => ({ outcome: 'fail', message, retries, retryBackoffMs }),
};

/** A worker throwing is the same as answering `fail` with its message. */
export type JobHandler = (job: Job) => Promise<JobOutcome>;

export interface WorkerRegistration {
  close(): void;
}

export interface PublishMessageRequest {
  name: string;
  correlationKey: string;
  variables?: Variables;
  /** How long an uncorrelated message waits for a subscription; 0 = correlate now or drop. */
  timeToLiveMs?: number;
}

export interface PublishMessageResult {
  /** Instances the message was correlated to (catch events) or started (message start events). */
  correlatedInstanceKeys: string[];
  buffered: boolean;
}

/**
 * JOB_NO_RETRIES: the worker failed on the last retry; UNHANDLED_ERROR_EVENT: a BPMN error nothing catches;
 * STEP_FAILED: the engine could not apply a job's outcome (e.g. a FEEL error); CALLED_ELEMENT_ERROR: a call
 * activity could not start its child (no such process, a FEEL error in its mappings).
 */
export type IncidentType = 'JOB_NO_RETRIES' | 'UNHANDLED_ERROR_EVENT' | 'STEP_FAILED' | 'CALLED_ELEMENT_ERROR';

export interface Incident {
  incidentKey: string;
  type: IncidentType;
  instanceKey: string;
  elementId: string;
  jobKey: string | null;
  message: string;
  state: 'open' | 'resolved';
  createdAt: Date;
}

export type WorkflowEvent =
  | { type: 'userTaskCreated'; task: UserTask }
  | { type: 'userTaskAssigned'; task: UserTask; previousAssignee: string | null }
  | { type: 'userTaskCompleted'; task: UserTask }
  | { type: 'userTaskCancelled'; task: UserTask }
  | { type: 'incidentRaised'; incident: Incident }
  | { type: 'incidentResolved'; incident: Incident }
  | { type: 'instanceCompleted'; instance: ProcessInstanceRef; variables: Variables }
  | { type: 'instanceCancelled'; instance: ProcessInstanceRef };

export type WorkflowEventListener = (event: WorkflowEvent) => void;

/** Raised for requests the engine cannot honour (unknown key, task not open, bad BPMN…). */
export class WorkflowError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'INVALID_STATE' | 'INVALID_BPMN' | 'ENGINE_LOCKED' | 'NOT_AVAILABLE',
    message: string,
  ) {
    super(message);
    this.name = 'WorkflowError';
  }
}

export abstract class WorkflowEngine {
  /** Connects, takes the engine lock (embedded), resumes due timers and pending jobs. */
  abstract start(): Promise<void>;
  /** Stops dispatching, waits for work in flight, releases the lock. */
  abstract stop(): Promise<void>;

  /** Deploys BPMN files; an unchanged resource keeps its version. */
  abstract deploy(resources: BpmnResource[]): Promise<DeployedProcess[]>;

  abstract startInstance(request: StartInstanceRequest): Promise<ProcessInstanceRef>;
  /** Cancels a top-level instance and every instance it called, deepest first (a called instance is cancelled through its root). */
  abstract cancelInstance(instanceKey: string): Promise<void>;
  abstract getInstance(instanceKey: string): Promise<InstanceState>;
  abstract getHistory(instanceKey: string): Promise<HistoryEntry[]>;
  /** Every instance of the call tree that `instanceKey` belongs to, root first, then by depth and start. */
  abstract listInstanceTree(instanceKey: string): Promise<InstanceTreeNode[]>;

  abstract listUserTasks(filter?: UserTaskFilter): Promise<UserTask[]>;
  abstract getUserTask(taskKey: string): Promise<UserTask>;
  /** Assigns (or with `null` unassigns) an open task; `actor` is recorded in the history. */
  abstract assignUserTask(taskKey: string, assignee: string | null, actor?: string): Promise<UserTask>;
  /** Completes an open task; its variables are merged into the process (or through output mappings). */
  abstract completeUserTask(taskKey: string, variables: Variables, actor: string): Promise<void>;

  /** Service tasks of `type` go to `handler` (at least once; see docs/workflow-engine.md). */
  abstract registerWorker(type: string, handler: JobHandler): WorkerRegistration;

  abstract publishMessage(request: PublishMessageRequest): Promise<PublishMessageResult>;

  abstract listIncidents(filter?: { instanceKey?: string; state?: 'open' | 'resolved' }): Promise<Incident[]>;
  /** Gives the failed job `retries` more attempts and resolves the incident. */
  abstract resolveIncident(incidentKey: string, retries?: number): Promise<void>;

  /** Fires timers and retries that are due by the engine's clock; the scheduler calls it periodically. */
  abstract runDueTimers(): Promise<number>;

  /** Resolves when no step and no worker call is in flight (tests, shutdown). */
  abstract whenIdle(): Promise<void>;

  /** Subscribes to task, incident and instance events; returns the unsubscribe function. */
  abstract onEvent(listener: WorkflowEventListener): () => void;
}
