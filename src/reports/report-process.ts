import { candidateGroup } from '../organization/candidate-groups';
import { Role } from '../organization/roles';
import { consolidationKey } from '../consolidation/consolidation-process';

/**
 * The names shared by processes/unit-report.bpmn and the code, defined once.
 */
export const UNIT_REPORT_PROCESS = {
  /** BPMN process id of one unit's yearly report. */
  id: 'unit-report',
  /** Resource file under processes/. */
  resource: 'unit-report.bpmn',
} as const;

/** User tasks of the unit report process, by element id. */
export const UNIT_REPORT_TASKS = {
  /** Staff draft the report, or fix it after a return. */
  draft: 'draft-report',
  /** The division head's review, where the unit wants one. */
  divisionReview: 'division-review',
  /** The head's (or a deputy's) approval. */
  headReview: 'head-review',
  /** The signer signs the issued report elsewhere (USB token, remote signing): completed by the signature route. */
  sign: 'sign-report',
} as const;

/** Service task types (zeebe:taskDefinition type) of the unit report process. */
export const UNIT_REPORT_JOBS = {
  /** Number, render, store and register the approved report. */
  issue: 'issue-report',
  /** Record the report as received by the consolidating unit and end its deadline watch. */
  send: 'send-report',
  /** After the report that goes to the top unit: the top's report to the Ministry, drafted for signature. */
  draftTopReport: 'draft-top-report',
} as const;

/** Process variables: ids, never documents. */
export interface UnitReportVariables {
  /** reports.id of the report this instance runs. */
  reportId: number;
  unitId: number;
  cycleId: number;
  /** Whether the division head reviews before the head. */
  divisionReview: boolean;
  staffGroup: string;
  divisionHeadGroup: string;
  /** The head and the deputies (who sign "KT.") may approve. */
  approverGroups: string[];
  /** ISO 8601 instant: the unit's deadline, shown as the tasks' due date. */
  dueDate: string;
  /** The unit has units reporting to it: it drafts once its consolidation closed the period. */
  consolidates: boolean;
  /** Correlation key of the unit's own consolidation (message consolidation-closed). */
  consolidationKey: string;
  /** The unit reports to the top of the hierarchy (the provincial People's Committee). */
  submitsToTop: boolean;
}

/** The reviewer's decision, set when a review task completes. */
export interface ReviewOutcomeVariables {
  decision: 'approved' | 'returned';
}

export function unitReportVariables(
  report: { id: number; unitId: number; cycleId: number; divisionReview: boolean },
  deadline: Date,
  place: { consolidates: boolean; submitsToTop: boolean } = { consolidates: false, submitsToTop: false },
): UnitReportVariables {
  return {
    reportId: report.id,
    unitId: report.unitId,
    cycleId: report.cycleId,
    divisionReview: report.divisionReview,
    staffGroup: candidateGroup(report.unitId, Role.Staff),
    divisionHeadGroup: candidateGroup(report.unitId, Role.DivisionHead),
    approverGroups: [candidateGroup(report.unitId, Role.Head), candidateGroup(report.unitId, Role.Deputy)],
    dueDate: deadline.toISOString(),
    consolidates: place.consolidates,
    consolidationKey: consolidationKey(report.cycleId, report.unitId),
    submitsToTop: place.submitsToTop,
  };
}

/** Business key of a report's instance. */
export const reportBusinessKey = (reportId: number) => `report:${reportId}`;
