import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { accessContextOf } from '../../access/actor';
import { UnitResolver } from '../../access/policy';
import { parseId } from '../../http/ids';
import { Role } from '../../organization/roles';
import { ReportEntity } from '../../reports/report.entity';
import { NotFoundError } from '../../shared/errors';

/** Who follows a consolidating unit's progress (as `GET /api/consolidations`). */
export const FOLLOWERS: readonly Role[] = [Role.Consolidator, Role.Head, Role.Deputy, Role.Clerk];

/**
 * The unit the dashboard (`/progress?unitId=`) shows: the one named; without one, the units where
 * the person follows consolidation (the page then picks the first of them that consolidates), which
 * are theirs by definition.
 */
@Injectable()
export class ProgressPageUnitResolver extends UnitResolver {
  unitsOf(request: Request): Promise<number[]> {
    if (request.query.unitId !== undefined && request.query.unitId !== '') return Promise.resolve([parseId(request.query.unitId, 'unitId')]);
    const actor = accessContextOf(request).actor;
    return Promise.resolve([...new Set((actor?.holdings ?? []).filter((h) => FOLLOWERS.includes(h.role)).map((h) => h.unitId))]);
  }
}

/** The report's unit for a page that names the report in its query (`/process?report=N`). */
@Injectable()
export class QueryReportUnitResolver extends UnitResolver {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const id = parseId(request.query.report, 'report');
    const report = await this.dataSource.getRepository(ReportEntity).findOne({ where: { id }, select: ['id', 'unitId'] });
    if (!report) throw new NotFoundError(`Report ${id}`);
    return [report.unitId];
  }
}
