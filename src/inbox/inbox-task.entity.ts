import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type InboxTaskState = 'open' | 'completed' | 'cancelled';

/**
 * The application's projection of the engine's user tasks, kept from the workflow port's events,
 * so that the inbox reads one indexed table whichever engine runs (embedded or Zeebe).
 */
@Entity('inbox_tasks')
@Index(['state', 'unitId'])
@Index(['state', 'assignee'])
export class InboxTaskEntity {
  @PrimaryColumn({ name: 'task_key', type: 'varchar', length: 64 })
  taskKey!: string;

  @Column({ name: 'instance_key', type: 'varchar', length: 64 })
  instanceKey!: string;

  @Column({ name: 'bpmn_process_id', type: 'varchar', length: 100 })
  bpmnProcessId!: string;

  @Column({ name: 'element_id', type: 'varchar', length: 100 })
  elementId!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: InboxTaskState;

  @Column({ name: 'cycle_id', type: 'integer', nullable: true })
  cycleId!: number | null;

  @Column({ name: 'unit_id', type: 'integer', nullable: true })
  unitId!: number | null;

  /** What the task is about, e.g. `report:42`. */
  @Column({ name: 'subject', type: 'varchar', length: 100, nullable: true })
  subject!: string | null;

  @Column({ type: 'varchar', length: 120, nullable: true })
  assignee!: string | null;

  @Column({ name: 'due_at', type: 'datetime', precision: 3, nullable: true })
  dueAt!: Date | null;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'completed_at', type: 'datetime', precision: 3, nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'completed_by', type: 'varchar', length: 120, nullable: true })
  completedBy!: string | null;
}

/** Who a task is offered to: `group:<name>` or `user:<login>`, one row each, indexed for "my groups' tasks". */
@Entity('inbox_task_candidates')
@Index(['candidate', 'taskKey'])
export class InboxTaskCandidateEntity {
  @PrimaryColumn({ name: 'task_key', type: 'varchar', length: 64 })
  taskKey!: string;

  @PrimaryColumn({ type: 'varchar', length: 150 })
  candidate!: string;
}
