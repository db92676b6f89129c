import { DateTime } from 'luxon';

/**
 * Civil dates (document dates, deadlines, numbering years) are computed in the configured zone
 * (Asia/Ho_Chi_Minh by default), never in the server's zone.
 */
export const VIETNAM_TIME_ZONE = 'Asia/Ho_Chi_Minh';

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function civilDateOf(instant: Date, zone = VIETNAM_TIME_ZONE): CivilDate {
  const local = DateTime.fromJSDate(instant, { zone });
  return { year: local.year, month: local.month, day: local.day };
}

/** ISO form (YYYY-MM-DD) of the civil date of an instant. */
export function isoCivilDate(instant: Date, zone = VIETNAM_TIME_ZONE): string {
  return DateTime.fromJSDate(instant, { zone }).toISODate()!;
}

/** The instant a civil date and time occur in the zone, e.g. the end of 14/11 in Vietnam. */
export function instantOf(date: CivilDate, time: { hour: number; minute: number; second?: number; millisecond?: number }, zone = VIETNAM_TIME_ZONE): Date {
  return DateTime.fromObject({ ...date, ...time }, { zone }).toJSDate();
}
