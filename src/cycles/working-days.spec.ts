import { WorkingDayCalendar } from './working-days';

describe('working days in Vietnam', () => {
  const calendar = WorkingDayCalendar.fromData();

  it('skips weekends and public holidays', () => {
    expect(calendar.isWorkingDay('2026-11-13')).toBe(true); // Friday
    expect(calendar.isWorkingDay('2026-11-15')).toBe(false); // Sunday
    expect(calendar.isWorkingDay('2026-09-02')).toBe(false); // National Day
    expect(calendar.isWorkingDay('2026-02-17')).toBe(false); // Tết
  });

  it('counts back over a weekend: 3 working days before Saturday 14/11/2026 is Tuesday 10/11', () => {
    expect(calendar.onOrBefore('2026-11-14')).toBe('2026-11-13');
    expect(calendar.addWorkingDays('2026-11-13', -3)).toBe('2026-11-10');
  });

  it('counts over the National Day holiday', () => {
    expect(calendar.addWorkingDays('2026-08-31', 1)).toBe('2026-09-03');
  });

  it('refuses a year it has no holidays for instead of guessing', () => {
    expect(() => calendar.isWorkingDay('2031-01-02')).toThrow(/no holiday calendar for 2031/);
  });
});
