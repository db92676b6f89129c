import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DatabaseConfig } from '../../../src/config/app-config';
import { WfCall, WfHistory, WfInstance, WfJob, WfMessageSubscription, WfTimer, WfUserTask } from '../../../src/workflow/embedded/workflow.entities';
import { openMigratedDatabase, TEST_DATABASE_KINDS, TestDatabaseKind } from '../../support/test-databases';

/**
 * Kills a child process running a workload with SIGKILL at random moments — often right as a database
 * transaction begins — at least MIN_KILLS times, restarting it each time, then compares the end state
 * with that of a run without kills. The fault switch (state and rows in two transactions) must fail it
 * (half the kills are plenty for that). Each kill costs a process start: ~1–2 min per database on an idle
 * 2-core machine, much more when the machine is loaded, hence the long timeouts.
 */
const INSTANCES = 40;
/** crash-tree instances: each a parallel multi-instance call activity over three crash-leaf children. */
const TREES = 3;
const MIN_KILLS = 20;
const SEED = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
/** The kills cost a process start each: SQLite by default, MariaDB too with CRASH_TEST_DATABASES=sqlite,mariadb. */
const CRASH_KINDS = TEST_DATABASE_KINDS.filter((kind) => (process.env.CRASH_TEST_DATABASES ?? 'sqlite').split(',').includes(kind));

type Outcome = 'killed' | 'done' | 'stuck' | 'error';

function random(seed: number): () => number {
  let state = seed || 1;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

function runChild(config: DatabaseConfig, faultGapMs: number, killAtTransaction: number | null, rng: () => number): Promise<{ outcome: Outcome; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-r', join(__dirname, '..', '..', '..', 'scripts', 'register-typescript.js'), join(__dirname, 'crash-workload.ts'), JSON.stringify(config), String(INSTANCES), String(faultGapMs), String(TREES)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let transactions = 0;
    let killed = false;
    let outcome: Outcome = 'error';
    let stderr = '';
    let buffer = '';
    const kill = () => {
      if (killed) return;
      killed = true;
      child.kill('SIGKILL');
    };
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) {
        if (line === 'DONE') outcome = 'done';
        if (line === 'STUCK') outcome = 'stuck';
        if (line === 'T' && killAtTransaction !== null && ++transactions === killAtTransaction) {
          // Right away (inside the commit) or a moment later (between or inside the next ones).
          if (rng() < 0.5) kill();
          else setTimeout(kill, Math.floor(rng() * 8));
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('exit', () => resolve({ outcome: killed ? 'killed' : outcome, stderr }));
  });
}

async function runWorkload(kind: TestDatabaseKind, options: { kills: number; faultGapMs: number }) {
  const rng = random(SEED + options.faultGapMs);
  const { db, dataSource, close } = await openMigratedDatabase(kind);
  try {
    let kills = 0;
    let last: { outcome: Outcome; stderr: string } = { outcome: 'error', stderr: '' };
    for (let run = 0; run < options.kills + 30; run++) {
      const killAt = kills < options.kills ? 1 + Math.floor(rng() * 6) : null;
      last = await runChild(db.config, options.faultGapMs, killAt, rng);
      if (last.outcome !== 'killed') break;
      kills++;
    }
    return { kills, outcome: last.outcome, stderr: last.stderr, endState: await endState(dataSource) };
  } finally {
    await close();
  }
}

/**
 * Everything that must not depend on crashes, keyed by business key (generated ids left out); a called
 * instance (which inherits its root's business key) by business key, process and its element `item`.
 */
