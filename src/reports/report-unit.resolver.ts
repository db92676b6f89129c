import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { UnitResolver } from '../access/policy';
import { parseId } from '../http/ids';
import { NotFoundError } from '../shared/errors';
import { ReportEntity } from './report.entity';

/**
 * The unit a `/api/reports/:id/…` route acts on: the report's unit. Pages that name the report
 * elsewhere in the request (`/report?id=`, `/process?report=`) override `reportIdOf`.
 */
@Injectable()
export class ReportUnitResolver extends UnitResolver {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const id = this.reportIdOf(request);
    const report = await this.dataSource.getRepository(ReportEntity).findOne({ where: { id }, select: ['id', 'unitId'] });
    if (!report) throw new NotFoundError(`Report ${id}`);
    return [report.unitId];
  }

  protected reportIdOf(request: Request): number {
    return parseId(request.params.id, 'id');
  }
}
