import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditActor, AuditTrail, SYSTEM_ACTOR } from '../audit/audit-trail.service';
import { AppConfig } from '../config/app-config';
import { writeTransaction } from '../database/write-transaction';
import { DataSetEntity } from '../organization/data-set.entity';
import { OrganizationService } from '../organization/organization.service';
import { ReportsService } from '../reports/reports.service';
import { civilDateOf, instantOf, isoCivilDate } from '../shared/civil-date';
import { DateTime } from 'luxon';
import { Clock } from '../shared/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../shared/errors';
import { CycleEntity } from './cycle.entity';
import { ConsolidationService } from '../consolidation/consolidation.service';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { requestLetter, requestLetterId } from './request-letter';
import { IssuedDocumentEntity } from '../documents/issuing/issued-document.entity';
import { IssuePipeline, SignaturePendingError } from '../documents/issuing/issue-pipeline';
import { DivisionEntity } from '../organization/division.entity';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { CYCLE_OPENING_LEASE, SchedulerLeases } from '../scheduling/scheduler-leases';

export interface OpenCycleRequest {
  dataSetId: string;
  year: number;
  /** Default: the end of 14/11 of the year, Vietnam time (reports are on time "before 15/11"). */
  deadline?: Date;
  /** Default: 15/11 of the year before to 14/11 of the year. */
  periodStart?: string;
  periodEnd?: string;
  /** Working days before the deadline on which staff are reminded. Default [5, 1]. */
  reminderOffsets?: number[];
  /** Working days after the deadline before the consolidating unit is told. Default 2. */
  escalationDays?: number;
}

const DEFAULT_REMINDER_OFFSETS = [5, 1];
const DEFAULT_ESCALATION_DAYS = 2;
const END_OF_DAY = { hour: 23, minute: 59, second: 59, millisecond: 999 };
/** Days a demo cycle opened after the usual deadline gives every unit. */
const DEMO_GRACE_DAYS = 30;
/** How long opening a cycle waits for another process's opening to finish before it is refused as busy. */
const OPENING_WAIT_MS = 15_000;
/** At start, resuming openings waits this long for another process's opening. */
const RESUME_WAIT_MS = 10 * 60_000;

/**
 * Opening a yearly cycle: the cycle on its data set (which it keeps), then a consolidation at every
 * unit with units below it, one report process and its deadline watch per reporting unit, and the
 * request letter. Opening is resumable: everything is started idempotently, so `completeOpening`
 * after a crash starts only what is missing and finishes the request letter.
 */
@Injectable()
export class CyclesService {
  private readonly logger = new Logger(CyclesService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly organization: OrganizationService,
    private readonly reports: ReportsService,
    private readonly audit: AuditTrail,
    private readonly config: AppConfig,
    private readonly clock: Clock,
    private readonly pipeline: IssuePipeline,
    private readonly consolidations: ConsolidationService,
    private readonly deadlines: DeadlinesService,
    private readonly leases: SchedulerLeases,
  ) {}

  async openCycle(request: OpenCycleRequest, actor: AuditActor = SYSTEM_ACTOR): Promise<CycleEntity> {
    const problems = [];
    if (!Number.isInteger(request.year) || request.year < 2015 || request.year > 2100) problems.push({ path: 'year', code: 'range', message: `Năm ${request.year} không hợp lệ` });
    const deadline = request.deadline ?? instantOf({ year: request.year, month: 11, day: 14 }, { hour: 23, minute: 59, second: 59, millisecond: 999 }, this.config.civilTimeZone);
    const periodStart = request.periodStart ?? `${request.year - 1}-11-15`;
    const periodEnd = request.periodEnd ?? `${request.year}-11-14`;
    const deadlineDay = isoCivilDate(deadline, this.config.civilTimeZone);
    if (!(periodStart < periodEnd)) problems.push({ path: 'periodStart', code: 'order', message: 'Kỳ báo cáo phải bắt đầu trước khi kết thúc' });
    if (periodEnd > deadlineDay) problems.push({ path: 'periodEnd', code: 'after-deadline', message: `Kỳ báo cáo phải kết thúc trước hoặc đúng hạn báo cáo (${deadlineDay})` });
    const offsets = request.reminderOffsets ?? DEFAULT_REMINDER_OFFSETS;
    if (!Array.isArray(offsets) || offsets.length > 10 || offsets.some((n) => !Number.isInteger(n) || n < 0 || n > 60)) problems.push({ path: 'reminderOffsets', code: 'range', message: 'Các mốc nhắc hạn là số ngày làm việc từ 0 đến 60, tối đa 10 mốc' });
    const escalation = request.escalationDays ?? DEFAULT_ESCALATION_DAYS;
    if (!Number.isInteger(escalation) || escalation < 0 || escalation > 30) problems.push({ path: 'escalationDays', code: 'range', message: 'Số ngày làm việc trước khi báo cáo cấp trên phải từ 0 đến 30' });
    if (problems.length > 0) throw new ValidationFailedError(problems);
    if (!(await this.dataSource.getRepository(DataSetEntity).existsBy({ id: request.dataSetId }))) throw new NotFoundError(`Data set ${request.dataSetId}`);

    // One opening at a time across application processes: a process resuming openings at start must
    // not start the same units' processes as the one opening (each would see none started yet).
    return this.leases.exclusive(CYCLE_OPENING_LEASE, OPENING_WAIT_MS, () => this.insertAndOpen(request, actor, deadline, periodStart, periodEnd));
  }

