import { Injectable } from '@nestjs/common';
import { DataSource, FindOptionsSelect, IsNull, Not } from 'typeorm';
import { findInChunks } from '../database/find-in-chunks';
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

  /**
   * Every unit below this one in the reporting tree, depth first. Read level by level through the
   * reporting relation (indexed), so a district's closing reads its communes, not the whole data set.
   */
  async reportingSubtree(unitId: number): Promise<UnitEntity[]> {
    return this.walkSubtree(unitId);
  }

  /** How many units are below this one: the subtree read with three columns, not whole units. */
  async reportingSubtreeSize(unitId: number): Promise<number> {
    return (await this.walkSubtree(unitId, { id: true, reportsToId: true, sortOrder: true })).length;
  }

  private async walkSubtree(unitId: number, select?: FindOptionsSelect<UnitEntity>): Promise<UnitEntity[]> {
    const children = new Map<number, UnitEntity[]>();
    const seen = new Set<number>([unitId]);
    let frontier = [unitId];
    while (frontier.length > 0) {
      const level = await findInChunks(this.dataSource.manager, UnitEntity, 'reportsToId', frontier, {}, select);
      frontier = [];
      for (const unit of level.sort((a, b) => a.sortOrder - b.sortOrder)) {
        if (seen.has(unit.id)) continue; // a cycle in imported data must not loop forever
        seen.add(unit.id);
        frontier.push(unit.id);
        const siblings = children.get(unit.reportsToId!);
        if (siblings) siblings.push(unit);
        else children.set(unit.reportsToId!, [unit]);
      }
    }
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
