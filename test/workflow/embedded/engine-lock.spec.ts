import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { SystemClock } from '../../../src/shared/clock';
import { EmbeddedWorkflowEngine } from '../../../src/workflow/embedded/embedded-workflow-engine';
import { WfEngineLock } from '../../../src/workflow/embedded/workflow.entities';
import { openMigratedDatabase, TEST_DATABASE_KINDS } from '../../support/test-databases';

describe.each(TEST_DATABASE_KINDS)('embedded engine lock on %s', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const engine = () => new EmbeddedWorkflowEngine(dataSource, new SystemClock(), { schedulerIntervalMs: 0, lockStaleAfterMs: 60_000 });

  beforeAll(async () => ({ dataSource, close } = await openMigratedDatabase(kind)));
  afterAll(() => close());

  it('given a running engine, when a second engine starts against the same database, then it refuses with a clear message', async () => {
    const first = engine();
    await first.start();
    try {
      await expect(engine().start()).rejects.toThrow(/Another embedded workflow engine is running against this database/);
    } finally {
      await first.stop();
    }
  });

  it('given a stopped engine, when another starts, then it gets the lock', async () => {
    const first = engine();
    await first.start();
    await first.stop();
    const second = engine();
    await expect(second.start()).resolves.toBeUndefined();
    await second.stop();
  });

  it('given a lock held by a process of this host that is gone (kill -9), when an engine starts, then it takes the lock over at once', async () => {
    await dataSource.getRepository(WfEngineLock).insert({ name: 'embedded-workflow-engine', holder: `${hostname()}:999999:dead`, heartbeatAt: Date.now(), acquiredAt: Date.now() });
    const successor = engine();
    await expect(successor.start()).resolves.toBeUndefined();
    await successor.stop();
  });

  it('given a lock whose heartbeat is older than the stale limit, when an engine starts, then it takes the lock over', async () => {
    await dataSource.getRepository(WfEngineLock).insert({ name: 'embedded-workflow-engine', holder: 'another-host:1:x', heartbeatAt: Date.now() - 61_000, acquiredAt: Date.now() - 120_000 });
    const successor = engine();
    await expect(successor.start()).resolves.toBeUndefined();
    await successor.stop();
  });

  it('given a fresh lock of another host, when an engine starts, then it refuses', async () => {
    await dataSource.getRepository(WfEngineLock).insert({ name: 'embedded-workflow-engine', holder: 'another-host:1:y', heartbeatAt: Date.now(), acquiredAt: Date.now() });
    await expect(engine().start()).rejects.toMatchObject({ code: 'ENGINE_LOCKED' });
    await dataSource.getRepository(WfEngineLock).clear();
  });
});
