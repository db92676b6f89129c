/**
 * Rates are reported twice: by wall time, and by the process's CPU time (user + system), which stays
 * meaningful on a machine shared with other work (better-sqlite3 runs in the calling thread, and WAL
 * with synchronous=NORMAL does not wait for the disk on commit).
 *
 * Workflow engine benchmark (not a test): raw in-memory bpmn-engine at its fastest against the durable
 * embedded adapter on SQLite, in the same run, for (a) start → service task → end and (b) start → two
 * user tasks completed → end; then resident memory with many waiting instances. (b) is also run on
 * bpmn-engine as published, without the broker shortcuts the other two share.
 *
 *   node --expose-gc -r ./scripts/register-typescript.js bench/workflow/workflow-engine.bench.ts [instances=1000] [rounds=5] [waiting=10000] [recovering=0]
 *
 * `recovering` > 0 also runs (b) that many times with the instances' steps interleaved, 40 instances at
 * a time (more than the engine's 16-entry cache): every task completion then recovers its instance's
 * engine from the database, as most steps of a real cycle do. Reported as CPU ms per instance next to
 * (b) run one instance after another.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from 'bpmn-engine';
import { createDataSource } from '../../src/database/data-source-options';
import { SystemClock } from '../../src/shared/clock';
import { DeploymentRegistry } from '../../src/workflow/embedded/deployment-registry';
import { useBrokerShortcuts } from '../../src/workflow/embedded/broker-shortcuts';
import { EmbeddedWorkflowEngine } from '../../src/workflow/embedded/embedded-workflow-engine';
import { JobOutcomes } from '../../src/workflow/workflow-engine';

const [instances = 1000, rounds = 5, waiting = 10_000, recovering = 0] = process.argv.slice(2).map(Number);
const xml = (name: string) => readFileSync(join(__dirname, name), 'utf8');
const silentLogger = () => ({ debug() {}, error() {}, warn() {}, info() {} });
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Rate {
  wall: number;
  cpu: number;
}

/** Instances per second of wall time and of CPU time spent by this process while `work` ran. */
async function measure(work: () => Promise<void>): Promise<Rate> {
  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  await work();
  const cpu = process.cpuUsage(cpuStart);
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  return { wall: instances / wallSeconds, cpu: instances / ((cpu.user + cpu.system) / 1e6) };
}

async function openDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-bench-'));
  const dataSource = createDataSource({ kind: 'sqlite', sqlitePath: join(dir, 'bench.sqlite'), displayUrl: 'bench' });
  await dataSource.initialize();
  await dataSource.runMigrations();
  return { dataSource, dispose: async () => (await dataSource.destroy(), rmSync(dir, { recursive: true, force: true })) };
}

/**
 * Raw bpmn-engine: definitions parsed once, the serialized context reused, nothing persisted. It runs in
 * this process, so it takes the broker shortcuts the durable engine takes (src/workflow/embedded/
 * broker-shortcuts.ts); `asPublished` turns them off, for bpmn-engine as its package ships.
 */
async function rawRate(context: unknown, kind: 'service' | 'userTasks', asPublished = false): Promise<Rate> {
  useBrokerShortcuts(!asPublished);
  try {
    return await rawRun(context, kind);
  } finally {
    useBrokerShortcuts(true);
  }
}

async function rawRun(context: unknown, kind: 'service' | 'userTasks'): Promise<Rate> {
  return measure(async () => {
  for (let i = 0; i < instances; i++) {
    const engine = new Engine({
      name: `raw-${i}`,
      sourceContext: context as never,
      Logger: silentLogger,
      services: {},
      extensions: {
        service: (activity: { type: string; behaviour: Record<string, unknown> }) => {
          if (activity.type === 'bpmn:ServiceTask') activity.behaviour.Service = function Service() {
            return { execute: (_message: unknown, callback: (error: null, output: unknown) => void) => callback(null, { done: true }) };
          };
        },
      },
    } as never);
    const ended = new Promise((resolve) => engine.once('end', resolve));
    await engine.execute();
    if (kind === 'userTasks') for (let k = 0; k < 2; k++) engine.execution.getPostponed()[0].signal({ step: k });
    await ended;
  }
  });
}

async function durableRate(kind: 'service' | 'userTasks'): Promise<Rate> {
  const { dataSource, dispose } = await openDatabase();
  const engine = new EmbeddedWorkflowEngine(dataSource, new SystemClock(), { schedulerIntervalMs: 0 });
  await engine.start();
  await engine.deploy([{ name: 'service-task.bpmn', xml: xml('service-task.bpmn') }, { name: 'two-user-tasks.bpmn', xml: xml('two-user-tasks.bpmn') }]);
  engine.registerWorker('bench.work', async () => JobOutcomes.complete({ done: true }));
  const created: string[] = [];
  engine.onEvent((event) => event.type === 'userTaskCreated' && created.push(event.task.taskKey));
  const rate = await measure(async () => {
  for (let i = 0; i < instances; i++) {
    if (kind === 'service') {
      await engine.startInstance({ bpmnProcessId: 'bench-service-task' });
      await engine.whenIdle();
    } else {
      await engine.startInstance({ bpmnProcessId: 'bench-two-user-tasks' });
      for (let k = 0; k < 2; k++) await engine.completeUserTask(created.shift()!, { step: k }, 'bench');
    }
  }
  });
  await engine.stop();
  await dispose();
  return rate;
}

