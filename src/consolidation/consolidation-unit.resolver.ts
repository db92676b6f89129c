import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { UnitResolver } from '../access/policy';
import { parseId } from '../http/ids';
import { CycleEntity } from '../cycles/cycle.entity';
import { UnitEntity } from '../organization/unit.entity';
import { ReportEntity } from '../reports/report.entity';
import { NotFoundError } from '../shared/errors';
import { ConsolidationEntity } from './consolidation.entity';

/** The unit a `/api/consolidations/:id/…` route acts on: the consolidating unit. */
@Injectable()
export class ConsolidationUnitResolver extends UnitResolver {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const id = parseId(request.params.id, 'id');
    const consolidation = await this.dataSource.getRepository(ConsolidationEntity).findOne({ where: { id }, select: ['id', 'unitId'] });
    if (!consolidation) throw new NotFoundError(`Consolidation ${id}`);
    return [consolidation.unitId];
  }
}

/** The unit that receives a report (`/api/reports/:id/paper`, `/deadline`): the report's consolidating unit. */
@Injectable()
export class ReportReceiverResolver extends UnitResolver {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const id = parseId(request.params.id, 'id');
    const report = await this.dataSource.getRepository(ReportEntity).findOne({ where: { id }, select: ['id', 'unitId'] });
    if (!report) throw new NotFoundError(`Report ${id}`);
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: report.unitId });
    // The top unit's report has no receiver in the system: nobody may act on it from above.
    return unit.reportsToId === null ? [] : [unit.reportsToId];
  }
}

/** The unit that administers a cycle (`/api/cycles/:id/…`): its data set's standing agency. */
@Injectable()
export class CycleUnitResolver extends UnitResolver {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const id = parseId(request.params.id, 'id');
    const cycle = await this.dataSource.getRepository(CycleEntity).findOne({ where: { id }, select: ['id', 'dataSetId'] });
    if (!cycle) throw new NotFoundError(`Cycle ${id}`);
    const agency = await this.dataSource.getRepository(UnitEntity).findOneBy({ dataSetId: cycle.dataSetId, isStandingAgency: true });
    return agency ? [agency.id] : [];
  }
}
