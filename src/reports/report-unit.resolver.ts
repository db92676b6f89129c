import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { UnitResolver } from '../access/policy';
import { parseId } from '../http/ids';
import { NotFoundError } from '../shared/errors';
import { ReportEntity } from './report.entity';

/** At most this many reports' units kept (a national cycle has ~10,000 reports a year). */
const KEPT_REPORTS = 50_000;

/**
 * The unit a `/api/reports/:id/…` route acts on: the report's unit. Pages that name the report
 * elsewhere in the request (`/report?id=`, `/process?report=`) override `reportIdOf`.
 */
@Injectable()
export class ReportUnitResolver extends UnitResolver {
  /**
   * Each report's unit, as read: it is set when the report is started and never changes, and no
   * report is deleted, so what was read once holds (every request on a report is checked against its
   * unit). Whatever the engine.
   */
  private readonly unitOfReport = new Map<number, number>();

  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const id = this.reportIdOf(request);
    let unitId = this.unitOfReport.get(id);
    if (unitId === undefined) {
      const report = await this.dataSource.getRepository(ReportEntity).findOne({ where: { id }, select: ['id', 'unitId'] });
      if (!report) throw new NotFoundError(`Report ${id}`);
      unitId = report.unitId;
      if (this.unitOfReport.size >= KEPT_REPORTS) this.unitOfReport.delete(this.unitOfReport.keys().next().value!);
      this.unitOfReport.set(id, unitId);
    }
    return [unitId];
  }

  protected reportIdOf(request: Request): number {
    return parseId(request.params.id, 'id');
  }
}