/** CPU ms per instance of (b): one after another (engines stay cached), or 40 at a time, interleaved (every step recovers). */
async function recoveringCost(interleaved: boolean): Promise<number> {
  const { dataSource, dispose } = await openDatabase();
  const engine = new EmbeddedWorkflowEngine(dataSource, new SystemClock(), { schedulerIntervalMs: 0 });
  await engine.start();
  await engine.deploy([{ name: 'two-user-tasks.bpmn', xml: xml('two-user-tasks.bpmn') }]);
  const created: string[] = [];
  engine.onEvent((event) => event.type === 'userTaskCreated' && created.push(event.task.taskKey));
  const batch = interleaved ? 40 : 1;
  const cpuStart = process.cpuUsage();
  for (let done = 0; done < instances; done += batch) {
    for (let i = 0; i < batch; i++) await engine.startInstance({ bpmnProcessId: 'bench-two-user-tasks' });
    for (let k = 0; k < 2; k++) for (const key of created.splice(0)) await engine.completeUserTask(key, { step: k }, 'bench');
  }
  const cpu = process.cpuUsage(cpuStart);
  await engine.stop();
  await dispose();
  return (cpu.user + cpu.system) / 1000 / (Math.ceil(instances / batch) * batch);
}

async function waitingMemory(): Promise<{ rssMiB: number; heapMiB: number; baselineRssMiB: number }> {
  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  const { dataSource, dispose } = await openDatabase();
  const engine = new EmbeddedWorkflowEngine(dataSource, new SystemClock(), { schedulerIntervalMs: 0 });
  await engine.start();
  await engine.deploy([{ name: 'two-user-tasks.bpmn', xml: xml('two-user-tasks.bpmn') }]);
  gc();
  const baselineRssMiB = process.memoryUsage().rss / 2 ** 20;
  for (let i = 0; i < waiting; i++) await engine.startInstance({ bpmnProcessId: 'bench-two-user-tasks' });
  gc();
  const usage = process.memoryUsage();
  const openTasks = (await engine.listUserTasks({ state: 'created', bpmnProcessId: 'bench-two-user-tasks' })).length;
  if (openTasks !== waiting) throw new Error(`expected ${waiting} open tasks, found ${openTasks}`);
  await engine.stop();
  await dispose();
  return { rssMiB: usage.rss / 2 ** 20, heapMiB: usage.heapUsed / 2 ** 20, baselineRssMiB };
}

async function main() {
  const { dataSource, dispose } = await openDatabase();
  const registry = new DeploymentRegistry(dataSource);
  const { fresh } = await registry.deploy([{ name: 'service-task.bpmn', xml: xml('service-task.bpmn') }, { name: 'two-user-tasks.bpmn', xml: xml('two-user-tasks.bpmn') }], new Date());
  await dispose();
  const [serviceContext, userTaskContext] = fresh.map((deployment) => deployment.context);

  const results: Record<string, Rate[]> = { rawA: [], durableA: [], rawB: [], durableB: [], publishedB: [] };
  for (let round = 0; round < rounds; round++) {
    results.rawA.push(await rawRate(serviceContext, 'service'));
    results.durableA.push(await durableRate('service'));
    results.rawB.push(await rawRate(userTaskContext, 'userTasks'));
    results.durableB.push(await durableRate('userTasks'));
    results.publishedB.push(await rawRate(userTaskContext, 'userTasks', true));
    process.stderr.write(`round ${round + 1}/${rounds}: ${Object.entries(results).map(([k, v]) => `${k} ${v[round].wall.toFixed(0)}/s wall, ${v[round].cpu.toFixed(0)}/s cpu`).join('; ')}\n`);
  }
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, { wall: median(v.map((r) => r.wall)), cpu: median(v.map((r) => r.cpu)) }]));
  const pair = (raw: Rate, durable: Rate) => ({
    'raw in-memory /s (wall, cpu)': [Math.round(raw.wall), Math.round(raw.cpu)],
    'durable SQLite /s (wall, cpu)': [Math.round(durable.wall), Math.round(durable.cpu)],
    'durable / raw (wall, cpu)': [Number((durable.wall / raw.wall).toFixed(2)), Number((durable.cpu / raw.cpu).toFixed(2))],
  });
  const recovery = { sequential: [] as number[], interleaved: [] as number[] };
  for (let round = 0; round < recovering; round++) {
    recovery.sequential.push(await recoveringCost(false));
    recovery.interleaved.push(await recoveringCost(true));
    process.stderr.write(`recovering ${round + 1}/${recovering}: (b) one after another ${recovery.sequential[round].toFixed(2)} ms CPU/instance, interleaved ${recovery.interleaved[round].toFixed(2)}\n`);
  }
  const memory = waiting > 0 ? await waitingMemory() : null;
  const report = {
    instancesPerRound: instances,
    rounds,
    medians: rounds > 0 && {
      '(a) start → service task → end': pair(m.rawA, m.durableA),
      '(b) start → two user tasks → end': {
        ...pair(m.rawB, m.durableB),
        'raw, as published (no broker shortcuts) /s (wall, cpu)': [Math.round(m.publishedB.wall), Math.round(m.publishedB.cpu)],
        'durable / raw as published (wall, cpu)': [Number((m.durableB.wall / m.publishedB.wall).toFixed(2)), Number((m.durableB.cpu / m.publishedB.cpu).toFixed(2))],
      },
    },
    recovering: recovering > 0 && {
      '(b) CPU ms per instance, one after another (engines cached)': Number(median(recovery.sequential).toFixed(2)),
      '(b) CPU ms per instance, 40 interleaved (every completion recovers its engine)': Number(median(recovery.interleaved).toFixed(2)),
    },
    loadAverage: require('node:os').loadavg().map((value: number) => Number(value.toFixed(1))),
    waitingInstances: memory && { count: waiting, rssMiB: Math.round(memory.rssMiB), heapUsedMiB: Math.round(memory.heapMiB), baselineRssMiB: Math.round(memory.baselineRssMiB) },
  };
  process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
