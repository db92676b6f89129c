import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { serializeSqliteTransactions } from './sqlite-transactions';

describe('SQLite transactions in one process', () => {
  const open = async (serialized: boolean) => {
    const dataSource = new DataSource({ type: 'better-sqlite3', database: join(mkdtempSync(join(tmpdir(), 'iso-tx-')), 'db.sqlite') });
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE t (v INTEGER)');
    return serialized ? serializeSqliteTransactions(dataSource) : dataSource;
  };

  /** One transaction writes and then fails; another, started meanwhile, writes and commits. */
  const race = async (dataSource: DataSource) => {
    let release!: () => void;
    const paused = new Promise<void>((resolve) => (release = resolve));
    const failing = dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO t (v) VALUES (1)');
      await paused;
      throw new Error('rolled back');
    });
    const committing = dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO t (v) VALUES (2)');
    });
    setTimeout(release, 20);
    const [failed, committed] = await Promise.allSettled([failing, committing]);
    expect(failed.status).toBe('rejected');
    if (committed.status === 'rejected') return [`second transaction failed: ${committed.reason.message}`];
    return (await dataSource.query('SELECT v FROM t ORDER BY v')).map((r: { v: number }) => r.v);
  };

  it('keeps a committed transaction when another one running at the same time rolls back', async () => {
    expect(await race(await open(true))).toEqual([2]);
  });

  it('loses it without the queue: the second fails or is undone (the guard is what keeps it)', async () => {
    expect(await race(await open(false))).not.toEqual([2]);
  });

  it('runs a transaction started inside another as part of it, without waiting for itself', async () => {
    const dataSource = await open(true);
    await dataSource.transaction(async (manager) => {
      await manager.query('INSERT INTO t (v) VALUES (3)');
      await dataSource.transaction((inner) => inner.query('INSERT INTO t (v) VALUES (4)'));
    });
    expect((await dataSource.query('SELECT v FROM t ORDER BY v')).map((r: { v: number }) => r.v)).toEqual([3, 4]);
  });
});
