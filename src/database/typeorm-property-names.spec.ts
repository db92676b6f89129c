import { DataSource, In, IsNull, SelectQueryBuilder } from 'typeorm';
import { ConsolidationEntity } from '../consolidation/consolidation.entity';
import { ReportEntity } from '../reports/report.entity';
import { UnitEntity } from '../organization/unit.entity';
import { ALL_ENTITIES } from './entities';
import { installPropertyNameMemo, memoizePropertyNames } from './typeorm-property-names';

/**
 * The memo (typeorm-property-names.ts) must give every statement exactly the SQL TypeORM's own
 * rewrite gives: built twice with it (the second from the memo) and once without, the same text.
 */
describe('TypeORM property names rewritten once per statement shape', () => {
  let dataSource: DataSource;
  beforeAll(async () => {
    installPropertyNameMemo();
    dataSource = new DataSource({ type: 'better-sqlite3', database: ':memory:', entities: ALL_ENTITIES });
    await dataSource.initialize();
  });
  afterAll(async () => {
    memoizePropertyNames(true);
    await dataSource.destroy();
  });

  const shapes: [string, () => { getQuery(): string }][] = [
    ['find by one column', () => dataSource.getRepository(ReportEntity).createQueryBuilder('ReportEntity').setFindOptions({ where: { unitId: 7, cycleId: 2 } })],
    ['find with IN, IS NULL and an order', () => dataSource.getRepository(ReportEntity).createQueryBuilder('ReportEntity').setFindOptions({ where: { unitId: In([1, 2, 3]), approvedVersion: IsNull() }, order: { id: 'DESC' } })],
    ['hand-written where on property names', () => dataSource.getRepository(UnitEntity).createQueryBuilder('u').where('u.reportsToId = :id AND u.dataSetId = :set', { id: 1, set: 'x' }).orderBy('u.code')],
    ['the same text under another alias', () => dataSource.getRepository(UnitEntity).createQueryBuilder('v').where('v.reportsToId = :id AND v.dataSetId = :set', { id: 1, set: 'x' }).orderBy('v.code')],
    ['a join of two entities', () => dataSource.getRepository(ReportEntity).createQueryBuilder('r').innerJoin(UnitEntity, 'u', 'u.id = r.unitId').where('u.reportsToId = :id', { id: 3 }).select(['r.id', 'u.code'])],
    ['an update', () => dataSource.createQueryBuilder().update(ConsolidationEntity).set({ unitsDeadlineAt: new Date(0) }).where('cycleId = :cycle', { cycle: 4 })],
    ['a delete', () => dataSource.createQueryBuilder().delete().from(ReportEntity).where('unitId = :unit', { unit: 4 })],
  ];

  it.each(shapes)('%s: the same SQL as TypeORM builds, from the memo too', (_name, build) => {
    memoizePropertyNames(false);
    const library = build().getQuery();
    memoizePropertyNames(true);
    expect(build().getQuery()).toBe(library);
    expect(build().getQuery()).toBe(library);
  });

  it('keeps one statement text apart by its aliases: the entity, the alias name, prefixing', () => {
    const statement = 'SELECT x.unitId, x.reportsToId, y.unitId FROM t';
    type Rewriting = { replacePropertyNamesForTheWholeQuery(sql: string): string };
    const rewrite = (builder: unknown) => (builder as Rewriting).replacePropertyNamesForTheWholeQuery(statement);
    const units = dataSource.getRepository(UnitEntity).createQueryBuilder('x');
    const reports = dataSource.getRepository(ReportEntity).createQueryBuilder('x');
    const reportsAsY = dataSource.getRepository(ReportEntity).createQueryBuilder('y');
    const unprefixed = dataSource.createQueryBuilder().delete().from(ReportEntity);
    const rewritten = [rewrite(units), rewrite(reports), rewrite(reportsAsY), rewrite(unprefixed)];
    expect(rewritten).toEqual([
      'SELECT x.unitId, "x"."reports_to_id", y.unitId FROM t',
      'SELECT "x"."unit_id", x.reportsToId, y.unitId FROM t',
      'SELECT x.unitId, x.reportsToId, "y"."unit_id" FROM t',
      'SELECT x.unitId, x.reportsToId, y.unitId FROM t',
    ]);
    memoizePropertyNames(false);
    expect([rewrite(units), rewrite(reports), rewrite(reportsAsY), rewrite(unprefixed)]).toEqual(rewritten);
  });

  it('the builder it patches is the one TypeORM uses', () => {
    expect(dataSource.getRepository(ReportEntity).createQueryBuilder('r')).toBeInstanceOf(SelectQueryBuilder);
    expect((SelectQueryBuilder.prototype as unknown as { replacePropertyNamesForTheWholeQuery: () => string }).replacePropertyNamesForTheWholeQuery.name).toBe('memoizedPropertyNames');
  });
});
