import { MigrationInterface, QueryRunner, Table, TableIndex } from 'typeorm';
import { col } from './support/columns';

/**
 * Tables of the embedded workflow engine (`wf_*`). Engine state and variables are unbounded text
 * (LONGTEXT on MariaDB); instants are epoch milliseconds. Rows that an engine step changes are written
 * in the same transaction as the instance's state.
 */
export class WorkflowEngine1764231000000 implements MigrationInterface {
  name = 'WorkflowEngine1764231000000';

  async up(runner: QueryRunner): Promise<void> {
    const key = (name: string, nullable = false) => col.key(name, 64, nullable);
    const exec = (name = 'execution_id') => col.key(name, 191);
    const index = (table: string, name: string, columns: string[], isUnique = false) =>
      runner.createIndex(table, new TableIndex({ name, columnNames: columns, isUnique }));

    await runner.createTable(new Table({ name: 'wf_deployments', columns: [
      { ...key('id'), isPrimary: true }, col.key('bpmn_process_id', 191), col.int('version'), col.text('resource_name'), col.key('checksum', 64),
      col.longText(runner, 'source'), col.longText(runner, 'serialized_context'), col.longText(runner, 'meta'), col.bigint('deployed_at'),
    ] }));
    await index('wf_deployments', 'uq_wf_deployments_process_version', ['bpmn_process_id', 'version'], true);

    await runner.createTable(new Table({ name: 'wf_instances', columns: [
      { ...key('id'), isPrimary: true }, key('deployment_id'), col.key('bpmn_process_id', 191), col.int('version'), col.key('business_key', 191, true),
      col.key('status', 16), col.longText(runner, 'state', true), col.longText(runner, 'variables'), col.longText(runner, 'active_elements'),
      col.bigint('started_at'), col.bigint('ended_at', true), col.int('revision'),
    ] }));
    await index('wf_instances', 'ix_wf_instances_status', ['status']);
    await index('wf_instances', 'ix_wf_instances_business_key', ['business_key']);

    await runner.createTable(new Table({ name: 'wf_user_tasks', columns: [
      { ...key('id'), isPrimary: true }, key('instance_id'), exec(), col.key('element_id', 191), col.key('bpmn_process_id', 191), col.key('business_key', 191, true),
      col.text('name', 255, true), col.key('state', 16), col.key('assignee', 191, true), col.longText(runner, 'candidate_groups'), col.longText(runner, 'candidate_users'),
      col.key('due_date', 40, true), col.key('follow_up_date', 40, true), col.int('priority'), col.text('form_key', 255, true),
      col.longText(runner, 'custom_headers'), col.longText(runner, 'variables'), col.bigint('created_at'), col.bigint('completed_at', true), col.key('completed_by', 191, true),
    ] }));
    await index('wf_user_tasks', 'uq_wf_user_tasks_execution', ['instance_id', 'execution_id'], true);
    await index('wf_user_tasks', 'ix_wf_user_tasks_state_assignee', ['state', 'assignee']);

    await runner.createTable(new Table({ name: 'wf_jobs', columns: [
      { ...key('id'), isPrimary: true }, key('instance_id'), exec(), col.key('element_id', 191), col.key('type', 191), col.key('state', 16), col.int('retries'),
      col.bigint('available_at'), col.longText(runner, 'custom_headers'), col.longText(runner, 'local_variables'), col.text('error_message', 1000, true), col.bigint('created_at'),
    ] }));
    await index('wf_jobs', 'uq_wf_jobs_execution', ['instance_id', 'execution_id'], true);
    await index('wf_jobs', 'ix_wf_jobs_state_type', ['state', 'type']);

    await runner.createTable(new Table({ name: 'wf_timers', columns: [
      { ...key('id'), isPrimary: true }, key('instance_id', true), key('deployment_id', true), exec(), col.key('element_id', 191), col.bigint('due_at'), col.key('cycle', 191, true),
    ] }));
    await index('wf_timers', 'ix_wf_timers_due', ['due_at']);
    await index('wf_timers', 'ix_wf_timers_instance', ['instance_id']);

    await runner.createTable(new Table({ name: 'wf_message_subscriptions', columns: [
      { ...key('id'), isPrimary: true }, key('instance_id'), exec(), col.key('element_id', 191), col.key('message_name', 191), col.key('correlation_key', 191), col.bigint('created_at'),
    ] }));
    await index('wf_message_subscriptions', 'uq_wf_message_subscriptions_execution', ['instance_id', 'execution_id'], true);
    await index('wf_message_subscriptions', 'ix_wf_message_subscriptions_name_key', ['message_name', 'correlation_key']);

    await runner.createTable(new Table({ name: 'wf_messages', columns: [
      { ...key('id'), isPrimary: true }, col.key('name', 191), col.key('correlation_key', 191), col.longText(runner, 'variables'), col.bigint('published_at'), col.bigint('expires_at'),
    ] }));
    await index('wf_messages', 'ix_wf_messages_name_key', ['name', 'correlation_key']);

    await runner.createTable(new Table({ name: 'wf_history', columns: [
      col.id(), key('instance_id'), exec(), col.key('element_id', 191), col.key('element_type', 64), col.key('event', 32), col.bigint('at'), col.key('actor', 191, true),
    ] }));
    // Assignment can happen many times per task; every other event at most once per execution.
    await index('wf_history', 'ix_wf_history_instance', ['instance_id', 'execution_id', 'event']);

    await runner.createTable(new Table({ name: 'wf_incidents', columns: [
      { ...key('id'), isPrimary: true }, key('instance_id'), key('job_id', true), col.key('element_id', 191), col.key('type', 32), col.text('message', 1000), col.key('state', 16),
      col.bigint('created_at'), col.bigint('resolved_at', true),
    ] }));
    await index('wf_incidents', 'ix_wf_incidents_instance', ['instance_id', 'state']);

    await runner.createTable(new Table({ name: 'wf_engine_lock', columns: [
      { ...col.key('name', 64), isPrimary: true }, col.text('holder', 255), col.bigint('heartbeat_at'), col.bigint('acquired_at'),
    ] }));
  }

  async down(runner: QueryRunner): Promise<void> {
    for (const table of ['wf_engine_lock', 'wf_incidents', 'wf_history', 'wf_messages', 'wf_message_subscriptions', 'wf_timers', 'wf_jobs', 'wf_user_tasks', 'wf_instances', 'wf_deployments']) {
      await runner.dropTable(table);
    }
  }
}
