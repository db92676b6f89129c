import { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source-options';
import { startupLockName, withStartupLock } from '../../src/database/startup-lock';
import { TEST_DATABASE_KINDS, TestDatabase, createTestDatabase } from '../support/test-databases';

/**
 * The start-up lock (GET_LOCK) makes processes on one database take turns; its name is server-wide,
 * so it is named after the database: a start-up on another database of the same server must not wait
 * (the soak test's restarts waited for other test servers' first starts while it was one name).
 */
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each(TEST_DATABASE_KINDS.filter((kind) => kind === 'mariadb'))('the start-up lock is per database [%s]', (kind) => {
  const dbs: TestDatabase[] = [];
  const sources: DataSource[] = [];
  const open = async (db: TestDatabase) => {
    const source = createDataSource(db.config);
    await source.initialize();
    sources.push(source);
    return source;
  };
  afterAll(async () => {
    for (const source of sources) if (source.isInitialized) await source.destroy();
    for (const db of dbs) await db.destroy();
  });

  it('lets another database start at once, and makes a second process on the same database wait its turn', async () => {
    dbs.push(await createTestDatabase(kind), await createTestDatabase(kind));
    const [a1, a2, b] = [await open(dbs[0]), await open(dbs[0]), await open(dbs[1])];
    let release!: () => void;
    const holding = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const first = withStartupLock(a1, async () => {
      entered();
      await holding;
    });
    await inside;

    // Another database: runs while the first start-up holds its lock.
    const began = Date.now();
    await withStartupLock(b, async () => undefined);
    expect(Date.now() - began).toBeLessThan(5_000);

    // The same database: waits until the first start-up is done.
    const order: string[] = [];
    const second = withStartupLock(a2, async () => void order.push('second'));
    await sleep(1_000);
    order.push('first done');
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['first done', 'second']);
  });

  it('names the lock after the database, within MariaDB’s 64 characters', () => {
    expect(startupLockName('iso_cycle')).toBe('iso-cycle:start:iso_cycle');
    expect(startupLockName('x'.repeat(64))).toHaveLength(56);
    expect(startupLockName('x'.repeat(64))).not.toBe(startupLockName('y'.repeat(64)));
  });
});
