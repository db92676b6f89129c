import { INestApplicationContext } from '@nestjs/common';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataSource, In } from 'typeorm';
import { Actor } from '../access/actor';
import { AppRuntime } from '../app-runtime.service';
import { AppConfig } from '../config/app-config';
import { consolidatedTotals } from '../consolidation/consolidated-document';
import { topReportDraftId } from '../consolidation/consolidation-workers';
import { ConsolidationEntity, DraftDocumentEntity } from '../consolidation/consolidation.entity';
import { ConsolidationService } from '../consolidation/consolidation.service';
import { CycleEntity } from '../cycles/cycle.entity';
import { CyclesService } from '../cycles/cycles.service';
import { MigrationService } from '../database/migration.service';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { IssuedDocumentEntity, IssueState } from '../documents/issuing/issued-document.entity';
import { DocumentStore } from '../documents/store/document-store';
import { DataSetImporter } from '../organization/import/data-set-importer.service';
import { OrganizationService } from '../organization/organization.service';
import { PersonEntity } from '../organization/person.entity';
import { UnitEntity } from '../organization/unit.entity';
import { formForYear } from '../reports/form/form-definition';
import { generateReportValues, seededRandom } from '../reports/form/generate-report-values';
import { ReportValues } from '../reports/form/report-values';
import { ReportReviewEntity } from '../reports/report-review.entity';
import { ReportVersionEntity } from '../reports/report-version.entity';
import { ReportEntity } from '../reports/report.entity';
import { ReportsService } from '../reports/reports.service';
import { civilDateOf, instantOf, isoCivilDate } from '../shared/civil-date';
import { ControlledClock } from '../shared/clock';
import { WorkflowEngine } from '../workflow/workflow-engine';

export interface SimulationOptions {
  org: string;
  year: number;
  out: string;
  seed: number;
  /** Share of reports the head returns once before approving. */
  returnRate: number;
  /** Share of units (without units below them) that report late; half of them after their consolidation closed. */
  lateRate: number;
  progress?: (line: string, done: number, total: number) => void;
}

export interface SimulationSummary {
  organization: string;
  year: number;
  units: number;
  reportsApproved: number;
  returned: number;
  lateUnits: string[];
  documents: Array<{ unit: string; kind: string; number: number; symbol: string; date: string; file: string; sha256: string; pages: number }>;
  ministryDraft: { file: string; sha256: string; pages: number } | null;
  provincialReport: { file: string; totals: Record<string, number> } | null;
  durationsMs: Record<string, number>;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Runs a whole cycle without a person at the keyboard, acting as every person through the same
 * services the API calls: staff draft (seeded random contents) and submit, division heads and heads
 * review (some reports returned once, then fixed), districts set an earlier deadline for their
 * communes and close their periods, the standing agency urges late units, closes and reports up.
 * Time is a controlled clock moved day by day; lateness is what the engine's deadline timers make of
 * the units that file after their deadline.
 */
export class CycleSimulator {
  private readonly clock: ControlledClock;
  private readonly dataSource: DataSource;
  private readonly engine: WorkflowEngine;
  private readonly reports: ReportsService;
  private readonly consolidations: ConsolidationService;
  private readonly random: () => number;
  private readonly actors = new Map<string, Actor>();
  private returned = 0;

  constructor(
    private readonly app: INestApplicationContext,
    private readonly config: AppConfig,
    clock: ControlledClock,
    private readonly options: SimulationOptions,
  ) {
    this.clock = clock;
    this.dataSource = app.get(DataSource);
    this.engine = app.get(WorkflowEngine);
    this.reports = app.get(ReportsService);
    this.consolidations = app.get(ConsolidationService);
    this.random = seededRandom(options.seed);
  }

