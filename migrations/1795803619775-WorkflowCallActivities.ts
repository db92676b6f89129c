import { MigrationInterface, QueryRunner, Table, TableColumn, TableIndex } from 'typeorm';
import { col } from './support/columns';

/**
 * Call activities of the embedded workflow engine: each call is a row of `wf_calls` (written in the
 * parent's step, then moved on by the child's start and end, each in its own transaction), children
 * know their parent call and the root of their tree, and the parent's history names the called instance.
 */
export class WorkflowCallActivities1795803619775 implements MigrationInterface {
  name = 'WorkflowCallActivities1795803619775';

  async up(runner: QueryRunner): Promise<void> {
    await runner.addColumns('wf_instances', [
      new TableColumn(col.key('parent_instance_id', 64, true)),
      new TableColumn(col.key('parent_call_id', 64, true)),
      new TableColumn(col.key('root_instance_id', 64, true)),
    ]);
    await runner.createIndex('wf_instances', new TableIndex({ name: 'ix_wf_instances_parent', columnNames: ['parent_instance_id'] }));
    await runner.createIndex('wf_instances', new TableIndex({ name: 'ix_wf_instances_root', columnNames: ['root_instance_id'] }));
    await runner.addColumn('wf_history', new TableColumn(col.key('called_instance_id', 64, true)));

    await runner.createTable(new Table({ name: 'wf_calls', columns: [
      { ...col.key('id', 64), isPrimary: true }, col.key('parent_instance_id', 64), col.key('parent_execution_id', 191), col.key('element_id', 191),
      col.key('called_process_id', 191, true), col.key('child_instance_id', 64, true), col.key('state', 16), col.longText(runner, 'variables'), col.bigint('created_at'),
    ] }));
    await runner.createIndex('wf_calls', new TableIndex({ name: 'uq_wf_calls_execution', columnNames: ['parent_instance_id', 'parent_execution_id'], isUnique: true }));
    await runner.createIndex('wf_calls', new TableIndex({ name: 'ix_wf_calls_state', columnNames: ['state'] }));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.dropTable('wf_calls');
    await runner.dropColumn('wf_history', 'called_instance_id');
    await runner.dropIndex('wf_instances', 'ix_wf_instances_root');
    await runner.dropIndex('wf_instances', 'ix_wf_instances_parent');
    for (const column of ['root_instance_id', 'parent_call_id', 'parent_instance_id']) await runner.dropColumn('wf_instances', column);
  }
}
