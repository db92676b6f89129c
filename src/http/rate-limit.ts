import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { RateLimitConfig } from '../config/app-config';
import { SESSION_COOKIE } from '../identity/sessions/session-cookie';
import { Clock } from '../shared/clock';

/** Paths never limited: the load balancer's health probe. */
const UNLIMITED_PATHS = new Set(['/health']);

/** Buckets kept at most; above this, full (idle) buckets are forgotten first. */
const MAX_BUCKETS = 100_000;

interface Bucket {
  tokens: number;
  /** Epoch ms of the last refill. */
  at: number;
}

/**
 * Token buckets, one per key: each holds up to `perMinute` requests and refills at `perMinute` a
 * minute, so a client may burst up to a minute's allowance and then goes at the steady rate.
 * In memory: the limits are per process (several processes behind a load balancer multiply them,
 * docs/security.md), and a restart forgets them (login throttling, which must
 * survive restarts, is in the database).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly perMinute: number,
    private readonly clock: Clock,
  ) {}

  /** Takes one token; returns 0 when granted, or the whole seconds to wait before the next one. */
  take(key: string): number {
    const now = this.clock.now().getTime();
    const ratePerMs = this.perMinute / 60_000;
    let bucket = this.buckets.get(key);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_BUCKETS) this.forgetIdle(now);
      bucket = { tokens: this.perMinute, at: now };
      this.buckets.set(key, bucket);
    } else {
      bucket.tokens = Math.min(this.perMinute, bucket.tokens + Math.max(0, now - bucket.at) * ratePerMs);
      bucket.at = now;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - bucket.tokens) / ratePerMs / 1000));
  }

  get size(): number {
    return this.buckets.size;
  }

  private forgetIdle(now: number): void {
    const fullAfterMs = 60_000;
    for (const [key, bucket] of this.buckets) if (now - bucket.at >= fullAfterMs) this.buckets.delete(key);
    // Still full of busy clients: forget the oldest half rather than grow without bound.
    if (this.buckets.size >= MAX_BUCKETS) {
      let n = 0;
      for (const key of this.buckets.keys()) if (n++ < MAX_BUCKETS / 2) this.buckets.delete(key);
    }
  }
}

/** The Vietnamese message of a 429, with the wait. */
export function rateLimitedMessage(retryAfterSeconds: number): string {
  return `Quá nhiều yêu cầu trong thời gian ngắn. Vui lòng thử lại sau ${retryAfterSeconds} giây.`;
}

/**
 * Express middleware limiting every request (but /health) per session and per client address
 * (`request.ip`, which honours TRUST_PROXY). A request with a session cookie counts against both its
 * session's bucket and its address's; one without, against its address's only — so inventing
 * cookies does not escape the address limit. A limit of 0 is off. Over a limit: 429
 * `rate-limited`, a Vietnamese message and `Retry-After`, before the body is read.
 */
export function createRateLimiter(config: RateLimitConfig, clock: Clock) {
  const bySession = config.perSessionPerMinute > 0 ? new TokenBuckets(config.perSessionPerMinute, clock) : null;
  const byAddress = config.perAddressPerMinute > 0 ? new TokenBuckets(config.perAddressPerMinute, clock) : null;
  return function rateLimit(request: Request, response: Response, next: NextFunction): void {
    if (UNLIMITED_PATHS.has(request.path)) return next();
    let wait = byAddress?.take(`ip:${request.ip ?? request.socket.remoteAddress ?? ''}`) ?? 0;
    const session = bySession && sessionCookieOf(request);
    if (session && wait === 0) wait = bySession.take(createHash('sha256').update(session).digest('base64url'));
    if (wait === 0) return next();
    response.setHeader('Retry-After', String(wait));
    response.status(429).json({ error: { code: 'rate-limited', message: rateLimitedMessage(wait) } });
  };
}

/** The session cookie's value, read from the header (this runs before the cookie parser). */
function sessionCookieOf(request: Request): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === SESSION_COOKIE) return part.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}
