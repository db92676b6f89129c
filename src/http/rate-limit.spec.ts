import { ControlledClock } from '../shared/clock';
import { TokenBuckets, rateLimitedMessage } from './rate-limit';

describe('TokenBuckets', () => {
  it('grants a minute’s allowance at once, then refills at the steady rate and names the wait', () => {
    const clock = new ControlledClock('2026-11-01T00:00:00Z');
    const buckets = new TokenBuckets(120, clock);
    for (let i = 0; i < 120; i++) expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
    expect(buckets.take('b')).toBe(0);
    clock.advance(499);
    expect(buckets.take('a')).toBe(1);
    clock.advance(1);
    expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
    // Never more than a minute's allowance in store, however long the client was away.
    clock.advance(3_600_000);
    for (let i = 0; i < 120; i++) expect(buckets.take('a')).toBe(0);
    expect(buckets.take('a')).toBe(1);
  });

  it('rounds a long wait up to whole seconds', () => {
    const buckets = new TokenBuckets(1, new ControlledClock('2026-11-01T00:00:00Z'));
    expect(buckets.take('x')).toBe(0);
    expect(buckets.take('x')).toBe(60);
    expect(rateLimitedMessage(60)).toBe('Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau 60 giây.');
  });

  it('stays bounded in memory: idle buckets are forgotten when too many clients come', () => {
    const clock = new ControlledClock('2026-11-01T00:00:00Z');
    const buckets = new TokenBuckets(10, clock);
    for (let i = 0; i < 100_000; i++) buckets.take(`old-${i}`);
    clock.advance(60_000);
    buckets.take('new');
    expect(buckets.size).toBe(1);
  });
});
