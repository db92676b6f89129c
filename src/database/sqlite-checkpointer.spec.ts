import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { BACKSTOP_PAGES, CHECKPOINT_EVERY_MS, checkpointer, checkpointInBackground } from './sqlite-checkpointer';

/**
 * The log is copied back into the database file by a thread of its own, not inside the application's
 * commits: the application's connection checkpoints only past BACKSTOP_PAGES, so a database file that
 * grows while the log holds fewer pages than that was written by the other thread.
 */
describe('SQLite checkpoints on their own thread', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  async function open(): Promise<{ dataSource: DataSource; file: string; pragma: (source: string) => unknown }> {
    const dir = mkdtempSync(join(tmpdir(), 'iso-checkpoint-'));
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const dataSource = checkpointInBackground(new DataSource({ type: 'better-sqlite3', database: file, enableWAL: true }));
    await dataSource.initialize();
    const connection = (dataSource.driver as unknown as { databaseConnection: { pragma(source: string, options?: { simple: boolean }): unknown } }).databaseConnection;
    return { dataSource, file, pragma: (source) => connection.pragma(source, { simple: true }) };
  }

  /** ~3,000 pages of 4 KiB in 30 commits: three times SQLite's default checkpoint size, under the backstop. */
  async function write(dataSource: DataSource): Promise<void> {
    await dataSource.query('CREATE TABLE t (v BLOB)');
    for (let i = 0; i < 30; i++) {
      await dataSource.transaction(async (manager) => {
        for (let k = 0; k < 100; k++) await manager.query('INSERT INTO t (v) VALUES (randomblob(4000))');
      });
    }
  }

  /** Waits up to `ms` for the database file to reach `bytes`; its size then. */
  async function fileSizeReaching(file: string, bytes: number, ms = 5_000): Promise<number> {
    for (let waited = 0; waited < ms && statSync(file).size < bytes; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
    return statSync(file).size;
  }

  it('copies the log into the database file while the application only commits', async () => {
    const { dataSource, file, pragma } = await open();
    expect(pragma('wal_autocheckpoint')).toBe(BACKSTOP_PAGES);
    await write(dataSource);
    expect(await fileSizeReaching(file, 10 * 2 ** 20)).toBeGreaterThanOrEqual(10 * 2 ** 20);
    expect(await dataSource.query('SELECT COUNT(*) AS n FROM t')).toEqual([{ n: 3000 }]);
    await dataSource.destroy();
  });

  it('(control) without the thread, the same writes under the same backstop stay in the log', async () => {
    checkpointer.inBackground = false;
    try {
      const { dataSource, file, pragma } = await open();
      expect(pragma('wal_autocheckpoint')).toBe(1000); // SQLite's default: the application's commits checkpoint
      pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
      await write(dataSource);
      // Four of the thread's rounds (CHECKPOINT_EVERY_MS), had it been there.
      expect(await fileSizeReaching(file, 10 * 2 ** 20, 4 * CHECKPOINT_EVERY_MS)).toBeLessThan(2 ** 20);
      await dataSource.destroy();
    } finally {
      checkpointer.inBackground = true;
    }
  });

  it('leaves an in-memory database alone', async () => {
    const dataSource = checkpointInBackground(new DataSource({ type: 'better-sqlite3', database: ':memory:' }));
    await dataSource.initialize();
    await dataSource.query('CREATE TABLE t (v INTEGER)');
    await dataSource.destroy();
  });
});
