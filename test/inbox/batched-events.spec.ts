import { DataSource } from 'typeorm';
import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { ControlledClock } from '../../src/shared/clock';
import { EmbeddedWorkflowEngine } from '../../src/workflow/embedded/embedded-workflow-engine';
import { UserTask, WorkflowEvent } from '../../src/workflow/workflow-engine';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';

/**
 * The projection writes the task events that arrive while it is busy together, in one transaction.
 * Batching must keep the engine's order (a task created then completed in one burst ends completed)
 * and must not let one event that cannot be written take the others of its batch with it.
 */
describe.each(TEST_DATABASE_KINDS)('the inbox projection, events in batches [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  let engine: EmbeddedWorkflowEngine;
  let projection: InboxProjection;
  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
    engine = new EmbeddedWorkflowEngine(dataSource, new ControlledClock('2026-10-01T02:00:00Z'), { schedulerIntervalMs: 0, log: () => undefined });
    projection = new InboxProjection(dataSource, engine);
    projection.attach();
  });
  afterAll(async () => {
    projection.onModuleDestroy();
    await close();
  });

  /** Announces an event through the engine's own listeners, as a step's commit does. */
  const announce = (event: WorkflowEvent) => (engine as unknown as { emit(event: WorkflowEvent): void }).emit(event);
  const task = (taskKey: string, state: UserTask['state'] = 'created'): UserTask => ({
    taskKey, instanceKey: `instance-${taskKey}`, bpmnProcessId: 'unit-report', businessKey: `report:${taskKey}`, elementId: 'draft-report', name: 'Soạn báo cáo', state,
    assignee: null, candidateGroups: ['unit:1:staff'], candidateUsers: [], dueDate: null, followUpDate: null, priority: 50, formKey: null, customHeaders: {},
    variables: { cycleId: 1, unitId: 1 }, createdAt: new Date('2026-10-01T02:00:00Z'), completedAt: state === 'completed' ? new Date('2026-10-01T03:00:00Z') : null, completedBy: state === 'completed' ? 'staff' : null,
  } as UserTask);
  const stateOf = async (taskKey: string) => (await dataSource.getRepository(InboxTaskEntity).findOneBy({ taskKey }))?.state ?? 'absent';

  it('given a burst of events, then each task ends in the state of its last event', async () => {
    announce({ type: 'userTaskCreated', task: task('a1') } as WorkflowEvent);
    announce({ type: 'userTaskCompleted', task: task('a1', 'completed') } as WorkflowEvent);
    announce({ type: 'userTaskCreated', task: task('a2') } as WorkflowEvent);
    announce({ type: 'userTaskCreated', task: task('a3') } as WorkflowEvent);
    announce({ type: 'userTaskCancelled', task: task('a3', 'cancelled') } as WorkflowEvent);
    await projection.settled();

    expect([await stateOf('a1'), await stateOf('a2'), await stateOf('a3')]).toEqual(['completed', 'open', 'cancelled']);
  });

  it('given an event that cannot be written in a burst, then the others of its burst are written', async () => {
    announce({ type: 'userTaskCreated', task: task('b1') } as WorkflowEvent);
    announce({ type: 'userTaskCreated', task: { ...task('b2'), bpmnProcessId: null } as unknown as UserTask } as WorkflowEvent); // NOT NULL refuses it
    announce({ type: 'userTaskCreated', task: task('b3') } as WorkflowEvent);
    await projection.settled();

    expect([await stateOf('b1'), await stateOf('b2'), await stateOf('b3')]).toEqual(['open', 'absent', 'open']);
  });
});