  async run(): Promise<SimulationSummary> {
    const started = Date.now();
    const durations: Record<string, number> = {};
    const lap = (name: string, since: number) => (durations[name] = Date.now() - since);

    let t = Date.now();
    await this.app.get(MigrationService).migrateUp();
    const { dataSetId } = await this.app.get(DataSetImporter).importDataSet(this.options.org);
    await this.app.get(AppRuntime).start({ warmRenderer: true });
    lap('setup', t);

    t = Date.now();
    const organization = this.app.get(OrganizationService);
    const units = await organization.reportingUnits(dataSetId);
    const standing = units.find((u) => u.isStandingAgency)!;
    const consolidating = new Set((await organization.consolidatingUnits(dataSetId)).map((u) => u.id));
    const cycle = await this.app.get(CyclesService).openCycle({ dataSetId, year: this.options.year }, await this.actor('administrator', standing));
    await this.settle();
    lap('opening', t);

    // Who files when: the deadline is the end of 14/11; districts want their communes a week earlier.
    const day = (month: number, dayOfMonth: number) => instantOf({ year: this.options.year, month, day: dayOfMonth }, { hour: 9, minute: 0 }, this.config.civilTimeZone);
    const deadline = cycle.deadlineAt;
    const unitsDeadline = new Date(deadline.getTime() - 7 * DAY_MS);
    const districts = units.filter((u) => consolidating.has(u.id) && u.id !== standing.id);
    for (const district of districts) {
      const consolidation = await this.consolidationOf(cycle, district);
      await this.app.get(DeadlinesService).setUnitsDeadline(consolidation.id, unitsDeadline, await this.actor('consolidator', district));
    }
    // The standing agency reports to the top once it has consolidated: its own deadline is the end of November.
    const submission = instantOf({ year: this.options.year, month: 11, day: 30 }, { hour: 23, minute: 59, second: 59, millisecond: 999 }, this.config.civilTimeZone);
    const standingReport = await this.dataSource.getRepository(ReportEntity).findOneByOrFail({ cycleId: cycle.id, unitId: standing.id });
    await this.app.get(DeadlinesService).setUnitDeadline(standingReport.id, submission, await this.actor('administrator', standing));
    const plan = new Map<number, Date>();
    const lateUnits = new Set<number>();
    for (const unit of units) {
      if (consolidating.has(unit.id)) continue;
      const own = unit.reportsToId !== standing.id ? unitsDeadline : deadline;
      if (this.random() < this.options.lateRate) {
        lateUnits.add(unit.id);
        // Half report after their deadline but before the closing, half after the closing.
        plan.set(unit.id, new Date(own.getTime() + (this.random() < 0.5 ? 1 : 9) * DAY_MS));
      } else {
        plan.set(unit.id, new Date(day(10, 5).getTime() + Math.floor(this.random() * ((own.getTime() - day(10, 5).getTime()) / DAY_MS - 1)) * DAY_MS));
      }
    }
    const districtClose = new Date(unitsDeadline.getTime() + 2 * DAY_MS);
    const urgeAt = new Date(deadline.getTime() + 3 * DAY_MS);
    const standingClose = new Date(deadline.getTime() + 6 * DAY_MS);
    const end = new Date(standingClose.getTime() + 5 * DAY_MS);

    t = Date.now();
    const total = Math.round((end.getTime() - this.clock.now().getTime()) / DAY_MS);
    let dayIndex = 0;
    for (let now = this.nextMorning(this.clock.now()); now <= end; now = new Date(now.getTime() + DAY_MS)) {
      await this.moveTo(now);
      // The day's filings: drawn in unit order (the same seed gives the same reports), then done by
      // several people at once, as offices do — so one report's PDF renders while another is reviewed.
      const filings: Filing[] = [];
      for (const unit of units) {
        const due = plan.get(unit.id);
        if (due && due <= now) {
          plan.delete(unit.id);
          const filing = await this.drawFiling(unit);
          if (filing) filings.push(filing);
        }
      }
      await forEachAtOnce(filings, PEOPLE_AT_ONCE, (filing) => this.fileDrawn(filing));
      // The day's reports issued and sent before anyone closes a period or the clock moves on.
      await this.settle();
      if (sameDay(now, districtClose, this.config.civilTimeZone)) {
        // Every district closes its period, then they file four at a time as the communes do (one at a
        // time, each district's long report rendered while nothing else ran).
        for (const district of districts) {
          await this.consolidations.close((await this.consolidationOf(cycle, district)).id, await this.actor('consolidator', district));
        }
        await this.settle(); // the districts' own drafts open once their periods are closed
        await forEachAtOnce(districts, PEOPLE_AT_ONCE, (district) => this.file(district));
        await this.settle();
      }
      if (sameDay(now, urgeAt, this.config.civilTimeZone)) {
        const progress = await this.consolidations.progress((await this.consolidationOf(cycle, standing)).id);
        if (progress.units.some((u) => u.reportsToId === standing.id && u.status === 'late')) {
          await this.consolidations.urgeLateUnits(progress.consolidation.id, await this.actor('consolidator', standing));
        }
      }
      if (sameDay(now, standingClose, this.config.civilTimeZone)) {
        await this.consolidations.close((await this.consolidationOf(cycle, standing)).id, await this.actor('consolidator', standing));
        await this.settle();
        await this.file(standing);
      }
      this.options.progress?.(`${isoCivilDate(now, this.config.civilTimeZone)}`, ++dayIndex, total);
    }
    await this.settle();
    lap('cycle', t);

    t = Date.now();
    const summary = await this.write(cycle, dataSetId, units, standing);
    lap('writing', t);
    durations.total = Date.now() - started;
    summary.durationsMs = durations;
    writeFileSync(join(this.options.out, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    return summary;
  }

  /** Staff draft and submit; the division head (where the unit wants one) and the head review, returning some once. */
  private async file(unit: UnitEntity): Promise<void> {
    const filing = await this.drawFiling(unit);
    if (filing) await this.fileDrawn(filing);
  }

  /** What a unit will file, drawn from the seeded random sequence; null when its report is already in. */
  private async drawFiling(unit: UnitEntity): Promise<Filing | null> {
    const report = await this.dataSource.getRepository(ReportEntity).findOneByOrFail({ unitId: unit.id, cycleId: (await this.cycleOfUnit(unit)).id });
    if (report.onPaper || report.approvedVersion !== null) return null;
    const cycle = await this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: report.cycleId });
    const values = generateReportValues(formForYear(cycle.year), seededRandom(Math.floor(this.random() * 1e9)), { start: cycle.periodStart, end: cycle.periodEnd }, unit.officialName);
    return { unit, report, values, returnedOnce: this.random() < this.options.returnRate };
  }

