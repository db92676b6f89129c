import type { CookieOptions, Request, Response } from 'express';
import { CookieSecureMode } from '../../config/app-config';

/** The cookie that carries the session secret. httpOnly: page scripts never see it. */
export const SESSION_COOKIE = 'iso_cycle_session';

export function readSessionSecret(request: Request): string | undefined {
  const value = (request.cookies as Record<string, unknown> | undefined)?.[SESSION_COOKIE];
  return typeof value === 'string' && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
}

function options(request: Request, mode: CookieSecureMode): CookieOptions {
  // SameSite=Lax: sent on top-level navigation (links from mail), never on cross-site POSTs or fetches.
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: mode === 'always' || (mode === 'auto' && request.secure) };
}

export function writeSessionCookie(request: Request, response: Response, secret: string, expiresAt: Date, mode: CookieSecureMode): void {
  response.cookie(SESSION_COOKIE, secret, { ...options(request, mode), expires: expiresAt });
}

export function clearSessionCookie(request: Request, response: Response, mode: CookieSecureMode): void {
  response.clearCookie(SESSION_COOKIE, options(request, mode));
}
