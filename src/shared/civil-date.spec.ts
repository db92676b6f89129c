import { DateTime } from 'luxon';
import { civilDateFromIso, civilDateOf, instantOf, isoCivilDate, VIETNAM_TIME_ZONE } from './civil-date';

describe('civil dates in Vietnam time, whatever the server zone', () => {
  it('puts 31/12 17:00 UTC on 1 January of the next year', () => {
    expect(civilDateOf(new Date('2026-12-31T16:59:59Z'))).toEqual({ year: 2026, month: 12, day: 31 });
    expect(civilDateOf(new Date('2026-12-31T17:00:00Z'))).toEqual({ year: 2027, month: 1, day: 1 });
    expect(isoCivilDate(new Date('2026-11-14T16:59:59.999Z'))).toBe('2026-11-14');
  });

  it('finds the instant at which a civil day ends', () => {
    expect(instantOf({ year: 2026, month: 11, day: 14 }, { hour: 23, minute: 59, second: 59, millisecond: 999 }).toISOString()).toBe('2026-11-14T16:59:59.999Z');
  });
});

describe('the kept civil day', () => {
  it('answers every instant of a day with that day, and the next instant with the next day, in any order', () => {
    // Across the day's bounds and back: a kept day must never answer for an instant outside it.
    const asked = ['2026-11-14T16:59:59.999Z', '2026-11-13T17:00:00.000Z', '2026-11-14T17:00:00.000Z', '2026-11-13T16:59:59.999Z', '2026-11-14T05:00:00.000Z', '2026-11-15T16:59:59.999Z'];
    expect(asked.map((t) => isoCivilDate(new Date(t)))).toEqual(['2026-11-14', '2026-11-14', '2026-11-15', '2026-11-13', '2026-11-14', '2026-11-15']);
  });

  it('keeps one day per zone: another zone is not answered from the day kept for Vietnam', () => {
    const instant = new Date('2026-11-14T20:00:00Z');
    expect(isoCivilDate(instant)).toBe('2026-11-15');
    expect(isoCivilDate(instant, 'UTC')).toBe('2026-11-14');
    expect(civilDateOf(instant, 'America/New_York')).toEqual({ year: 2026, month: 11, day: 14 });
    expect(isoCivilDate(instant)).toBe('2026-11-15');
  });

  it('follows a zone whose day is not 24 hours long (a change of offset)', () => {
    // New York's 8 March 2026 has 23 hours: 05:00Z to 04:00Z next day.
    expect(isoCivilDate(new Date('2026-03-08T05:00:00Z'), 'America/New_York')).toBe('2026-03-08');
    expect(isoCivilDate(new Date('2026-03-09T03:59:59.999Z'), 'America/New_York')).toBe('2026-03-08');
    expect(isoCivilDate(new Date('2026-03-09T04:00:00Z'), 'America/New_York')).toBe('2026-03-09');
  });

  it('answers an invalid date as luxon does, without keeping it', () => {
    expect(isoCivilDate(new Date(Number.NaN))).toBeNull();
    expect(isoCivilDate(new Date('2026-11-14T05:00:00Z'))).toBe('2026-11-14');
  });
});

describe('civilDateFromIso', () => {
  it('reads a plain date as luxon does: every day of 2023–2025 and the impossible ones refused', () => {
    const luxon = (iso: string) => {
      const date = DateTime.fromISO(iso, { zone: VIETNAM_TIME_ZONE });
      return date.isValid ? { year: date.year, month: date.month, day: date.day } : 'invalid';
    };
    const ours = (iso: string) => {
      try {
        return civilDateFromIso(iso);
      } catch (error) {
        expect(error).toBeInstanceOf(RangeError);
        return 'invalid';
      }
    };
    const isos: string[] = ['2024-02-29', '2025-02-29', '2026-02-30', '2026-13-01', '2026-00-10', '2026-04-31', '2026-12-00', '2026-12-32', '0050-06-15', '9999-12-31'];
    for (let at = Date.UTC(2023, 0, 1); at < Date.UTC(2026, 0, 1); at += 86_400_000) isos.push(new Date(at).toISOString().slice(0, 10));
    for (const iso of isos) expect([iso, ours(iso)]).toEqual([iso, luxon(iso)]);
    expect(ours('2026-02-30')).toBe('invalid');
  });

  it('reads an instant with its offset in the zone', () => {
    expect(civilDateFromIso('2026-01-04T18:00:00Z')).toEqual({ year: 2026, month: 1, day: 5 });
    expect(() => civilDateFromIso('2026-01-04T18:00:00')).toThrow(RangeError);
  });
});