async function endState(dataSource: DataSource) {
  const instances = await dataSource.getRepository(WfInstance).find();
  const keyOf = (row: WfInstance) => (row.parentInstanceId ? `${row.businessKey}/${row.bpmnProcessId}/${JSON.parse(row.variables).item}` : row.businessKey!);
  const byId = new Map(instances.map((row) => [row.id, keyOf(row)]));
  const state: Record<string, { status: string; parent: string | null; variables: Record<string, unknown>; tasks: string[]; jobs: string[]; history: string[]; calls: string[] }> = {};
  for (const row of instances) {
    const variables = JSON.parse(row.variables);
    state[keyOf(row)] = {
      status: row.status, parent: row.parentInstanceId ? byId.get(row.parentInstanceId)! : null, variables: { ...variables, stamped: typeof variables.stamped },
      tasks: [], jobs: [], history: [], calls: [],
    };
  }
  for (const call of await dataSource.getRepository(WfCall).find()) state[byId.get(call.parentInstanceId)!].calls.push(`${call.elementId}:${call.state}:${call.childInstanceId ? byId.get(call.childInstanceId) : null}`);
  for (const task of await dataSource.getRepository(WfUserTask).find()) state[byId.get(task.instanceId)!].tasks.push(`${task.elementId}:${task.state}:${task.completedBy}`);
  for (const job of await dataSource.getRepository(WfJob).find()) state[byId.get(job.instanceId)!].jobs.push(`${job.elementId}:${job.state}`);
  for (const entry of await dataSource.getRepository(WfHistory).find()) state[byId.get(entry.instanceId)!].history.push(`${entry.elementId}:${entry.event}`);
  for (const entry of await dataSource.getRepository(WfHistory).find({ where: { event: 'called' } })) state[byId.get(entry.instanceId)!].history.push(`called:${byId.get(entry.calledInstanceId!)}`);
  for (const instance of Object.values(state)) for (const list of [instance.tasks, instance.jobs, instance.history, instance.calls]) list.sort();
  return {
    /** More than one instance per business key would mean the driver started one twice. */
    instanceCount: instances.length,
    instances: state,
    openTimers: await dataSource.getRepository(WfTimer).count(),
    openSubscriptions: await dataSource.getRepository(WfMessageSubscription).count(),
  };
}

describe.each(CRASH_KINDS)(`embedded engine under SIGKILL on %s (seed ${SEED})`, (kind) => {
  let reference: Awaited<ReturnType<typeof runWorkload>>;

  beforeAll(async () => {
    reference = await runWorkload(kind, { kills: 0, faultGapMs: 0 });
  }, 300_000);

  it('given no kills, then every instance completes with both tasks completed once', () => {
    expect(reference.outcome).toBe('done');
    expect(Object.keys(reference.endState.instances)).toHaveLength(INSTANCES + TREES * 4);
    for (const [key, instance] of Object.entries(reference.endState.instances)) {
      expect(instance.status).toBe('completed');
      if (key.startsWith('crash-')) {
        expect(instance.tasks).toEqual(['review:completed:crash-driver', 'sign:completed:crash-driver']);
        expect(instance.jobs).toEqual(['stamp:completed']);
      } else if (instance.parent === null) {
        expect(instance.variables.results).toEqual(['a:true', 'b:true', 'c:true']);
        expect(instance.calls).toEqual(['a', 'b', 'c'].map((item) => `units:closed:${key}/crash-leaf/${item}`));
        expect(instance.history.filter((entry) => entry.startsWith('called:'))).toHaveLength(3);
      } else {
        expect(instance.tasks).toEqual(['fill:completed:crash-driver']);
        expect(instance.jobs).toEqual(['stamp:completed']);
      }
    }
  });

  it(`given at least ${MIN_KILLS} SIGKILLs at random moments, when the child restarts each time, then the end state equals the run without kills`, async () => {
    const crashed = await runWorkload(kind, { kills: MIN_KILLS, faultGapMs: 0 });

    expect(crashed.stderr).toBe('');
    expect(crashed.kills).toBeGreaterThanOrEqual(MIN_KILLS);
    expect(crashed.outcome).toBe('done');
    expect(crashed.endState).toEqual(reference.endState);
  }, 900_000);

  if (kind === 'sqlite') {
    it('given the fault switch that commits engine state and rows separately, when killed the same way, then the end state differs (the test can fail)', async () => {
      const faulty = await runWorkload(kind, { kills: MIN_KILLS / 2, faultGapMs: 25 });

      expect(faulty.kills).toBeGreaterThan(0);
      expect(faulty.endState).not.toEqual(reference.endState);
    }, 900_000);
  }
});
