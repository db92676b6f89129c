import { VIETNAM_TIME_ZONE } from '../../shared/civil-date';

/**
 * How pages write numbers, dates and labels: Vietnamese formats (1.234,5; dd/mm/yyyy in
 * Asia/Ho_Chi_Minh whatever the server's zone) and the labels people read instead of codes.
 */
const numberFormat = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 2 });
const dateFormat = new Intl.DateTimeFormat('vi-VN', { timeZone: VIETNAM_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const dateTimeFormat = new Intl.DateTimeFormat('vi-VN', { timeZone: VIETNAM_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
const collator = new Intl.Collator('vi');

export const compareVietnamese = (a: string, b: string): number => collator.compare(a, b);

/** 1.234,5; empty for anything that is not a finite number. */
export function formatNumber(value: unknown): string {
  return typeof value === 'number' && Number.isFinite(value) ? numberFormat.format(value) : '';
}

/** An instant as dd/mm/yyyy in Vietnam. */
export function formatDate(instant: Date | string | null | undefined): string {
  return instant ? dateFormat.format(new Date(instant)) : '';
}

/** An instant as HH:mm dd/mm/yyyy in Vietnam. */
export function formatDateTime(instant: Date | string | null | undefined): string {
  if (!instant) return '';
  const parts = Object.fromEntries(dateTimeFormat.formatToParts(new Date(instant)).map((p) => [p.type, p.value]));
  return `${parts.hour}:${parts.minute} ${parts.day}/${parts.month}/${parts.year}`;
}

/** A civil date YYYY-MM-DD as dd/mm/yyyy. */
export function formatCivilDate(isoDate: string | null | undefined): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate ?? '');
  return match ? `${match[3]}/${match[2]}/${match[1]}` : (isoDate ?? '');
}

/** dd/mm/yyyy (or d/m/yyyy) as YYYY-MM-DD; anything else as typed, for the rules to refuse at its field. */
export function parseCivilDate(text: string): string {
  const match = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(text);
  return match ? `${match[3]}-${match[2].padStart(2, '0')}-${match[1].padStart(2, '0')}` : text.trim();
}

/** "1.234" or "1 234" as 1234; anything else as typed, for the rules to refuse at its field. */
export function parseWholeNumber(text: string): number | string {
  const compact = text.replace(/[.\s]/g, '');
  return /^-?\d+$/.test(compact) ? Number(compact) : text.trim();
}

/** A report's status (src/reports), as the pages say it. */
export const REPORT_STATUS_LABELS: Record<string, string> = {
  'not-started': 'Chưa bắt đầu',
  drafting: 'Đang soạn thảo',
  'in-review': 'Đang xem xét',
  returned: 'Bị trả lại',
  approved: 'Đã phê duyệt',
  issued: 'Đã ban hành',
};

export const ROLE_LABELS: Record<string, string> = {
  staff: 'Chuyên viên',
  'division-head': 'Trưởng phòng',
  head: 'Thủ trưởng',
  deputy: 'Cấp phó',
  clerk: 'Văn thư',
  consolidator: 'Tổng hợp',
  administrator: 'Quản trị',
};
