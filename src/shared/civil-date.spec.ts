import { civilDateOf, instantOf, isoCivilDate } from './civil-date';

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
