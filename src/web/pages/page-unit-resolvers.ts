import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { accessContextOf } from '../../access/actor';
import { UnitResolver } from '../../access/policy';
import { parseId } from '../../http/ids';
import { CONSOLIDATION_FOLLOWERS } from '../../consolidation/consolidation-progress';
import { ReportUnitResolver } from '../../reports/report-unit.resolver';

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
    return Promise.resolve([...new Set((actor?.holdings ?? []).filter((h) => CONSOLIDATION_FOLLOWERS.includes(h.role)).map((h) => h.unitId))]);
  }
}

/** The report's unit for a page that names the report in its query (`/process?report=N`). */
@Injectable()
export class QueryReportUnitResolver extends ReportUnitResolver {
  protected override reportIdOf(request: Request): number {
    return parseId(request.query.report, 'report');
  }
}
