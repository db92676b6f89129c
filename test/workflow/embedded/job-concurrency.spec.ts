import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ControlledClock } from '../../../src/shared/clock';
import { EmbeddedWorkflowEngine } from '../../../src/workflow/embedded/embedded-workflow-engine';
import { JobOutcomes } from '../../../src/workflow/workflow-engine';
import { openMigratedDatabase } from '../../support/test-databases';

/**
 * A worker of the embedded engine handles at most `maxJobsActive` jobs of its type at once, as a Zeebe
 * worker activates at most that many; the others wait and are all handled, in order, once slots free.
 * The control, with a limit above the burst, shows the burst would otherwise run all at once.
 */
describe('embedded engine: jobs handled at once per worker', () => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  beforeAll(async () => ({ dataSource, close } = await openMigratedDatabase('sqlite')));
  afterAll(() => close());

  async function burst(maxJobsActive: number, jobs: number) {
    const engine = new EmbeddedWorkflowEngine(dataSource, new ControlledClock('2026-10-01T02:00:00Z'), { schedulerIntervalMs: 0, maxJobsActive, log: () => undefined });
    await engine.start();
    try {
      await engine.deploy([{ name: 'service-task.bpmn', xml: readFileSync(join(__dirname, '..', 'contract', 'service-task.bpmn'), 'utf8') }]);
      let running = 0;
      let most = 0;
      const order: number[] = [];
      const waiting: (() => void)[] = [];
      engine.registerWorker('contract.issue-document', async (job) => {
        running++;
        most = Math.max(most, running);
        order.push(Number(job.variables.year));
        await new Promise<void>((resolve) => waiting.push(resolve));
        running--;
        return JobOutcomes.complete();
      });
      const instances = [];
      for (let n = 0; n < jobs; n++) instances.push(await engine.startInstance({ bpmnProcessId: 'contract-service-task', variables: { unit: 'HN', year: 2000 + n } }));
      // Release handlers one by one until every job has been handled.
      while (order.length < jobs || waiting.length > 0) {
        await new Promise((resolve) => setImmediate(resolve));
        waiting.shift()?.();
      }
      await engine.whenIdle();
      const states = await Promise.all(instances.map((instance) => engine.getInstance(instance.instanceKey)));
      return { most, order, completed: states.filter((state) => state.status === 'completed').length };
    } finally {
      await engine.stop();
    }
  }

  it('handles at most maxJobsActive at once, and every job in the order created', async () => {
    const { most, order, completed } = await burst(3, 12);
    expect(most).toBe(3);
    expect(order).toEqual(Array.from({ length: 12 }, (_, n) => 2000 + n));
    expect(completed).toBe(12);
  });

  it('runs the whole burst at once with a limit above it (the control)', async () => {
    const { most, completed } = await burst(100, 12);
    expect(most).toBe(12);
    expect(completed).toBe(12);
  });
});
