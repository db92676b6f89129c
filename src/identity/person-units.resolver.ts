import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { UnitResolver } from '../access/policy';
import { parseId } from '../http/ids';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { NotFoundError } from '../shared/errors';

/** For routes on a person (`:id`): the units where that person holds roles. */
@Injectable()
export class PersonUnitsResolver extends UnitResolver {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const id = parseId(request.params.id, 'id');
    if (!(await this.dataSource.getRepository(PersonEntity).existsBy({ id }))) throw new NotFoundError(`Person ${id}`);
    const assignments = await this.dataSource.getRepository(RoleAssignmentEntity).find({ where: { personId: id }, select: ['unitId'] });
    return [...new Set(assignments.map((a) => a.unitId))];
  }
}
