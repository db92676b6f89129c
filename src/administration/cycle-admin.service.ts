import { readdirSync } from 'node:fs';
import { Injectable } from '@nestjs/common';
import { DateTime } from 'luxon';
import { AppConfig } from '../config/app-config';
import { instantOf } from '../shared/civil-date';
import { DataSource } from 'typeorm';
import { Actor } from '../access/actor';
import { CycleEntity } from '../cycles/cycle.entity';
import { CyclesService } from '../cycles/cycles.service';
import { DataSetEntity } from '../organization/data-set.entity';
import { DataSetImporter, ImportSummary, organizationsDir } from '../organization/import/data-set-importer.service';
import { UnitEntity } from '../organization/unit.entity';
import { ConflictError, NotFoundError, ValidationFailedError } from '../shared/errors';

export interface AdministrationOverview {
  dataSet: { id: string; title: string; importedAt: string };
  cycles: { id: number; year: number; status: string; deadlineAt: string; periodStart: string; periodEnd: string }[];
  /** The data sets shipped with the application (data/organizations), and whether each is imported. */
  available: { id: string; imported: boolean; title: string | null }[];
  /** Every unit of the data set, in the data file's order (for giving a person roles in a unit). */
  units: { id: number; code: string; name: string }[];
}

/** The project's data set files are named by their id; ids only (never paths) come from the web. */
const DATA_SET_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** Cycles and data sets, as the administrator's page sees and changes them. */
@Injectable()
export class CycleAdministration {
  constructor(
    private readonly dataSource: DataSource,
    private readonly cycles: CyclesService,
    private readonly importer: DataSetImporter,
    private readonly config: AppConfig,
  ) {}

  async overview(unitId: number): Promise<AdministrationOverview> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneBy({ id: unitId });
    if (!unit) throw new NotFoundError(`Unit ${unitId}`);
    const dataSet = await this.dataSource.getRepository(DataSetEntity).findOneByOrFail({ id: unit.dataSetId });
    const cycles = await this.dataSource.getRepository(CycleEntity).find({ where: { dataSetId: unit.dataSetId }, order: { year: 'DESC' } });
    const imported = new Map((await this.dataSource.getRepository(DataSetEntity).find()).map((d) => [d.id, d]));
    const units = await this.dataSource.getRepository(UnitEntity).find({ where: { dataSetId: unit.dataSetId }, order: { sortOrder: 'ASC' }, select: ['id', 'code', 'nameWithType'] });
    return {
      dataSet: { id: dataSet.id, title: dataSet.title, importedAt: dataSet.importedAt.toISOString() },
      cycles: cycles.map((c) => ({ id: c.id, year: c.year, status: c.status, deadlineAt: c.deadlineAt.toISOString(), periodStart: c.periodStart, periodEnd: c.periodEnd })),
      available: bundledDataSets().map((id) => ({ id, imported: imported.has(id), title: imported.get(id)?.title ?? null })),
      units: units.map((u) => ({ id: u.id, code: u.code, name: u.nameWithType })),
    };
  }

  /** Opens the year's cycle on the data set of the administrator's unit (the request letter is issued as part of it). */
  async openCycle(unitId: number, year: number, actor: Actor, deadlineDay?: string): Promise<CycleEntity> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneBy({ id: unitId });
    if (!unit) throw new NotFoundError(`Unit ${unitId}`);
    if (await this.dataSource.getRepository(CycleEntity).existsBy({ dataSetId: unit.dataSetId, year })) {
      throw new ConflictError(`Kỳ báo cáo năm ${year} của bộ dữ liệu ${unit.dataSetId} đã mở`, 'cycle-exists');
    }
    let deadline: Date | undefined;
    if (deadlineDay !== undefined) {
      const day = DateTime.fromISO(deadlineDay);
      if (!day.isValid) throw ValidationFailedError.field('deadline', 'date', `Ngày ${deadlineDay.split('-').reverse().join('/')} không có thật`);
      deadline = instantOf({ year: day.year, month: day.month, day: day.day }, { hour: 23, minute: 59, second: 59, millisecond: 999 }, this.config.civilTimeZone);
    }
    return this.cycles.openCycle({ dataSetId: unit.dataSetId, year, deadline }, { personId: actor.personId, login: actor.login });
  }

  /** Imports (or brings up to date) one of the application's own data sets, with its demo people. */
  async importDataSet(dataSetId: string): Promise<ImportSummary> {
    if (!DATA_SET_ID.test(dataSetId) || !bundledDataSets().includes(dataSetId)) {
      throw ValidationFailedError.field('dataSetId', 'unknown', `Không có bộ dữ liệu “${dataSetId}”; có: ${bundledDataSets().join(', ')}`);
    }
    return this.importer.importDataSet(dataSetId);
  }
}

export function bundledDataSets(): string[] {
  return readdirSync(organizationsDir())
    .filter((f) => f.endsWith('.json') && f !== 'agency-symbols.json')
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}