  /**
   * One unit's filing. Each person acts once the step before theirs has committed (completing a task
   * opens the next one in the same step), not once the whole engine is idle: waiting for every other
   * unit's PDF to render made the offices take turns, so rendering and the workflow never overlapped.
   */
  private async fileDrawn({ unit, report, values, returnedOnce }: Filing): Promise<void> {
    const staff = await this.actor('staff', unit);
    await this.reports.saveDraft(report.id, values, staff);
    await this.reports.submit(report.id, staff);
    if (returnedOnce) {
      await this.review(unit, report, 'returned', 'Đề nghị rà soát lại số liệu thủ tục hành chính và bổ sung kiến nghị.');
      const fixed: ReportValues = { ...values, narratives: { ...values.narratives, proposals: `${values.narratives.proposals ?? ''}\nĐề nghị tiếp tục hỗ trợ kinh phí duy trì HTQLCL.`.trim() } };
      await this.reports.saveDraft(report.id, fixed, staff);
      await this.reports.submit(report.id, staff);
      this.returned++;
    }
    await this.review(unit, report, 'approved', '');
  }

  private async review(unit: UnitEntity, report: ReportEntity, decision: 'approved' | 'returned', comment: string): Promise<void> {
    if (report.divisionReview) {
      await this.reports.review(report.id, decision === 'returned' ? 'approved' : decision, '', await this.actor('division-head', unit));
    }
    await this.reports.review(report.id, decision, comment, await this.actor('head', unit));
  }

