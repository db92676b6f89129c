import { Injectable } from '@nestjs/common';
import { DataSource, In } from 'typeorm';
import { CycleEntity } from '../cycles/cycle.entity';
import { IssuedDocumentEntity } from '../documents/issuing/issued-document.entity';
import { DocumentStore } from '../documents/store/document-store';
import { UnitEntity } from '../organization/unit.entity';
import { NotFoundError } from '../shared/errors';
import { productProcesses } from '../workflow/process-catalogue';
import { HistoryEntry, WorkflowEngine } from '../workflow/workflow-engine';
import { ReportEntity, ReportStatus } from './report.entity';

/** One report in a unit's list: where it stands, and its issued document when there is one. */
export interface ReportSummary {
  id: number;
  cycleId: number;
  year: number;
  unitId: number;
  unitName: string;
  status: ReportStatus;
  currentVersion: number;
  approvedVersion: number | null;
  updatedAt: Date;
  document: IssuedDocumentSummary | null;
}

export interface IssuedDocumentSummary {
  id: string;
  symbol: string | null;
  number: number | null;
  issueDate: string | null;
  subject: string;
  state: string;
  pages: number | null;
}

/** A report's process instance for the diagram: the BPMN, what is active now, what happened. */
export interface ReportProcessView {
  instanceKey: string;
  bpmnProcessId: string;
  version: number;
  status: string;
  xml: string;
  activeElementIds: string[];
  history: HistoryEntry[];
}

/**
 * Read-only views of reports for the web pages (lists, the issued PDF, the process diagram); every
 * change to a report goes through ReportsService.
 */
@Injectable()
export class ReportQueries {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly store: DocumentStore,
  ) {}

  /** A unit's reports, the newest cycle first. */
  async ofUnit(unitId: number): Promise<ReportSummary[]> {
    const unit = await this.dataSource.getRepository(UnitEntity).findOneBy({ id: unitId });
    if (!unit) throw new NotFoundError(`Unit ${unitId}`);
    const reports = await this.dataSource.getRepository(ReportEntity).find({ where: { unitId }, select: ['id', 'cycleId', 'unitId', 'status', 'currentVersion', 'approvedVersion', 'updatedAt', 'issuedDocumentId'] });
    const cycleIds = [...new Set(reports.map((r) => r.cycleId))];
    const cycles = cycleIds.length ? await this.dataSource.getRepository(CycleEntity).findBy({ id: In(cycleIds) }) : [];
    const documentIds = reports.map((r) => r.issuedDocumentId).filter((id): id is string => id !== null);
    const documents = documentIds.length ? await this.dataSource.getRepository(IssuedDocumentEntity).findBy({ id: In(documentIds) }) : [];
    const yearOf = new Map(cycles.map((c) => [c.id, c.year]));
    const documentOf = new Map(documents.map((d) => [d.id, summarize(d)]));
    return reports
      .map((r) => ({
        id: r.id,
        cycleId: r.cycleId,
        year: yearOf.get(r.cycleId) ?? 0,
        unitId: r.unitId,
        unitName: unit.nameWithType,
        status: r.status,
        currentVersion: r.currentVersion,
        approvedVersion: r.approvedVersion,
        updatedAt: r.updatedAt,
        document: r.issuedDocumentId ? (documentOf.get(r.issuedDocumentId) ?? null) : null,
      }))
      .sort((a, b) => b.year - a.year || b.id - a.id);
  }

  /** The report's issued document and its stored PDF; 404 before it is issued. */
  async issuedPdf(reportId: number): Promise<{ document: IssuedDocumentSummary; pdf: Buffer }> {
    const report = await this.report(reportId);
    const document = report.issuedDocumentId ? await this.dataSource.getRepository(IssuedDocumentEntity).findOneBy({ id: report.issuedDocumentId }) : null;
    const stored = document ? await this.store.get(document.id) : null;
    if (!document || !stored) throw new NotFoundError(`The issued document of report ${reportId}`);
    return { document: summarize(document), pdf: stored.pdf };
  }

  /**
   * The report's process: its BPMN (the product's current file for that process id: the embedded
   * engine deploys a changed file as a new version, so an instance of an older version may have
   * run on a slightly different diagram), the active elements and the history.
   */
  async process(reportId: number): Promise<ReportProcessView> {
    const report = await this.report(reportId);
    if (!report.processInstanceKey) throw new NotFoundError(`The process of report ${reportId}`);
    const instance = await this.engine.getInstance(report.processInstanceKey);
    const resource = productProcesses().find((r) => r.xml.includes(`id="${instance.bpmnProcessId}"`));
    if (!resource) throw new NotFoundError(`The BPMN of process ${instance.bpmnProcessId}`);
    return {
      instanceKey: instance.instanceKey,
      bpmnProcessId: instance.bpmnProcessId,
      version: instance.version,
      status: instance.status,
      xml: resource.xml,
      activeElementIds: [...new Set(instance.activeElements.map((e) => e.elementId))],
      history: await this.engine.getHistory(instance.instanceKey),
    };
  }

  private async report(reportId: number): Promise<ReportEntity> {
    const report = await this.dataSource.getRepository(ReportEntity).findOneBy({ id: reportId });
    if (!report) throw new NotFoundError(`Report ${reportId}`);
    return report;
  }
}

function summarize(d: IssuedDocumentEntity): IssuedDocumentSummary {
  return { id: d.id, symbol: d.symbol, number: d.number, issueDate: d.issueDate, subject: d.subject, state: d.state, pages: d.pages };
}
