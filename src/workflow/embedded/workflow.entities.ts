import { Column, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/**
 * Rows of the embedded workflow engine (tables `wf_*`, created by migration 1764231000000).
 * Instants are epoch milliseconds (`bigint`): exact, zone-free and compared the same way on both databases.
 */
const epochMs = { to: (v?: number | null) => v, from: (v: unknown) => (v === null || v === undefined ? null : Number(v)) };

@Entity('wf_deployments')
export class WfDeployment {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'bpmn_process_id', type: 'varchar' }) bpmnProcessId!: string;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'resource_name', type: 'varchar' }) resourceName!: string;
  @Column({ type: 'varchar' }) checksum!: string;
  /** The BPMN XML as deployed. */
  @Column({ type: 'text' }) source!: string;
  /** moddle-context-serializer's serialized context: recovering from it avoids parsing XML per instance. */
  @Column({ name: 'serialized_context', type: 'text' }) serializedContext!: string;
  /** What the engine needs beyond the context (message correlation keys, start events); JSON. */
  @Column({ type: 'text' }) meta!: string;
  @Column({ name: 'deployed_at', type: 'bigint', transformer: epochMs }) deployedAt!: number;
}

@Entity('wf_instances')
export class WfInstance {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'deployment_id', type: 'varchar' }) deploymentId!: string;
  @Column({ name: 'bpmn_process_id', type: 'varchar' }) bpmnProcessId!: string;
  @Column({ type: 'integer' }) version!: number;
  @Column({ name: 'business_key', type: 'varchar', nullable: true }) businessKey!: string | null;
  @Column({ type: 'varchar' }) status!: string;
  /** bpmn-engine `getState()` without the definition source; null once the instance ended. */
  @Column({ type: 'text', nullable: true }) state!: string | null;
  /** Process variables (one flat scope), JSON. */
  @Column({ type: 'text' }) variables!: string;
  /** Elements started and not yet left: executionId → { elementId, elementType, startedAt }, JSON. */
  @Column({ name: 'active_elements', type: 'text' }) activeElements!: string;
  @Column({ name: 'started_at', type: 'bigint', transformer: epochMs }) startedAt!: number;
  @Column({ name: 'ended_at', type: 'bigint', nullable: true, transformer: epochMs }) endedAt!: number | null;
  /** Incremented by every committed step. */
  @Column({ type: 'integer' }) revision!: number;
  /** For an instance started by a call activity: the calling instance, the `wf_calls` row and the tree's root. */
  @Column({ name: 'parent_instance_id', type: 'varchar', nullable: true }) parentInstanceId!: string | null;
  @Column({ name: 'parent_call_id', type: 'varchar', nullable: true }) parentCallId!: string | null;
  @Column({ name: 'root_instance_id', type: 'varchar', nullable: true }) rootInstanceId!: string | null;
}

/**
 * One execution of a call activity (one per multi-instance iteration). `pending`: written by the parent's
 * step, the child not started yet; `running`: the child runs; `completed`: the child ended, its variables
 * wait to be handed to the parent; `stuck`: the child could not be started (an incident is open);
 * `closed` / `cancelled`: the parent went on, or left the call activity before the child ended.
 */
@Entity('wf_calls')
export class WfCall {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'parent_instance_id', type: 'varchar' }) parentInstanceId!: string;
  @Column({ name: 'parent_execution_id', type: 'varchar' }) parentExecutionId!: string;
  @Column({ name: 'element_id', type: 'varchar' }) elementId!: string;
  @Column({ name: 'called_process_id', type: 'varchar', nullable: true }) calledProcessId!: string | null;
  @Column({ name: 'child_instance_id', type: 'varchar', nullable: true }) childInstanceId!: string | null;
  @Column({ type: 'varchar' }) state!: string;
  /** The child's input variables while pending, its output once completed; JSON. */
  @Column({ type: 'text' }) variables!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt!: number;
}

@Entity('wf_user_tasks')
export class WfUserTask {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'instance_id', type: 'varchar' }) instanceId!: string;
  @Column({ name: 'execution_id', type: 'varchar' }) executionId!: string;
  @Column({ name: 'element_id', type: 'varchar' }) elementId!: string;
  @Column({ name: 'bpmn_process_id', type: 'varchar' }) bpmnProcessId!: string;
  @Column({ name: 'business_key', type: 'varchar', nullable: true }) businessKey!: string | null;
  @Column({ type: 'varchar', nullable: true }) name!: string | null;
  @Column({ type: 'varchar' }) state!: string;
  @Column({ type: 'varchar', nullable: true }) assignee!: string | null;
  /** JSON array. */
  @Column({ name: 'candidate_groups', type: 'text' }) candidateGroups!: string;
  @Column({ name: 'candidate_users', type: 'text' }) candidateUsers!: string;
  @Column({ name: 'due_date', type: 'varchar', nullable: true }) dueDate!: string | null;
  @Column({ name: 'follow_up_date', type: 'varchar', nullable: true }) followUpDate!: string | null;
  @Column({ type: 'integer' }) priority!: number;
  @Column({ name: 'form_key', type: 'varchar', nullable: true }) formKey!: string | null;
  @Column({ name: 'custom_headers', type: 'text' }) customHeaders!: string;
  @Column({ type: 'text' }) variables!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt!: number;
  @Column({ name: 'completed_at', type: 'bigint', nullable: true, transformer: epochMs }) completedAt!: number | null;
  @Column({ name: 'completed_by', type: 'varchar', nullable: true }) completedBy!: string | null;
}

