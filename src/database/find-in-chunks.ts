import { EntityManager, EntityTarget, FindOptionsSelect, FindOptionsWhere, In, ObjectLiteral } from 'typeorm';

/** Ids per `IN (…)` list: under SQLite's and MySQL's placeholder limits, few round trips for 10,000 units. */
const IN_CHUNK = 1000;

/**
 * The rows whose `key` is one of `values`, in a few `IN` queries instead of one query per value (the
 * N+1 that made a 10,000-unit consolidation take minutes). `where` adds conditions to every chunk.
 */
export async function findInChunks<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  key: keyof T & string,
  values: readonly unknown[],
  where: FindOptionsWhere<T> = {},
  select?: FindOptionsSelect<T>,
): Promise<T[]> {
  const distinct = [...new Set(values)];
  const rows: T[] = [];
  for (let i = 0; i < distinct.length; i += IN_CHUNK) {
    rows.push(...(await manager.find(entity, { where: { ...where, [key]: In(distinct.slice(i, i + IN_CHUNK)) } as FindOptionsWhere<T>, select })));
  }
  return rows;
}
