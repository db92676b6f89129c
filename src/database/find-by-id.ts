import { DataSource, EntityTarget, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import { NotFoundError } from '../shared/errors';

/** A row by its id, or the 404 that names what was not found (e.g. "Person 12"). */
export async function findByIdOrNotFound<T extends ObjectLiteral & { id: number }>(dataSource: DataSource, entity: EntityTarget<T>, id: number, what: string): Promise<T> {
  const row = await dataSource.getRepository(entity).findOneBy({ id } as FindOptionsWhere<T>);
  if (!row) throw new NotFoundError(`${what} ${id}`);
  return row;
}
