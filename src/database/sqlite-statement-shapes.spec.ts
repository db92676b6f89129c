import { DataSource } from 'typeorm';
import { bindNumbersAsParameters } from './sqlite-bound-numbers';
import { scanStatementShapesOnce, scanStatementsOnce } from './sqlite-statement-shapes';

/**
 * Statement texts split once (sqlite-statement-shapes.ts) must escape every statement exactly as
 * TypeORM's own scan does: the same text and the same bound values, called twice (the second from
 * the kept shape) and once with TypeORM's path.
 */
describe('SQLite statements scanned for parameters once per text', () => {
  let dataSource: DataSource;
  type Escape = (sql: string, parameters: Record<string, unknown> | undefined, native: Record<string, unknown>) => [string, unknown[]];
  let escape: Escape;
  beforeAll(async () => {
    dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    await dataSource.initialize();
    bindNumbersAsParameters(scanStatementsOnce(dataSource));
    const driver = dataSource.driver as unknown as { escapeQueryWithParameters: Escape };
    escape = (sql, parameters, native) => driver.escapeQueryWithParameters(sql, parameters, native);
  });
  afterAll(async () => {
    scanStatementShapesOnce(true);
    await dataSource.destroy();
  });

  const at = new Date(Date.UTC(2026, 10, 14, 16, 59, 59, 999));
  const cases: [string, string, Record<string, unknown> | undefined, Record<string, unknown>][] = [
    ['one string', 'SELECT * FROM "t" WHERE "code" = :code', { code: 'Sở KH&CN' }, {}],
    ['numbers bound, not written in', 'SELECT * FROM "t" WHERE "id" = :id AND "n" IN (:...ns)', { id: 4711, ns: [1, 2.5] }, {}],
    ['a list, a boolean, a date, a null', 'UPDATE "t" SET "a" = :a, "at" = :at, "x" = :x WHERE "id" IN (:...ids) AND "k" = :k', { a: true, at, x: null, ids: ['p', 'q', 'r'], k: 'v' }, {}],
    ['a key used twice, one not given, one in a literal', `SELECT :k, :k, :missing, '12:30' FROM "t" WHERE "c" = :c.d`, { k: 'x', 'c.d': false, 30: 'never' }, {}],
    ['an empty list', 'SELECT * FROM "t" WHERE "id" IN (:...ids)', { ids: [] }, {}],
    ['native parameters too', 'SELECT * FROM "t" WHERE "a" = :a', { a: 'b' }, { flag: true, when: at, n: 3 }],
    ['no parameters', 'SELECT 1', undefined, { n: 1 }],
    ['a function written in', 'SELECT * FROM "t" WHERE "at" < :now AND "k" = :k', { now: () => "datetime('now')", k: 'v' }, {}],
  ];

  it.each(cases)('%s: the text and values TypeORM gives, from the kept shape too', (_name, sql, parameters, native) => {
    scanStatementShapesOnce(false);
    const library = escape(sql, parameters, native);
    scanStatementShapesOnce(true);
    expect(escape(sql, parameters, native)).toEqual(library);
    expect(escape(sql, parameters, native)).toEqual(library);
  });

  it('the same text with other values fills in those values', () => {
    const sql = 'SELECT * FROM "t" WHERE "code" = :code AND "id" IN (:...ids)';
    expect(escape(sql, { code: 'a', ids: ['x'] }, {})).toEqual([`SELECT * FROM "t" WHERE "code" = ? AND "id" IN (?)`, ['a', 'x']]);
    expect(escape(sql, { code: 'b', ids: ['y', 'z'] }, {})).toEqual([`SELECT * FROM "t" WHERE "code" = ? AND "id" IN (?, ?)`, ['b', 'y', 'z']]);
  });

  it('runs real queries through it', async () => {
    await dataSource.query('CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, ok BOOLEAN)');
    await dataSource.createQueryBuilder().insert().into('t', ['id', 'code', 'ok']).values([{ id: 1, code: 'Quảng Ngãi', ok: true }, { id: 2, code: 'x', ok: false }]).execute();
    const rows = await dataSource.createQueryBuilder().select('t.code', 'code').from('t', 't').where('t.ok = :ok AND t.id IN (:...ids)', { ok: true, ids: [1, 2] }).getRawMany();
    expect(rows).toEqual([{ code: 'Quảng Ngãi' }]);
  });
});
