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
import { DataSetFileError, parseDataSetFile } from '../organization/import/data-set-file';
import { Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { ConflictError, FieldProblem, NotFoundError, ValidationFailedError } from '../shared/errors';

export interface AdministrationOverview {
  dataSet: { id: string; title: string; importedAt: string };
  cycles: { id: number; year: number; status: string; deadlineAt: string; periodStart: string; periodEnd: string }[];
  /** The data sets shipped with the application (data/organizations), and whether each is imported. */
  available: { id: string; imported: boolean; title: string | null }[];
  /** Every unit of the data set, in the data file's order (for giving a person roles in a unit). */
  units: { id: number; code: string; name: string }[];
}

/** What an administrator may choose when opening a cycle besides the year (civil days YYYY-MM-DD). */
export interface OpenCycleOptions {
  deadline?: string;
  periodStart?: string;
  periodEnd?: string;
  reminderOffsets?: number[];
  escalationDays?: number;
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

  /**
   * Opens the year's cycle on the data set of the administrator's unit (the request letter is issued
   * as part of it). Options left out take CyclesService's defaults (deadline 14/11, data period
   * 15/11–14/11, reminders 5 and 1 working days before, escalation 2 working days after); its rules
   * decide (period order, period end not after the deadline, ranges), field by field.
   */
  async openCycle(unitId: number, year: number, actor: Actor, options: OpenCycleOptions = {}): Promise<CycleEntity> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneBy({ id: unitId });
    if (!unit) throw new NotFoundError(`Unit ${unitId}`);
    if (await this.dataSource.getRepository(CycleEntity).existsBy({ dataSetId: unit.dataSetId, year })) {
      throw new ConflictError(`Kỳ báo cáo năm ${year} của bộ dữ liệu ${unit.dataSetId} đã mở`, 'cycle-exists');
    }
    const problems: FieldProblem[] = [];
    const day = (path: keyof OpenCycleOptions, value: string | undefined) => {
      if (value === undefined) return undefined;
      const parsed = DateTime.fromISO(value);
      if (!parsed.isValid) problems.push({ path, code: 'date', message: `Ngày ${value.split('-').reverse().join('/')} không có thật` });
      return parsed;
    };
    const deadlineDay = day('deadline', options.deadline);
    day('periodStart', options.periodStart);
    day('periodEnd', options.periodEnd);
    if (problems.length > 0) throw new ValidationFailedError(problems, problems[0].message);
    const deadline = deadlineDay ? instantOf({ year: deadlineDay.year, month: deadlineDay.month, day: deadlineDay.day }, { hour: 23, minute: 59, second: 59, millisecond: 999 }, this.config.civilTimeZone) : undefined;
    return this.cycles.openCycle(
      { dataSetId: unit.dataSetId, year, deadline, periodStart: options.periodStart, periodEnd: options.periodEnd, reminderOffsets: options.reminderOffsets, escalationDays: options.escalationDays },
      { personId: actor.personId, login: actor.login },
    );
  }

  /** Imports (or brings up to date) one of the application's own data sets, with its demo people. */
  async importDataSet(dataSetId: string): Promise<ImportSummary> {
    if (!DATA_SET_ID.test(dataSetId) || !bundledDataSets().includes(dataSetId)) {
      throw ValidationFailedError.field('dataSetId', 'unknown', `Không có bộ dữ liệu “${dataSetId}”; có: ${bundledDataSets().join(', ')}`);
    }
    return this.importer.importDataSet(dataSetId);
  }

  /**
   * Imports a data set file that is not shipped with the application (JSON in the shape of
   * data/organizations/*.json), checked by the importer's own rules, all or nothing: a bad file is
   * refused (422 at `file`, the entry and the problem named) and nothing is written. A new id may be
   * uploaded by any administrator; an id already imported, or shipped, only by an administrator of
   * that data set (nobody rewrites another province's units). Its people get no usable password:
   * an administrator sets one (the demo password is for the shipped demo data only).
   */
  async importUploadedDataSet(file: { originalname: string; buffer: Buffer } | undefined, actor: Actor): Promise<ImportSummary> {
    if (!file || file.buffer.length === 0) throw ValidationFailedError.field('file', 'required', 'Chưa chọn tệp bộ dữ liệu (.json)');
    if (file.buffer.length > DATA_SET_UPLOAD_LIMITS.maxBytes) throw ValidationFailedError.field('file', 'too-large', `Tệp quá lớn: tối đa ${DATA_SET_UPLOAD_LIMITS.maxBytes / 1024 / 1024} MB`);
    const text = file.buffer.toString('utf8').replace(/^\uFEFF/, '');
    const name = file.originalname.replace(/[^\p{L}\p{N}._-]+/gu, '_').slice(0, 80) || 'tệp';
    const refused = (error: unknown): never => {
      if (error instanceof DataSetFileError) throw ValidationFailedError.field('file', 'data-set-invalid', `Tệp bộ dữ liệu không hợp lệ, chưa nhập gì: ${error.entry}: ${error.problem}`);
      throw error;
    };
    let id: string;
    try {
      id = parseDataSetFile(text, name).id;
    } catch (error) {
      return refused(error);
    }
    const known = bundledDataSets().includes(id) || (await this.dataSource.getRepository(DataSetEntity).existsBy({ id }));
    const administered = actor.holdings.some((h) => h.role === Role.Administrator && h.dataSetId === id);
    if (known && !administered) {
      throw ValidationFailedError.field('file', 'data-set-not-yours', `Bộ dữ liệu “${id}” đã có (hoặc kèm theo ứng dụng) và bạn không quản trị nó: không thể ghi đè. Hãy đặt mã khác cho bộ dữ liệu mới.`);
    }
    return this.importer.importDataSetText(text, name, { people: 'no-password' }).catch(refused);
  }
}

/** What an uploaded data set file may weigh (the province files shipped weigh under 100 KB). */
export const DATA_SET_UPLOAD_LIMITS = { maxBytes: 2 * 1024 * 1024 };

export function bundledDataSets(): string[] {
  return readdirSync(organizationsDir())
    .filter((f) => f.endsWith('.json') && f !== 'agency-symbols.json')
    .map((f) => f.slice(0, -'.json'.length))
    .sort();
}
