/**
 * The crash test's child: drives `instances` instances of crash-workload.bpmn, and `trees` instances of
 * crash-tree.bpmn (a parallel multi-instance call activity over three crash-leaf.bpmn children), to the end through the
 * embedded engine, resuming from whatever the database holds. It prints `T` as each database
 * transaction begins (through TypeORM or directly on the SQLite connection; the parent kills on some of them, so kills land during commits), `READY` once the
 * engine runs, `DONE` when every instance has completed, `STUCK` when it can make no progress.
 *
 * argv: <database config JSON> <instances> <fault gap ms, 0 = correct commits> <trees>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseConfig } from '../../../src/config/app-config';
import { createDataSource } from '../../../src/database/data-source-options';
import { SystemClock } from '../../../src/shared/clock';
import { EmbeddedWorkflowEngine } from '../../../src/workflow/embedded/embedded-workflow-engine';
import { SqlRows } from '../../../src/workflow/embedded/sql-rows';
import { IsNull } from 'typeorm';
import { WfInstance } from '../../../src/workflow/embedded/workflow.entities';
import { JobOutcomes } from '../../../src/workflow/workflow-engine';

async function main(): Promise<void> {
  const config = JSON.parse(process.argv[2]) as DatabaseConfig;
  const instances = Number(process.argv[3]);
  const faultGapMs = Number(process.argv[4]);
  const trees = Number(process.argv[5] ?? 0);
  const dataSource = createDataSource(config);
  await dataSource.initialize();
  const transaction = dataSource.transaction.bind(dataSource) as (...args: unknown[]) => Promise<unknown>;
  (dataSource as unknown as { transaction: (...args: unknown[]) => Promise<unknown> }).transaction = (...args: unknown[]) => {
    process.stdout.write('T\n');
    return transaction(...args);
  };
  // On SQLite a step commits on the connection directly (sql-rows.ts), not through dataSource.transaction.
  const runOnSqlite = SqlRows.prototype.runOnSqlite;
  SqlRows.prototype.runOnSqlite = function (this: SqlRows, ...args: Parameters<SqlRows['runOnSqlite']>) {
    process.stdout.write('T\n');
    return runOnSqlite.apply(this, args);
  };

  const engine = new EmbeddedWorkflowEngine(dataSource, new SystemClock(), { schedulerIntervalMs: 0, faultSplitCommit: faultGapMs > 0 ? { gapMs: faultGapMs } : undefined, log: () => undefined });
  await engine.start();
  engine.registerWorker('crash.stamp', async (job) => JobOutcomes.complete({ stamped: job.jobKey }));
  await engine.deploy(['crash-workload.bpmn', 'crash-tree.bpmn', 'crash-leaf.bpmn'].map((name) => ({ name, xml: readFileSync(join(__dirname, name), 'utf8') })));
  process.stdout.write('READY\n');

  let idlePasses = 0;
  for (;;) {
    let progressed = false;
    const existing = new Set((await dataSource.getRepository(WfInstance).find({ select: ['businessKey'] })).map((row) => row.businessKey));
    const starts = [
      ...Array.from({ length: instances }, (_, i) => ({ bpmnProcessId: 'crash-workload', businessKey: `crash-${i}`, index: i })),
      ...Array.from({ length: trees }, (_, i) => ({ bpmnProcessId: 'crash-tree', businessKey: `tree-${i}`, index: i })),
    ];
    for (const { bpmnProcessId, businessKey, index } of starts) {
      if (existing.has(businessKey)) continue;
      await engine.startInstance({ bpmnProcessId, businessKey, variables: { index } });
      progressed = true;
      break; // interleave starts with completions
    }
    const open = [
      ...(await engine.listUserTasks({ state: 'created', bpmnProcessId: 'crash-workload' })).slice(0, 3),
      ...(await engine.listUserTasks({ state: 'created', bpmnProcessId: 'crash-leaf' })).slice(0, 2),
    ];
    for (const task of open) {
      try {
        await engine.completeUserTask(task.taskKey, { [`${task.elementId}Done`]: true }, 'crash-driver');
        progressed = true;
      } catch {
        // reported as no progress below
      }
    }
    await engine.whenIdle();
    const active = await dataSource.getRepository(WfInstance).countBy({ status: 'active' });
    const total = await dataSource.getRepository(WfInstance).countBy({ parentInstanceId: IsNull() });
    if (total === instances + trees && active === 0) {
      process.stdout.write('DONE\n');
      break;
    }
    idlePasses = progressed ? 0 : idlePasses + 1;
    if (idlePasses >= 20) {
      process.stdout.write('STUCK\n');
      break;
    }
  }
  await engine.stop();
  await dataSource.destroy();
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(2);
  },
);
