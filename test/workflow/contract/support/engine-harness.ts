import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { Clock, ControlledClock } from '../../../../src/shared/clock';
import { EmbeddedWorkflowEngine } from '../../../../src/workflow/embedded/embedded-workflow-engine';
import { JobHandler, WorkflowEngine, WorkflowEvent } from '../../../../src/workflow/workflow-engine';
import { openMigratedDatabase, TEST_DATABASE_KINDS, TestDatabaseKind } from '../../../support/test-databases';
import { ZEEBE_ON_STUB, ZEEBE_REAL } from '../../zeebe/support/zeebe-under-test';

/**
 * The engine contract suite runs every spec against each adapter, on each test database, in two modes:
 * `kept` (one engine object for the whole test) and `restarted` (a new engine object, knowing only the
 * database, before every step), so that nothing passes by living in memory.
 */
export interface AdapterUnderTest {
  name: string;
  create(dataSource: DataSource, clock: Clock): WorkflowEngine;
  /** Databases to run on (default: every TEST_DATABASES kind); an adapter that keeps nothing in our database needs one. */
  databases?: TestDatabaseKind[];
  /** Modes to run in (default: WORKFLOW_CONTRACT_MODES). */
  modes?: EngineMode[];
  /** Scenarios (by title) the adapter cannot honour, each with the reason: declared skipped, so they show in the report. */
  unsupported?: { title: RegExp; reason: string }[];
  /** Called once the test file's database is no longer needed (e.g. to stop a wire stub running on it). */
  release?(dataSource: DataSource): Promise<void>;
}

export const ADAPTERS: AdapterUnderTest[] = [
  { name: 'embedded', create: (dataSource, clock) => new EmbeddedWorkflowEngine(dataSource, clock, { schedulerIntervalMs: 0, log: () => undefined }) },
  ZEEBE_ON_STUB,
  ...(ZEEBE_REAL ? [ZEEBE_REAL] : []),
];

export type EngineMode = 'kept' | 'restarted';
const MODES = (process.env.WORKFLOW_CONTRACT_MODES ?? 'kept,restarted').split(',').filter((mode): mode is EngineMode => mode === 'kept' || mode === 'restarted');

export const CONTRACT_START = '2026-09-01T08:00:00.000Z';

export class EngineHarness {
  clock = new ControlledClock(CONTRACT_START);
  /** Every event delivered by any of the engine objects during the current test, in order. */
  events: WorkflowEvent[] = [];
  private current: WorkflowEngine | null = null;
  private readonly workers = new Map<string, JobHandler>();
  private dataSource!: DataSource;
  private close!: () => Promise<void>;

  constructor(
    readonly kind: TestDatabaseKind,
    readonly adapter: AdapterUnderTest,
    readonly mode: EngineMode,
    private readonly fixtureDir: string,
  ) {}

  get engine(): WorkflowEngine {
    if (!this.current) throw new Error('engine not started');
    return this.current;
  }

  async open(): Promise<void> {
    const opened = await openMigratedDatabase(this.kind);
    this.dataSource = opened.dataSource;
    this.close = opened.close;
  }

  /** A fresh engine, clock and event log for the next test (the database is shared by the file's tests). */
  async begin(): Promise<void> {
    this.clock = new ControlledClock(CONTRACT_START);
    this.events = [];
    this.workers.clear();
    await this.boot();
  }

  /** A new engine object on the same database, clock and event log (after `end`, e.g. to simulate downtime). */
  async startAgain(): Promise<void> {
    await this.boot();
  }

  async end(): Promise<void> {
    await this.current?.stop();
    this.current = null;
  }

  async shutdown(): Promise<void> {
    await this.end();
    await this.adapter.release?.(this.dataSource);
    await this.close();
  }

  /** The database under the engine: for assertions about rows only. */
  get database(): DataSource {
    return this.dataSource;
  }

  /** One step of a scenario: in `restarted` mode on a brand-new engine object. Waits for workers to finish. */
  async step<T>(action: (engine: WorkflowEngine) => Promise<T>): Promise<T> {
    if (this.mode === 'restarted') await this.restart();
    const result = await action(this.engine);
    await this.engine.whenIdle();
    return result;
  }

  async restart(): Promise<void> {
    await this.current?.stop();
    await this.boot();
  }

  /** A worker that survives restarts. */
  async worker(type: string, handler: JobHandler): Promise<void> {
    this.workers.set(type, handler);
    this.engine.registerWorker(type, handler);
    await this.engine.whenIdle();
  }

  async deploy(...fixtures: string[]) {
    return this.step((engine) => engine.deploy(fixtures.map((name) => ({ name, xml: readFileSync(join(this.fixtureDir, name), 'utf8') }))));
  }

  /** Moves the controlled clock and lets the scheduler fire what fell due. */
  async advance(milliseconds: number): Promise<number> {
    this.clock.advance(milliseconds);
    return this.step((engine) => engine.runDueTimers());
  }

  async advanceTo(instant: string): Promise<number> {
    this.clock.set(instant);
    return this.step((engine) => engine.runDueTimers());
  }

  eventsOf(type: WorkflowEvent['type']): WorkflowEvent[] {
    return this.events.filter((event) => event.type === type);
  }

  private async boot(): Promise<void> {
    const engine = this.adapter.create(this.dataSource, this.clock);
    engine.onEvent((event) => this.events.push(event));
    await engine.start();
    for (const [type, handler] of this.workers) engine.registerWorker(type, handler);
    this.current = engine;
    await engine.whenIdle();
  }
}

/**
 * Declares the scenarios once per adapter × database × mode: one fresh database per block, a fresh
 * engine and clock per test (scenarios keep apart by their own instances and correlation keys).
 */
export function describeContract(title: string, fixtureDir: string, scenarios: (h: () => EngineHarness) => void): void {
  for (const adapter of ADAPTERS) {
    for (const kind of TEST_DATABASE_KINDS.filter((candidate) => !adapter.databases || adapter.databases.includes(candidate))) {
      for (const mode of MODES.filter((candidate) => !adapter.modes || adapter.modes.includes(candidate))) {
        describe(`${title} [${adapter.name}, ${kind}, ${mode}]`, () => {
          const harness = new EngineHarness(kind, adapter, mode, fixtureDir);
          beforeAll(() => harness.open());
          afterAll(() => harness.shutdown());
          beforeEach(() => harness.begin());
          afterEach(() => harness.end());
          withUnsupportedSkipped(adapter, () => scenarios(() => harness));
        });
      }
    }
  }
}

/**
 * Declares the scenarios with the adapter's unsupported ones as `it.skip` (titled with the reason).
 * The specs call the global `it`, so it is swapped for the duration of the declaration only.
 */
function withUnsupportedSkipped(adapter: AdapterUnderTest, declare: () => void): void {
  const unsupported = adapter.unsupported ?? [];
  if (unsupported.length === 0) return declare();
  const original = global.it;
  const filtered = ((name: string, ...rest: unknown[]) => {
    const gap = unsupported.find((candidate) => candidate.title.test(name));
    return gap ? original.skip(`${name} — not on ${adapter.name}: ${gap.reason}`, () => undefined) : (original as (...args: unknown[]) => void)(name, ...rest);
  }) as unknown as jest.It;
  Object.assign(filtered, original);
  global.it = filtered;
  try {
    declare();
  } finally {
    global.it = original;
  }
}
