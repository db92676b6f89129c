import { Role } from '../organization/roles';
import { ReportEntity } from '../reports/report.entity';

/** Where a unit stands, as its consolidating unit sees it. */
export type ProgressStatus = 'not-started' | 'drafting' | 'in-review' | 'returned' | 'submitted' | 'late' | 'missing';

export const PROGRESS_LABELS: Record<ProgressStatus, string> = {
  'not-started': 'Chưa bắt đầu',
  drafting: 'Đang soạn',
  'in-review': 'Đang trình duyệt',
  returned: 'Bị trả lại',
  submitted: 'Đã gửi',
  late: 'Trễ hạn',
  missing: 'Không báo cáo',
};

/**
 * A report's progress: sent (in the system or on paper) is submitted; otherwise, once its consolidating
 * unit has closed the period it is missing, and once the deadline timer marked it late it is late;
 * otherwise its working state.
 */
export function progressStatus(report: Pick<ReportEntity, 'status' | 'sentAt' | 'onPaper' | 'lateSince'>, consolidationClosed: boolean): ProgressStatus {
  if (report.sentAt || report.onPaper) return 'submitted';
  if (consolidationClosed) return 'missing';
  if (report.lateSince) return 'late';
  switch (report.status) {
    case 'not-started':
      return 'not-started';
    case 'drafting':
      return 'drafting';
    case 'returned':
      return 'returned';
    default:
      return 'in-review';
  }
}

/** Whether a sent report came in late: the timer marked it, or it was sent after its deadline. */
export function arrivedLate(report: Pick<ReportEntity, 'sentAt' | 'lateSince'>, deadline: Date): boolean {
  return report.lateSince !== null || (report.sentAt !== null && report.sentAt > deadline);
}

/** Who follows a consolidating unit's progress: its consolidator, head, deputies and clerks. */
export const CONSOLIDATION_FOLLOWERS: readonly Role[] = [Role.Consolidator, Role.Head, Role.Deputy, Role.Clerk];
