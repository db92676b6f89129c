import { nextStartTimer } from './start-timers';

describe('nextStartTimer', () => {
  const from = new Date('2026-09-01T00:00:00Z');

  it('given a bounded cycle, then it is due after one period and one repetition fewer remains', () => {
    expect(nextStartTimer({ type: 'timeCycle', value: 'R3/PT1H' }, from)).toEqual({ dueAt: Date.parse('2026-09-01T01:00:00Z'), remainingCycle: 'R2/PT1H' });
    expect(nextStartTimer({ type: 'timeCycle', value: 'R1/PT1H' }, from)).toEqual({ dueAt: Date.parse('2026-09-01T01:00:00Z'), remainingCycle: null });
  });

  it('given an unbounded cycle, then it repeats for ever', () => {
    expect(nextStartTimer({ type: 'timeCycle', value: 'R/P1D' }, from)?.remainingCycle).toBe('R/P1D');
  });

  it('given a date or a duration, then it fires once', () => {
    expect(nextStartTimer({ type: 'timeDate', value: '2026-11-15T00:00:00+07:00' }, from)).toEqual({ dueAt: Date.parse('2026-11-14T17:00:00Z'), remainingCycle: null });
    expect(nextStartTimer({ type: 'timeDuration', value: 'P30D' }, from)).toEqual({ dueAt: Date.parse('2026-10-01T00:00:00Z'), remainingCycle: null });
  });
});