  private async write(cycle: CycleEntity, dataSetId: string, units: UnitEntity[], standing: UnitEntity): Promise<SimulationSummary> {
    const store = this.app.get(DocumentStore);
    const byId = new Map(units.map((u) => [u.id, u]));
    const issued = await this.dataSource.getRepository(IssuedDocumentEntity).find({ where: { unitId: In(units.map((u) => u.id)), state: IssueState.Issued }, order: { numberedAt: 'ASC' } });
    const documents: SimulationSummary['documents'] = [];
    for (const document of issued) {
      const unit = byId.get(document.unitId)!;
      const file = join('documents', unit.code, `${document.symbol!.replace(/\//g, '-')}.pdf`);
      const stored = await store.get(document.id);
      if (!stored) continue;
      mkdirSync(join(this.options.out, 'documents', unit.code), { recursive: true });
      writeFileSync(join(this.options.out, file), stored.pdf);
      documents.push({ unit: unit.code, kind: document.templateKind, number: document.number!, symbol: document.symbol!, date: document.issueDate!, file, sha256: document.sha256!, pages: document.pages! });
    }
    const reports = await this.dataSource.getRepository(ReportEntity).findBy({ cycleId: cycle.id });
    const deadlines = this.app.get(DeadlinesService);
    const late: string[] = [];
    for (const report of reports) {
      const deadline = await deadlines.effectiveDeadline(report);
      if (report.lateSince || !report.sentAt || report.sentAt > deadline) late.push(byId.get(report.unitId)!.code);
    }

    const own = reports.find((r) => r.unitId === standing.id)!;
    const snapshot = (await this.consolidationOf(cycle, standing)).snapshot;
    let provincialReport: SimulationSummary['provincialReport'] = null;
    if (snapshot && own.approvedVersion !== null && own.issuedDocumentId) {
      const values = (await this.dataSource.getRepository(ReportVersionEntity).findOneByOrFail({ reportId: own.id, versionNo: own.approvedVersion })).values;
      const file = documents.find((d) => issued.find((i) => i.id === own.issuedDocumentId)?.symbol === d.symbol && d.unit === standing.code)?.file ?? '';
      provincialReport = { file, totals: consolidatedTotals(formForYear(cycle.year), values, snapshot) };
    }
    let ministryDraft: SimulationSummary['ministryDraft'] = null;
    const draft = await this.dataSource.getRepository(DraftDocumentEntity).findOneBy({ id: topReportDraftId(cycle.id) });
    if (draft) {
      const file = join('documents', 'ministry-report-draft.pdf');
      writeFileSync(join(this.options.out, file), (await store.get(draft.id))!.pdf);
      ministryDraft = { file, sha256: draft.sha256, pages: draft.pages };
    }
    return {
      organization: dataSetId,
      year: cycle.year,
      units: units.length,
      reportsApproved: reports.filter((r) => r.approvedVersion !== null).length,
      returned: await this.dataSource.getRepository(ReportReviewEntity).countBy({ reportId: In(reports.map((r) => r.id)), decision: 'returned' }),
      lateUnits: late.sort(),
      documents,
      ministryDraft,
      provincialReport,
      durationsMs: {},
    };
  }

  private async actor(role: string, unit: UnitEntity): Promise<Actor> {
    const login = `${role}.${unit.code}@${unit.dataSetId}`;
    if (!this.actors.has(login)) {
      const person = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ login });
      this.actors.set(login, { personId: person.id, login, fullName: person.fullName, holdings: [] } as unknown as Actor);
    }
    return this.actors.get(login)!;
  }

  private async consolidationOf(cycle: CycleEntity, unit: UnitEntity): Promise<ConsolidationEntity> {
    return this.dataSource.getRepository(ConsolidationEntity).findOneByOrFail({ cycleId: cycle.id, unitId: unit.id });
  }

  private async cycleOfUnit(unit: UnitEntity): Promise<CycleEntity> {
    return this.dataSource.getRepository(CycleEntity).findOneByOrFail({ dataSetId: unit.dataSetId, year: this.options.year });
  }

  /** 09:00 Vietnam time on the day after `instant`. */
  private nextMorning(instant: Date): Date {
    const date = civilDateOf(new Date(instant.getTime() + DAY_MS), this.config.civilTimeZone);
    return instantOf(date, { hour: 9, minute: 0 }, this.config.civilTimeZone);
  }

  /** Moves the clock and lets the engine fire whatever fell due, until nothing more does. */
  private async moveTo(instant: Date): Promise<void> {
    await this.engine.whenIdle(); // what was done today is issued today
    this.clock.set(instant);
    for (let round = 0; round < 50; round++) {
      await this.engine.whenIdle();
      if ((await this.engine.runDueTimers()) === 0) break;
    }
    await this.engine.whenIdle();
  }

  private async settle(): Promise<void> {
    await this.engine.whenIdle();
  }
}

/** People filing at once on a simulated day (each a draft, a submission, reviews, an issued PDF). */
const PEOPLE_AT_ONCE = 4;

interface Filing {
  unit: UnitEntity;
  report: ReportEntity;
  values: ReportValues;
  returnedOnce: boolean;
}

/** Runs `work` on every item, at most `limit` at a time. */
async function forEachAtOnce<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

function sameDay(a: Date, b: Date, zone: string): boolean {
  return isoCivilDate(a, zone) === isoCivilDate(b, zone);
}
