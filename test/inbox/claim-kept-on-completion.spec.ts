import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/**
 * A task claimed while its instance is in the engine's memory, then completed: the inbox must still
 * say who held it. The soak test found claims lost this way (the engine told the completion with
 * its in-memory copy of the task, from before the claim).
 */
describe.each(TEST_DATABASE_KINDS.slice(0, 1))('a claimed task keeps its assignee when completed [%s]', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], runtime: true });
  });
  afterAll(() => t.close());

  it('keeps the claimant in the engine and in the inbox', async () => {
    const cycle = await insertCycle(t.dataSource, 'quang-ngai-2025');
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', code: '21211' });
    const report = await t.app.get(ReportsService).startReport(cycle, unit);
    const engine = t.app.get(WorkflowEngine);
    await engine.whenIdle();
    await t.app.get(InboxProjection).settled();
    const task = await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ subject: `report:${report.id}`, state: 'open' });
    await engine.assignUserTask(task.taskKey, 'staff.21211@quang-ngai-2025', 'staff.21211@quang-ngai-2025');
    await engine.completeUserTask(task.taskKey, {}, 'staff.21211@quang-ngai-2025');
    await engine.whenIdle();
    await t.app.get(InboxProjection).settled();
    const done = await t.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey: task.taskKey });
    expect(done).toMatchObject({ state: 'completed', assignee: 'staff.21211@quang-ngai-2025' });
  });
});
