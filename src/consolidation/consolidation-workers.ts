import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CycleEntity } from '../cycles/cycle.entity';
import { DocumentComposer } from '../documents/document-composer';
import { IssuedDocumentEntity } from '../documents/issuing/issued-document.entity';
import { DocumentStore, sha256Hex } from '../documents/store/document-store';
import { UnitEntity } from '../organization/unit.entity';
import { formById } from '../reports/form/form-definition';
import { figureAt } from '../reports/form/report-values';
import { UNIT_REPORT_JOBS } from '../reports/report-process';
import { ReportVersionEntity } from '../reports/report-version.entity';
import { ReportEntity } from '../reports/report.entity';
import { periodOf } from '../reports/reports.service';
import { Clock } from '../shared/clock';
import { deterministicUuid } from '../shared/deterministic-uuid';
import { Job, JobOutcome, JobOutcomes, WorkerRegistration, WorkflowEngine } from '../workflow/workflow-engine';
import { consolidatedTotals } from './consolidated-document';
import { CONSOLIDATION_CLOSED_MESSAGE, CONSOLIDATION_JOBS, consolidationKey } from './consolidation-process';
import { ConsolidationEntity, DraftDocumentEntity } from './consolidation.entity';
import { MINISTRY_REPORT, ministryLevelLabel, ministryReportContent } from './ministry-report';

/** The closed consolidation's message waits this long for the unit's own report to listen. */
const RELEASE_TTL_MS = 400 * 24 * 3600 * 1000;

/** The Ministry draft's id: one per cycle, so a retried job finds the file it stored. */
export const topReportDraftId = (cycleId: number) => deterministicUuid(`cycle:${cycleId}:ministry-report-draft`);

/**
 * Service tasks around consolidation: releasing a consolidating unit's own report once its period
 * closed, and, after the report that reaches the top, the top's report to the Ministry drafted from
 * the consolidated figures (stored, unnumbered, for its leaders to sign). Both are safe to run again.
 */
@Injectable()
export class ConsolidationWorkers {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly composer: DocumentComposer,
    private readonly store: DocumentStore,
    private readonly clock: Clock,
  ) {}

  register(): WorkerRegistration[] {
    return [
      this.engine.registerWorker(CONSOLIDATION_JOBS.releaseOwnReport, (job) => this.releaseOwnReport(job)),
      this.engine.registerWorker(UNIT_REPORT_JOBS.draftTopReport, (job) => this.draftTopReport(job)),
    ];
  }

  async releaseOwnReport(job: Job): Promise<JobOutcome> {
    const cycleId = Number(job.variables.cycleId);
    const unitId = Number(job.variables.unitId);
    await this.engine.publishMessage({ name: CONSOLIDATION_CLOSED_MESSAGE, correlationKey: consolidationKey(cycleId, unitId), variables: {}, timeToLiveMs: RELEASE_TTL_MS });
    return JobOutcomes.complete();
  }

  async draftTopReport(job: Job): Promise<JobOutcome> {
    const report = await this.dataSource.getRepository(ReportEntity).findOneByOrFail({ id: Number(job.variables.reportId) });
    const draftId = topReportDraftId(report.cycleId);
    if (await this.dataSource.getRepository(DraftDocumentEntity).existsBy({ id: draftId })) return JobOutcomes.complete({ topReportDraftId: draftId });
    const data = await this.topReportData(report);
    if (!data) return JobOutcomes.fail(`report ${report.id}: its consolidation has not closed or it has no issued document`, 0);
    const composed = await this.composer.compose(MINISTRY_REPORT.templateKind, data.content, { draft: true });
    const stored = await this.store.put({ documentId: draftId, pdf: composed.pdf, kind: MINISTRY_REPORT.templateKind, templateVersion: 'draft', data: data.content }, this.clock.now());
    await this.dataSource.getRepository(DraftDocumentEntity).insert({
      id: draftId,
      cycleId: report.cycleId,
      unitId: data.province.id,
      kind: MINISTRY_REPORT.templateKind,
      subject: String(data.content.subject),
      sha256: sha256Hex(stored.pdf),
      pages: composed.pageCount,
      createdAt: this.clock.now(),
    });
    return JobOutcomes.complete({ topReportDraftId: draftId });
  }

  private async topReportData(report: ReportEntity) {
    const units = this.dataSource.getRepository(UnitEntity);
    const standingAgency = await units.findOneByOrFail({ id: report.unitId });
    const province = await units.findOneByOrFail({ id: standingAgency.reportsToId! });
    const cycle = await this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: report.cycleId });
    const consolidation = await this.dataSource.getRepository(ConsolidationEntity).findOneBy({ cycleId: cycle.id, unitId: standingAgency.id });
    const issued = report.issuedDocumentId ? await this.dataSource.getRepository(IssuedDocumentEntity).findOneBy({ id: report.issuedDocumentId }) : null;
    if (!consolidation?.snapshot || !issued?.symbol || !issued.issueDate || report.approvedVersion === null) return null;
    const snapshot = consolidation.snapshot;
    const form = formById(report.formId);
    const own = (await this.dataSource.getRepository(ReportVersionEntity).findOneByOrFail({ reportId: report.id, versionNo: report.approvedVersion })).values;
    const reporting = await units.findBy({ dataSetId: cycle.dataSetId });
    const counted = new Map(snapshot.included.map((r) => [r.unitId, r]));
    const levels = [...new Set(reporting.filter((u) => u.reportsToId !== null).map((u) => u.level))].map((level) => {
      const members = reporting.filter((u) => u.reportsToId !== null && u.level === level);
      const inReport = members.filter((u) => u.id === standingAgency.id || counted.has(u.id));
      const announced = inReport.filter((u) => figureAt(u.id === standingAgency.id ? own : { figures: counted.get(u.id)!.figures, narratives: {} }, 'announcement.announced') === true);
      return { level, label: ministryLevelLabel(level), expected: members.length, submitted: inReport.length, announced: announced.length };
    });
    const names = new Map(reporting.map((u) => [u.id, u.officialName]));
    const content = ministryReportContent({
      year: cycle.year,
      period: periodOf(cycle),
      province,
      standingAgency,
      form,
      totals: consolidatedTotals(form, own, snapshot),
      levels,
      // The province's report counts the standing agency's own report too.
      counts: { ...snapshot.counts, expected: snapshot.counts.expected + 1, submitted: snapshot.counts.submitted + 1, onTime: snapshot.counts.onTime + 1 },
      lateOrMissing: snapshot.lateOrMissing.map((l) => ({ name: names.get(l.unitId) ?? String(l.unitId), status: l.status === 'late' ? 'Trễ hạn' : 'Chưa báo cáo', note: l.note })),
      consolidatedReport: { symbol: issued.symbol, date: issued.issueDate },
    });
    return { content, province };
  }
}
