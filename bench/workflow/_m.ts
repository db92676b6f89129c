import { readFileSync } from 'node:fs';
import { Engine } from 'bpmn-engine';
import { createDataSource } from '../../src/database/data-source-options';
import { SystemClock } from '../../src/shared/clock';
import { DeploymentRegistry } from '../../src/workflow/embedded/deployment-registry';
import { InstanceRun } from '../../src/workflow/embedded/instance-run';
(async () => {
  const ds = createDataSource({ kind: 'sqlite', sqlitePath: ':memory:', displayUrl: 'x' } as any);
  await ds.initialize(); await ds.runMigrations();
  const reg = new DeploymentRegistry(ds);
  const { fresh } = await reg.deploy([{ name: 'b.bpmn', xml: readFileSync(__dirname + '/two-user-tasks.bpmn', 'utf8') }], new Date());
  const dep = fresh[0];
  const silent = () => ({ debug() {}, error() {}, warn() {}, info() {} });
  const empty = () => ({ tasks: new Map(), jobs: new Map(), timers: new Map(), subscriptions: new Map() });
  const n = 300;
  for (const variant of ['raw', 'run', 'raw', 'run', 'runNoStop']) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < n; i++) {
      if (variant === 'raw') {
        const e = new Engine({ name: 'x', sourceContext: dep.context as any, Logger: silent } as any);
        await e.execute();
        for (let k = 0; k < 2; k++) e.execution.getPostponed()[0].signal({});
      } else {
        const run = new InstanceRun('i', dep, new SystemClock(), empty(), {}, {}, { businessKey: null });
        await run.start();
        for (let k = 0; k < 2; k++) { const ch = run.changes(); run.committed(ch); const id = [...(run as any).open.tasks.keys()][0]; await run.completeUserTask(id, {}, 'x'); await run.savedState(); }
        if (variant === 'run') run.stop();
      }
    }
    const c = process.cpuUsage(c0);
    console.log(variant, (n / ((c.user + c.system) / 1e6)).toFixed(0), '/s cpu');
  }
})();
