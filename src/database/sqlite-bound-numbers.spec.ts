import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { bindNumbersAsParameters } from './sqlite-bound-numbers';

describe('numbers bound as parameters on SQLite', () => {
  const opened: { dataSource: DataSource; dir: string }[] = [];
  const open = async (bound: boolean) => {
    const dir = mkdtempSync(join(tmpdir(), 'iso-bound-'));
    const dataSource = new DataSource({ type: 'better-sqlite3', database: join(dir, 'db.sqlite') });
    await dataSource.initialize();
    opened.push({ dataSource, dir });
    await dataSource.query('CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, share REAL, at BIGINT)');
    await dataSource.query("INSERT INTO t VALUES (1, '5', 0.25, 1795000000123), (2, '6', 0.5, 1795000000456), (3, 'x', 1, 0)");
    return bound ? bindNumbersAsParameters(dataSource) : dataSource;
  };
  afterAll(async () => {
    for (const { dataSource, dir } of opened) {
      await dataSource.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  /** Statements better-sqlite3 prepares while `work` runs. */
  const prepared = async (dataSource: DataSource, work: () => Promise<unknown>) => {
    const connection = (dataSource.driver as unknown as { databaseConnection: { prepare: (sql: string) => unknown } }).databaseConnection;
    const prepare = connection.prepare;
    const seen: string[] = [];
    connection.prepare = function (this: unknown, sql: string) {
      seen.push(sql);
      return prepare.call(this, sql);
    };
    try {
      await work();
    } finally {
      connection.prepare = prepare;
    }
    return seen;
  };
  const idsOneByOne = (dataSource: DataSource) => async () => {
    for (const id of [1, 2, 3, 1, 2, 3]) await dataSource.createQueryBuilder().select('t.code', 'code').from('t', 't').where('t.id = :id', { id }).getRawOne();
  };

  it('prepares one statement for one query shape, whatever the id', async () => {
    const dataSource = await open(true);
    expect(await prepared(dataSource, idsOneByOne(dataSource))).toHaveLength(1);
  });

  it('prepares a statement per id without it (TypeORM writes the number into the SQL)', async () => {
    const dataSource = await open(false);
    expect(await prepared(dataSource, idsOneByOne(dataSource))).toHaveLength(3);
  });

  it('compares as the literal did: an integer matches a text column, a fraction a real one, a large instant exactly', async () => {
    const dataSource = await open(true);
    const rows = (where: string, parameters: Record<string, unknown>) => dataSource.createQueryBuilder().select('t.id', 'id').from('t', 't').where(where, parameters).orderBy('t.id').getRawMany();
    expect(await rows('t.code = :code', { code: 5 })).toEqual([{ id: 1 }]);
    expect(await rows('t.share = :share', { share: 0.5 })).toEqual([{ id: 2 }]);
    expect(await rows('t.at = :at', { at: 1795000000456 })).toEqual([{ id: 2 }]);
    expect(await rows('t.id IN (:...ids) AND t.share < :most', { ids: [1, 3], most: 1 })).toEqual([{ id: 1 }]);
    expect(await dataSource.createQueryBuilder().select('t.id', 'id').from('t', 't').orderBy('t.id').limit(2).offset(1).getRawMany()).toEqual([{ id: 2 }, { id: 3 }]);
  });
});
