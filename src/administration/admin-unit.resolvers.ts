import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { UnitResolver } from '../access/policy';
import { PersonUnitsResolver } from '../identity/person-units.resolver';
import { parseId } from '../http/ids';

/**
 * PUT /api/admin/people/:id/roles: the units where the person holds roles now and the unit named in
 * the body, so that an administrator acts only on people and units of their own data set.
 */
@Injectable()
export class PersonAndTargetUnitResolver extends UnitResolver {
  private readonly person: PersonUnitsResolver;

  constructor(dataSource: DataSource) {
    super();
    this.person = new PersonUnitsResolver(dataSource);
  }

  async unitsOf(request: Request): Promise<number[]> {
    const units = await this.person.unitsOf(request);
    const body = request.body as { unitId?: unknown } | undefined;
    const target = parseId(body?.unitId, 'unitId');
    return [...new Set([...units, target])];
  }
}
