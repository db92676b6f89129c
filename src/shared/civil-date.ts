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
  const { year, month, day } = civilDayOf(instant, zone);
  return { year, month, day };
}

/** ISO form (YYYY-MM-DD) of the civil date of an instant. */
export function isoCivilDate(instant: Date, zone = VIETNAM_TIME_ZONE): string {
  return civilDayOf(instant, zone).iso;
}

/** One civil day of a zone: its date and the instants it begins and ends (from luxon, so any offset change of the zone is its own). */
interface CivilDay extends CivilDate {
  iso: string;
  startsAt: number;
  endsAt: number;
}

/**
 * The last day found per zone: nearly every instant a server asks about (a page's "today", a step's
 * due date) falls on the day it asked about before, and a range test costs nothing where luxon's zone
 * arithmetic cost ~10 µs a call (3 % of the dashboard page's server time).
 */
const lastDays = new Map<string, CivilDay>();

function civilDayOf(instant: Date, zone: string): CivilDay {
  const ms = instant.getTime();
  const kept = lastDays.get(zone);
  if (kept && ms >= kept.startsAt && ms < kept.endsAt) return kept;
  const local = DateTime.fromMillis(ms, { zone });
  const start = local.startOf('day');
  const day: CivilDay = { year: local.year, month: local.month, day: local.day, iso: local.toISODate()!, startsAt: start.toMillis(), endsAt: start.plus({ days: 1 }).toMillis() };
  // An invalid instant or zone gives luxon's invalid answer, as before, and is not kept (its bounds are NaN anyway).
  if (local.isValid) lastDays.set(zone, day);
  return day;
}

/** The instant a civil date and time occur in the zone, e.g. the end of 14/11 in Vietnam. */
export function instantOf(date: CivilDate, time: { hour: number; minute: number; second?: number; millisecond?: number }, zone = VIETNAM_TIME_ZONE): Date {
  return DateTime.fromObject({ ...date, ...time }, { zone }).toJSDate();
}

/**
 * The civil date named by an ISO string: a plain date ("2026-01-05") is taken as is; an instant
 * must carry its offset ("2026-01-04T18:00:00Z") and is read in the zone, never the server's.
 */
export function civilDateFromIso(value: string, zone = VIETNAM_TIME_ZONE): CivilDate {
  const plain = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (plain) {
    // A calendar date is one in any zone; checked by the UTC calendar (a template formats many: luxon's parse cost ~10 µs).
    const [year, month, day] = [Number(plain[1]), Number(plain[2]), Number(plain[3])];
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) throw new RangeError(`"${value}" is not a calendar date`);
    return { year, month, day };
  }
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(value)) {
    throw new RangeError(`"${value}" is neither a date (YYYY-MM-DD) nor an instant with an offset (…Z or …+07:00)`);
  }
  const instant = DateTime.fromISO(value, { setZone: true });
  if (!instant.isValid) throw new RangeError(`"${value}" is not an ISO instant`);
  return civilDateOf(instant.toJSDate(), zone);
}

/**
 * Decree 30/2020 writes days below 10 and the months 1 and 2 with a leading zero, months 3–12
 * without: "05", "01", "02", but "9", "12".
 */
function officialDay(day: number): string {
  return String(day).padStart(2, '0');
}

function officialMonth(month: number): string {
  return month <= 2 ? String(month).padStart(2, '0') : String(month);
}

/** "ngày 05 tháng 01 năm 2026", "ngày 09 tháng 9 năm 2021": the date of a document's date line. */
export function officialDateText(date: CivilDate): string {
  return `ngày ${officialDay(date.day)} tháng ${officialMonth(date.month)} năm ${date.year}`;
}

/** "05/3/2014", "15/01/2026": a date cited in running text, with the same leading-zero rule. */
export function officialShortDate(date: CivilDate): string {
  return `${officialDay(date.day)}/${officialMonth(date.month)}/${date.year}`;
}
