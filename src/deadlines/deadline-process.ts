/**
 * The names shared by processes/report-deadline.bpmn and the code, defined once. One deadline watch
 * runs beside each unit's report: it sleeps until the next alarm (a reminder, the deadline, the
 * escalation), raises it and plans the next in the same job; a changed deadline or the report sent wakes it early.
 */
export const REPORT_DEADLINE_PROCESS = {
  id: 'report-deadline',
  resource: 'report-deadline.bpmn',
} as const;

export const REPORT_DEADLINE_JOBS = {
  /** Computes the next alarm from the report's effective deadline and what was already raised. */
  plan: 'plan-deadline-alarm',
  /** Raises the alarm that fell due (idempotent per report, kind and due instant) and answers the next one, as `plan` does. */
  raise: 'raise-deadline-alarm',
} as const;

/**
 * Wakes a report's deadline watch: its deadline changed (carrying the next alarm, `replanned`, or not,
 * for the watch to plan by its job), or (with REPORT_SENT) the report was sent. Every wake says whether
 * it carries a plan: the flag stays among the watch's variables until the next wake.
 */
export const DEADLINE_CHANGED_MESSAGE = 'report-deadline-changed';
/** The wake-up's variables when the report was sent: the watch ends without planning again. */
export const REPORT_SENT: Pick<ReportDeadlineVariables, 'reportSent' | 'replanned'> = { reportSent: true, replanned: false };
/** A wake-up that finds the watch between two steps waits this long for it. */
export const DEADLINE_WAKE_TTL_MS = 30 * 24 * 3600 * 1000;

/** What `plan-deadline-alarm` answers: sleep until an alarm, wait for a change only, or stop watching. */
export type DeadlineWatchNext = 'alarm' | 'wait' | 'done';

export interface ReportDeadlineVariables extends Partial<PlannedAlarmVariables> {
  reportId: number;
  /** Correlation key of the watch's messages. */
  reportKey: string;
  /** Set by the wake-up that tells the report was sent. */
  reportSent: boolean;
  /** The watch starts with its first alarm planned (`next`, `alarmAt`, `alarmKind`); without it, it plans first. */
  planned?: boolean;
  /** Set by a wake that carries the next alarm, planned by whoever moved the deadline: no plan job follows. */
  replanned?: boolean;
}

/** Variables set by `plan-deadline-alarm`. */
export interface PlannedAlarmVariables {
  next: DeadlineWatchNext;
  /** ISO instant of the next alarm (only when next = alarm). */
  alarmAt: string | null;
  alarmKind: string | null;
}

export const deadlineWatchKey = (reportId: number) => `report:${reportId}`;
export const deadlineWatchBusinessKey = (reportId: number) => `deadline:report:${reportId}`;