@Entity('wf_jobs')
export class WfJob {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'instance_id', type: 'varchar' }) instanceId!: string;
  @Column({ name: 'execution_id', type: 'varchar' }) executionId!: string;
  @Column({ name: 'element_id', type: 'varchar' }) elementId!: string;
  @Column({ type: 'varchar' }) type!: string;
  /** activatable | failed (incident) | completed | cancelled */
  @Column({ type: 'varchar' }) state!: string;
  @Column({ type: 'integer' }) retries!: number;
  @Column({ name: 'available_at', type: 'bigint', transformer: epochMs }) availableAt!: number;
  @Column({ name: 'custom_headers', type: 'text' }) customHeaders!: string;
  /** Input-mapped variables of the job, JSON (null: the process variables at activation). */
  @Column({ name: 'local_variables', type: 'text' }) localVariables!: string;
  @Column({ name: 'error_message', type: 'varchar', nullable: true }) errorMessage!: string | null;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt!: number;
}

@Entity('wf_timers')
export class WfTimer {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  /** The instance whose timer event waits; null for a timer start event (then deploymentId is set). */
  @Column({ name: 'instance_id', type: 'varchar', nullable: true }) instanceId!: string | null;
  @Column({ name: 'deployment_id', type: 'varchar', nullable: true }) deploymentId!: string | null;
  /** The timer's execution id in the engine (unique per loop iteration); `start:<elementId>` for start events. */
  @Column({ name: 'execution_id', type: 'varchar' }) executionId!: string;
  @Column({ name: 'element_id', type: 'varchar' }) elementId!: string;
  @Column({ name: 'due_at', type: 'bigint', transformer: epochMs }) dueAt!: number;
  /** Start timers: the cycle still to run (e.g. `R4/PT1H`), null when it fires once. */
  @Column({ type: 'varchar', nullable: true }) cycle!: string | null;
}

@Entity('wf_message_subscriptions')
export class WfMessageSubscription {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'instance_id', type: 'varchar' }) instanceId!: string;
  @Column({ name: 'execution_id', type: 'varchar' }) executionId!: string;
  @Column({ name: 'element_id', type: 'varchar' }) elementId!: string;
  @Column({ name: 'message_name', type: 'varchar' }) messageName!: string;
  @Column({ name: 'correlation_key', type: 'varchar' }) correlationKey!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt!: number;
}

@Entity('wf_messages')
export class WfBufferedMessage {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ type: 'varchar' }) name!: string;
  @Column({ name: 'correlation_key', type: 'varchar' }) correlationKey!: string;
  @Column({ type: 'text' }) variables!: string;
  @Column({ name: 'published_at', type: 'bigint', transformer: epochMs }) publishedAt!: number;
  @Column({ name: 'expires_at', type: 'bigint', transformer: epochMs }) expiresAt!: number;
}

@Entity('wf_history')
export class WfHistory {
  @PrimaryGeneratedColumn() id!: number;
  @Column({ name: 'instance_id', type: 'varchar' }) instanceId!: string;
  @Column({ name: 'execution_id', type: 'varchar' }) executionId!: string;
  @Column({ name: 'element_id', type: 'varchar' }) elementId!: string;
  @Column({ name: 'element_type', type: 'varchar' }) elementType!: string;
  @Column({ type: 'varchar' }) event!: string;
  @Column({ type: 'bigint', transformer: epochMs }) at!: number;
  @Column({ type: 'varchar', nullable: true }) actor!: string | null;
  /** For `called` entries: the instance the call activity started. */
  @Column({ name: 'called_instance_id', type: 'varchar', nullable: true }) calledInstanceId?: string | null;
}

@Entity('wf_incidents')
export class WfIncident {
  @PrimaryColumn({ type: 'varchar' }) id!: string;
  @Column({ name: 'instance_id', type: 'varchar' }) instanceId!: string;
  @Column({ name: 'job_id', type: 'varchar', nullable: true }) jobId!: string | null;
  @Column({ name: 'element_id', type: 'varchar' }) elementId!: string;
  @Column({ type: 'varchar' }) type!: string;
  @Column({ type: 'varchar' }) message!: string;
  @Column({ type: 'varchar' }) state!: string;
  @Column({ name: 'created_at', type: 'bigint', transformer: epochMs }) createdAt!: number;
  @Column({ name: 'resolved_at', type: 'bigint', nullable: true, transformer: epochMs }) resolvedAt!: number | null;
}

@Entity('wf_engine_lock')
export class WfEngineLock {
  @PrimaryColumn({ type: 'varchar' }) name!: string;
  @Column({ type: 'varchar' }) holder!: string;
  @Column({ name: 'heartbeat_at', type: 'bigint', transformer: epochMs }) heartbeatAt!: number;
  @Column({ name: 'acquired_at', type: 'bigint', transformer: epochMs }) acquiredAt!: number;
}

export const WORKFLOW_ENTITIES = [WfDeployment, WfInstance, WfUserTask, WfJob, WfTimer, WfMessageSubscription, WfBufferedMessage, WfHistory, WfIncident, WfEngineLock, WfCall];
