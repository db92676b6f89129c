import { InboxProjection } from '../../src/inbox/inbox-projection';
import { InboxTaskEntity } from '../../src/inbox/inbox-task.entity';
import { UnitEntity } from '../../src/organization/unit.entity';
import { ReportsService } from '../../src/reports/reports.service';
import { WorkflowEngine } from '../../src/workflow/workflow-engine';
import { insertCycle } from '../support/cycle-fixture';
import { startTestApp, TestApp } from '../support/http-app';
import { TEST_DATABASE_KINDS } from '../support/test-databases';

/**
 * The inbox follows the engine by events written after the engine's commit. A process killed between
 * the two loses the event; the next start's resync must then record what the engine did — the task
 * completed, by whom — not call it cancelled (the soak test on MariaDB found draft tasks completed just
 * before a SIGKILL recorded as cancelled: "0 completed draft tasks for 1 version").
 */
describe.each(TEST_DATABASE_KINDS)('the inbox resync after a lost event [%s]', (kind) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(kind, { dataSets: ['quang-ngai-2025'], runtime: true });
  });
  afterAll(() => t.close());

  it('records a task the engine completed while the event was lost as completed, by its completer, and the next task as open', async () => {
    const cycle = await insertCycle(t.dataSource, 'quang-ngai-2025');
    const unit = await t.dataSource.getRepository(UnitEntity).findOneByOrFail({ dataSetId: 'quang-ngai-2025', code: '21211' });
    const report = await t.app.get(ReportsService).startReport(cycle, unit, { divisionReview: false });
    const engine = t.app.get(WorkflowEngine);
    const projection = t.app.get(InboxProjection);
    await engine.whenIdle();
    await projection.settled();
    const inbox = t.dataSource.getRepository(InboxTaskEntity);
    const draft = await inbox.findOneByOrFail({ subject: `report:${report.id}`, state: 'open' });

    // The process "dies" after the engine's commit: the projection never hears of the completion.
    projection.onModuleDestroy();
    await engine.completeUserTask(draft.taskKey, {}, 'staff.21211@quang-ngai-2025');
    await engine.whenIdle();
    expect((await inbox.findOneByOrFail({ taskKey: draft.taskKey })).state).toBe('open');

    // The next start's resync.
    await projection.resync();
    expect(await inbox.findOneByOrFail({ taskKey: draft.taskKey })).toMatchObject({ state: 'completed', completedBy: 'staff.21211@quang-ngai-2025' });
    const rows = await inbox.find({ where: { subject: `report:${report.id}` } });
    expect(rows.map((row) => `${row.elementId}:${row.state}`).sort()).toEqual(['draft-report:completed', 'head-review:open']);
  });
});
