import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { UnitEntity } from '../organization/unit.entity';
import { NotFoundError } from '../shared/errors';

/** A person as an administrator finds them: who, whether the account is active, and their roles. */
export interface DirectoryEntry {
  id: number;
  login: string;
  fullName: string;
  active: boolean;
  roles: { role: string; unitId: number; unitName: string }[];
}

/** At most this many people per search: a search narrows, it does not page through a data set. */
export const DIRECTORY_LIMIT = 50;

/** Read-only: finding people of a data set by login or name, for the administrator's pages. */
@Injectable()
export class PeopleDirectory {
  constructor(private readonly dataSource: DataSource) {}

  /** People holding a role in the data set of `unitId` whose login or full name contains `text` (case-insensitive). */
  async search(unitId: number, text: string): Promise<DirectoryEntry[]> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneBy({ id: unitId });
    if (!unit) throw new NotFoundError(`Unit ${unitId}`);
    // '!' escapes LIKE's wildcards: a backslash means different things in SQLite and MariaDB literals.
    const pattern = `%${text.trim().toLowerCase().replace(/[!%_]/g, (c) => `!${c}`)}%`;
    const ids = await this.dataSource
      .createQueryBuilder()
      .select('p.id', 'id')
      .distinct(true)
      .addSelect('p.login', 'login')
      .from(PersonEntity, 'p')
      .innerJoin(RoleAssignmentEntity, 'ra', 'ra.person_id = p.id')
      .innerJoin(UnitEntity, 'u', 'u.id = ra.unit_id')
      .where('u.data_set_id = :dataSetId', { dataSetId: unit.dataSetId })
      .andWhere("(LOWER(p.login) LIKE :pattern ESCAPE '!' OR LOWER(p.full_name) LIKE :pattern ESCAPE '!')", { pattern })
      .orderBy('p.login')
      .limit(DIRECTORY_LIMIT)
      .getRawMany<{ id: number | string }>();
    if (ids.length === 0) return [];
    const personIds = ids.map((r) => Number(r.id));
    const people = await this.dataSource.getRepository(PersonEntity).findBy({ id: In(personIds) });
    const roles = await this.dataSource
      .createQueryBuilder()
      .select('ra.person_id', 'personId')
      .addSelect('ra.role', 'role')
      .addSelect('u.id', 'unitId')
      .addSelect('u.name_with_type', 'unitName')
      .from(RoleAssignmentEntity, 'ra')
      .innerJoin(UnitEntity, 'u', 'u.id = ra.unit_id')
      .where('ra.person_id IN (:...personIds)', { personIds })
      .andWhere('u.data_set_id = :dataSetId', { dataSetId: unit.dataSetId })
      .getRawMany<{ personId: number | string; role: string; unitId: number | string; unitName: string }>();
    return people
      .map((p) => ({
        id: p.id,
        login: p.login,
        fullName: p.fullName,
        active: p.active,
        roles: roles.filter((r) => Number(r.personId) === p.id).map((r) => ({ role: r.role, unitId: Number(r.unitId), unitName: r.unitName })),
      }))
      .sort((a, b) => (a.login < b.login ? -1 : a.login > b.login ? 1 : 0));
  }
}
