import { DataSource } from 'typeorm';
import { AppConfig } from '../../src/config/app-config';
import { loadAppConfig } from '../../src/config/load-app-config';
import { SchedulerLeases } from '../../src/scheduling/scheduler-leases';
import { TEST_DATABASE_KINDS, openMigratedDatabase } from '../support/test-databases';

/**
 * The lease that makes once-across-processes work run in one process: two SchedulerLeases objects
 * stand for two processes (distinct holders) on one database.
 */
describe.each(TEST_DATABASE_KINDS)('scheduler leases [%s]', (kind) => {
  let dataSource: DataSource;
  let close: () => Promise<void>;
  const config = (ttlMs: number): AppConfig => ({ ...loadAppConfig({}), schedulerLeaseMs: ttlMs });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  beforeAll(async () => {
    ({ dataSource, close } = await openMigratedDatabase(kind));
  });
  afterAll(async () => close?.());

  it('is held by one process at a time, renewed by its holder, taken over only after it expired', async () => {
    const a = new SchedulerLeases(dataSource, config(600));
    const b = new SchedulerLeases(dataSource, config(600));
    expect(await a.take('work-1')).toBe(true);
    expect(await b.take('work-1')).toBe(false);
    expect(await a.take('work-1')).toBe(true); // renewal
    expect((await a.current('work-1'))!.holder).toBe(a.holder);
    await sleep(700);
    expect(await b.take('work-1')).toBe(true);
    expect(await a.take('work-1')).toBe(false);
    expect((await b.current('work-1'))!.holder).toBe(b.holder);
    await b.release('work-1');
    expect(await a.take('work-1')).toBe(true);
  });

  it('of many processes racing for an expired lease, exactly one gets it', async () => {
    const processes = Array.from({ length: 6 }, () => new SchedulerLeases(dataSource, config(60_000)));
    const results = await Promise.all(processes.map((p) => p.take('work-2')));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = processes[results.indexOf(true)];
    expect((await winner.current('work-2'))!.holder).toBe(winner.holder);
  });

  it('exclusive work never overlaps, within a process or across processes', async () => {
    const a = new SchedulerLeases(dataSource, config(2_000));
    const b = new SchedulerLeases(dataSource, config(2_000));
    let inside = 0;
    let most = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await sleep(50);
      inside--;
    };
    await Promise.all([a, b, a, b, a].map((leases) => leases.exclusive('work-3', 10_000, work)));
    expect(most).toBe(1);
    // Held elsewhere past the wait: refused as busy, naming the holder.
    expect(await a.take('work-4')).toBe(true);
    await expect(b.exclusive('work-4', 300, work)).rejects.toThrow(a.holder);
  });
});