  private async insertAndOpen(request: OpenCycleRequest, actor: AuditActor, deadline: Date, periodStart: string, periodEnd: string): Promise<CycleEntity> {
    const cycle = await writeTransaction(this.dataSource, async (manager) => {
      if (await manager.existsBy(CycleEntity, { dataSetId: request.dataSetId, year: request.year })) {
        throw new ConflictError(`Kỳ báo cáo năm ${request.year} của ${request.dataSetId} đã mở`, 'cycle-exists');
      }
      const row = manager.create(CycleEntity, { year: request.year, dataSetId: request.dataSetId, deadlineAt: deadline, periodStart, periodEnd, status: 'open', openedAt: this.clock.now(), openedBy: actor.personId, reminderOffsets: request.reminderOffsets ?? DEFAULT_REMINDER_OFFSETS, escalationDays: request.escalationDays ?? DEFAULT_ESCALATION_DAYS });
      await manager.save(row);
      await this.audit.record(manager, { actor, action: 'cycle.opened', subject: { type: 'cycle', id: row.id }, cycleId: String(row.id), after: row });
      return row;
    });
    await this.completeOpening(cycle);
    return cycle;
  }

  /**
   * Starts the report process of every reporting unit that has none yet, and issues the request
   * letter (idempotent: its id derives from the cycle, so the pipeline resumes rather than renumbers).
   */
  async completeOpening(cycle: CycleEntity): Promise<number> {
    const units = await this.organization.reportingUnits(cycle.dataSetId);
    // Consolidations first: a district's earlier deadline, once set, is what its communes' watches read.
    await this.consolidations.startConsolidations(cycle);
    for (const unit of units) await this.deadlines.startWatch(await this.reports.startReport(cycle, unit));
    const letterId = requestLetterId(cycle);
    // Once approved, the letter is only ever resumed: its content (signer, dates) is fixed at approval.
    try {
      if (await this.dataSource.getRepository(IssuedDocumentEntity).existsBy({ id: letterId })) await this.pipeline.advance(letterId);
      else await this.pipeline.issue(await this.requestLetterOf(cycle, units));
    } catch (error) {
      // The head signs elsewhere (USB token): the letter waits for the signature and is issued when it comes back.
      if (!(error instanceof SignaturePendingError)) throw error;
      this.logger.log(`cycle ${cycle.year} on ${cycle.dataSetId}: ${units.length} reports open, request letter waits for its signature`);
      return units.length;
    }
    this.logger.log(`cycle ${cycle.year} on ${cycle.dataSetId}: ${units.length} reports open, request letter issued`);
    return units.length;
  }

  private async requestLetterOf(cycle: CycleEntity, reportingUnits: UnitEntity[]) {
    const standingAgency = reportingUnits.find((u) => u.isStandingAgency);
    if (!standingAgency) throw new NotFoundError(`The standing agency of ${cycle.dataSetId}`);
    const province = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: standingAgency.reportsToId! });
    const division = await this.dataSource.getRepository(DivisionEntity).findOneOrFail({ where: { unitId: standingAgency.id }, order: { id: 'ASC' } });
    const head = await this.dataSource.getRepository(RoleAssignmentEntity).findOne({ where: { unitId: standingAgency.id, role: Role.Head }, order: { id: 'ASC' } });
    if (!head) throw new NotFoundError(`The head of ${standingAgency.officialName}, who signs the request letter`);
    const person = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: head.personId });
    return requestLetter({ cycle, standingAgency, province, division, reportingUnits, signer: { personId: person.id, fullName: person.fullName, title: head.title ?? standingAgency.headTitle } });
  }

  /**
   * The demo: a cycle for the current civil year on the data set. Past its usual deadline (a first
   * start in late November), the demo gives every unit a month from today, so that the work waiting
   * for each demo login is not already late.
   */
  async openCurrentCycle(dataSetId: string): Promise<CycleEntity> {
    const now = this.clock.now();
    const today = civilDateOf(now, this.config.civilTimeZone);
    const usual = instantOf({ year: today.year, month: 11, day: 14 }, END_OF_DAY, this.config.civilTimeZone);
    if (now < usual) return this.openCycle({ dataSetId, year: today.year });
    const inAMonth = DateTime.fromJSDate(now, { zone: this.config.civilTimeZone }).plus({ days: DEMO_GRACE_DAYS });
    return this.openCycle({ dataSetId, year: today.year, deadline: instantOf({ year: inAMonth.year, month: inAMonth.month, day: inAMonth.day }, END_OF_DAY, this.config.civilTimeZone) });
  }

  /** At start: finishes the opening of every open cycle that a crash cut short (a no-op otherwise). */
  async completeOpenings(): Promise<void> {
    await this.leases.exclusive(CYCLE_OPENING_LEASE, RESUME_WAIT_MS, async () => {
      for (const cycle of await this.dataSource.getRepository(CycleEntity).findBy({ status: 'open' })) await this.completeOpening(cycle);
    });
  }
}
