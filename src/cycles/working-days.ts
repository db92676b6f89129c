import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { projectRoot } from '../shared/project-root';

/**
 * Working days for reminders and escalations: Monday to Friday, less the public holidays of the
 * calendar data (data/calendars/vn-public-holidays.json, per year). Dates are civil dates (YYYY-MM-DD).
 */
export class WorkingDayCalendar {
  private readonly holidays: Set<string>;

  constructor(
    holidays: Iterable<string>,
    /** Years the holiday list covers; asking about another year is an error, not a silent guess. */
    private readonly years: Set<number>,
  ) {
    this.holidays = new Set(holidays);
  }

  static fromData(file = join(projectRoot(), 'data', 'calendars', 'vn-public-holidays.json')): WorkingDayCalendar {
    const data = JSON.parse(readFileSync(file, 'utf8')) as { years: Record<string, string[]> };
    return new WorkingDayCalendar(Object.values(data.years).flat(), new Set(Object.keys(data.years).map(Number)));
  }

  isWorkingDay(date: string): boolean {
    const day = this.parse(date);
    return day.weekday <= 5 && !this.holidays.has(date);
  }

  /** The working day `count` working days before (negative) or after (positive) `date`. */
  addWorkingDays(date: string, count: number): string {
    let day = this.parse(date);
    const step = count < 0 ? -1 : 1;
    for (let left = Math.abs(count); left > 0; ) {
      day = day.plus({ days: step });
      this.requireYear(day.year);
      if (this.isWorkingDay(day.toISODate()!)) left--;
    }
    return day.toISODate()!;
  }

  /** The last working day on or before `date` (a deadline on a Sunday is remembered on the Friday). */
  onOrBefore(date: string): string {
    let day = this.parse(date);
    while (!this.isWorkingDay(day.toISODate()!)) {
      day = day.minus({ days: 1 });
      this.requireYear(day.year);
    }
    return day.toISODate()!;
  }

  private parse(date: string): DateTime {
    const day = DateTime.fromISO(date, { zone: 'UTC' });
    if (!day.isValid || !/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new RangeError(`"${date}" is not a civil date (YYYY-MM-DD)`);
    this.requireYear(day.year);
    return day;
  }

  private requireYear(year: number): void {
    if (!this.years.has(year)) throw new MissingHolidayCalendarError(year);
  }
}

/** The holiday list does not cover a year yet (it is added once the Government announces it). */
export class MissingHolidayCalendarError extends RangeError {
  constructor(readonly year: number) {
    super(`no holiday calendar for ${year}: add it to data/calendars/vn-public-holidays.json`);
    this.name = 'MissingHolidayCalendarError';
  }
}
