/**
 * Fan-out benchmark (not a test): one national consolidation over `provinces` provinces of `units`
 * units each (default 50 × 200 = 10,000 units, three levels), run to the end through the durable
 * embedded engine on a fresh SQLite file (WAL, synchronous=NORMAL), in one of two designs:
 *
 * - `mi`: the national process has a parallel multi-instance call activity over the provinces, each
 *   province one over its units (fan-mi-*.bpmn, fan-unit.bpmn): every child completion rewrites its
 *   parent's engine state, which holds every running iteration.
 * - `messages`: one instance per unit, per province and the national one, started by the application;
 *   a unit's worker publishes `unit-reported` to its province, which counts them in a receive-task loop
 *   and then publishes `province-reported` to the national instance (fan-msg-*.bpmn): every state stays small.
 *
 * Reported: wall and CPU time, bytes the process wrote (`wchar` of /proc/self/io: SQLite's WAL and
 * database writes), peak resident memory (one design per process, so the peak is its own), the largest
 * saved engine state, and the database size at the end.
 *
 *   node --expose-gc -r ./scripts/register-typescript.js bench/workflow/fan-out.bench.ts <mi|messages> [provinces=50] [units=200]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source-options';
import { SystemClock } from '../../src/shared/clock';
import { EmbeddedWorkflowEngine } from '../../src/workflow/embedded/embedded-workflow-engine';
import { JobOutcomes, WorkflowEngine } from '../../src/workflow/workflow-engine';

const design = process.argv[2];
const [provinces = 50, units = 200] = process.argv.slice(3).map(Number);
if (design !== 'mi' && design !== 'messages') throw new Error('usage: fan-out.bench.ts <mi|messages> [provinces] [units]');
const xml = (name: string) => ({ name, xml: readFileSync(join(__dirname, name), 'utf8') });

function bytesWritten(): number {
  const io = readFileSync('/proc/self/io', 'utf8');
  return Number(/wchar: (\d+)/.exec(io)![1]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'iso-cycle-fan-out-'));
  const file = join(dir, 'bench.sqlite');
  const dataSource = createDataSource({ kind: 'sqlite', sqlitePath: file, displayUrl: 'bench' });
  await dataSource.initialize();
  await dataSource.runMigrations();
  countWrites(dataSource);
  const engine = new EmbeddedWorkflowEngine(dataSource, new SystemClock(), { schedulerIntervalMs: 0, log: (message, error) => console.error(message, error) });
  await engine.start();

  let rootKey = '';
  const finished = new Promise<void>((resolve) => engine.onEvent((event) => event.type === 'instanceCompleted' && event.instance.instanceKey === rootKey && resolve()));
  const tree = Array.from({ length: provinces }, (_, p) => ({ id: `P${p}`, units: Array.from({ length: units }, (_, u) => `P${p}-U${u}`) }));

  const wallStart = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const writtenStart = bytesWritten();
  if (design === 'mi') {
    await engine.deploy([xml('fan-unit.bpmn'), xml('fan-mi-province.bpmn'), xml('fan-mi-national.bpmn')]);
    engine.registerWorker('fan.report', async () => JobOutcomes.complete({ reported: true }));
    rootKey = (await engine.startInstance({ bpmnProcessId: 'fan-mi-national', variables: { provinces: tree } })).instanceKey;
  } else {
    await runMessages(engine, tree, (key) => (rootKey = key));
  }
  await finished;
  await engine.whenIdle();
  const cpu = process.cpuUsage(cpuStart);
  const wallSeconds = Number(process.hrtime.bigint() - wallStart) / 1e9;
  const written = bytesWritten() - writtenStart;

  const [{ count }] = await dataSource.query('SELECT COUNT(*) AS count FROM wf_instances');
  const [{ largest }] = await dataSource.query('SELECT MAX(revision) AS largest FROM wf_instances');
  const root = await engine.getInstance(rootKey);
  await engine.stop();
  await dataSource.destroy();
  const dbBytes = statSync(file).size + (safeSize(`${file}-wal`) ?? 0);
  rmSync(dir, { recursive: true, force: true });
  const result = {
    design, provinces, units, instances: Number(count), rootStatus: root.status, maxRevision: Number(largest),
    wallSeconds: round(wallSeconds), cpuSeconds: round((cpu.user + cpu.system) / 1e6), unitsPerSecond: round((provinces * units) / wallSeconds),
    writtenMiB: round(written / 2 ** 20), valuesWrittenMiB: round(valueBytes / 2 ** 20), peakRssMiB: round(process.resourceUsage().maxRSS / 1024), databaseMiB: round(dbBytes / 2 ** 20), largestStateKiB: round(largestState / 1024),
  };
  console.log(JSON.stringify(result));
}

/** The largest engine state saved for any instance, and the bytes of every value written by INSERT/UPDATE. */
let largestState = 0;
let valueBytes = 0;

function countWrites(dataSource: DataSource): void {
  const driver = dataSource.driver as unknown as { createQueryRunner: (...args: unknown[]) => { query: (sql: string, parameters?: unknown[], ...rest: unknown[]) => Promise<unknown> } };
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (...args: unknown[]) => {
    const runner = create(...args) as ReturnType<typeof create> & { counted?: boolean };
    if (runner.counted) return runner; // the SQLite driver hands out one runner again and again
    runner.counted = true;
    const query = runner.query.bind(runner);
    runner.query = (sql: string, parameters?: unknown[], ...rest: unknown[]) => {
      if (/^\s*(INSERT|UPDATE)/i.test(sql)) {
        for (const value of parameters ?? []) {
          if (typeof value !== 'string') continue;
          valueBytes += Buffer.byteLength(value);
          if (/wf_instances/.test(sql) && value.startsWith('{"name"') && value.length > largestState) largestState = value.length;
        }
      }
      return query(sql, parameters, ...rest);
    };
    return runner;
  };
}

async function runMessages(engine: WorkflowEngine, tree: { id: string; units: string[] }[], setRoot: (key: string) => void): Promise<void> {
  await engine.deploy([xml('fan-msg-unit.bpmn'), xml('fan-msg-province.bpmn'), xml('fan-msg-national.bpmn')]);
  const ttl = 24 * 3600_000;
  engine.registerWorker('fan.report-and-notify', async (job) => {
    await engine.publishMessage({ name: 'unit-reported', correlationKey: String(job.variables.provinceId), timeToLiveMs: ttl });
    return JobOutcomes.complete({ reported: true });
  });
  engine.registerWorker('fan.notify-national', async () => {
    await engine.publishMessage({ name: 'province-reported', correlationKey: 'national', timeToLiveMs: ttl });
    return JobOutcomes.complete();
  });
  engine.registerWorker('fan.done', async () => JobOutcomes.complete());
  setRoot((await engine.startInstance({ bpmnProcessId: 'fan-msg-national', variables: { nationalId: 'national', expected: tree.length, reported: 0 } })).instanceKey);
  for (const province of tree) {
    await engine.startInstance({ bpmnProcessId: 'fan-msg-province', variables: { provinceId: province.id, expected: province.units.length, reported: 0 } });
    for (const unit of province.units) await engine.startInstance({ bpmnProcessId: 'fan-msg-unit', variables: { provinceId: province.id, unitId: unit } });
  }
}

function safeSize(path: string): number | null {
  try {
    return statSync(path).size;
  } catch {
    return null;
  }
}

const round = (value: number) => Math.round(value * 100) / 100;

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
