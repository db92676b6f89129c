import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, Not } from 'typeorm';
import { UnitEntity } from './unit.entity';

/** Questions about the organisation: who reports to whom, in one data set. */
@Injectable()
export class OrganizationService {
  constructor(private readonly dataSource: DataSource) {}

  private get units() {
    return this.dataSource.getRepository(UnitEntity);
  }

  async unitByCode(dataSetId: string, code: string): Promise<UnitEntity | null> {
    return this.units.findOneBy({ dataSetId, code });
  }

  /** Every unit that files a report: all but the province itself. */
  async reportingUnits(dataSetId: string): Promise<UnitEntity[]> {
    return this.units.find({ where: { dataSetId, reportsToId: Not(IsNull()) }, order: { sortOrder: 'ASC' } });
  }

  /** The units whose reports go to this one. */
  async unitsReportingTo(unitId: number): Promise<UnitEntity[]> {
    return this.units.find({ where: { reportsToId: unitId }, order: { sortOrder: 'ASC' } });
  }

  /** Reporting units with units reporting to them: they consolidate (districts with communes, the standing agency). */
  async consolidatingUnits(dataSetId: string): Promise<UnitEntity[]> {
    const all = await this.units.find({ where: { dataSetId }, order: { sortOrder: 'ASC' } });
    const receivers = new Set(all.map((u) => u.reportsToId).filter((id): id is number => id !== null));
    return all.filter((u) => u.reportsToId !== null && receivers.has(u.id));
  }

  /** Every unit below this one in the reporting tree, depth first. */
  async reportingSubtree(unitId: number): Promise<UnitEntity[]> {
    const unit = await this.units.findOneByOrFail({ id: unitId });
    const all = await this.units.find({ where: { dataSetId: unit.dataSetId }, order: { sortOrder: 'ASC' } });
    const children = new Map<number, UnitEntity[]>();
    for (const u of all) if (u.reportsToId !== null) children.set(u.reportsToId, [...(children.get(u.reportsToId) ?? []), u]);
    const out: UnitEntity[] = [];
    const walk = (id: number) => {
      for (const child of children.get(id) ?? []) {
        out.push(child);
        walk(child.id);
      }
    };
    walk(unitId);
    return out;
  }
}
