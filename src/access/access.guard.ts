import { timingSafeEqual } from 'node:crypto';
import { CanActivate, ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { ModuleRef, Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { readSessionSecret } from '../identity/sessions/session-cookie';
import { Sessions } from '../identity/sessions/sessions.service';
import { parseId } from '../http/ids';
import { ForbiddenError, UnauthenticatedError, UnsupportedMediaTypeError } from '../shared/errors';
import { accessContextOf } from './actor';
import { AccessPolicy } from './access-policy.service';
import { describePolicy, POLICY_KEY, RolePolicy, RoutePolicy, UnitLocator, UnitResolver } from './policy';

/** The header (JSON API) or form field (HTML forms) that carries the session's CSRF token. */
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

/** The login page's form token (double submit): a cookie only this site's pages can set, and the same value in the form. */
export const SIGN_IN_FORM_COOKIE = 'iso_cycle_form';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The global guard: every request passes here. A route without @Policy is refused (no default
 * allow). Otherwise it resolves the session into the acting person, checks the CSRF token of every
 * unsafe request made with a session, and applies the route's policy.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  private readonly logger = new Logger(AccessGuard.name);

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: Sessions,
    private readonly access: AccessPolicy,
    private readonly moduleRef: ModuleRef,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') throw new ForbiddenError('Only HTTP routes are served.', 'no-policy');
    const request = context.switchToHttp().getRequest<Request>();
    const policy = this.reflector.getAllAndOverride<RoutePolicy | undefined>(POLICY_KEY, [context.getHandler(), context.getClass()]);
    if (policy === undefined) {
      this.logger.error(`${context.getClass().name}.${context.getHandler().name} declares no @Policy: refused`);
      throw new ForbiddenError('This route declares no access policy.', 'no-policy');
    }

    const secret = readSessionSecret(request);
    const resolved = secret ? await this.sessions.resolve(secret) : null;
    const state = accessContextOf(request);
    state.actor = resolved?.actor;
    state.session = resolved?.session;
    const unsafe = !SAFE_METHODS.has(request.method);

    if (policy === 'sign-in-form') {
      // TEST SWITCH: SIGN_IN_FORM_TOKEN_OFF=1 lets a form without the token through, so a test shows the check is what refuses.
      if (unsafe && process.env.SIGN_IN_FORM_TOKEN_OFF !== '1') checkSignInFormToken(request);
      return true;
    }
    if (policy === 'public') {
      // No session to protect here; a cross-site HTML form cannot send JSON without a CORS preflight.
      if (unsafe && !request.is('application/json')) throw new UnsupportedMediaTypeError('Send the request body as application/json.');
      return true;
    }
    if (!resolved) throw new UnauthenticatedError();
    if (unsafe) this.checkCsrf(request, resolved.session.csrfToken);
    if (policy === 'signed-in') return true;

    if (!resolved.actor.holdings.some((h) => policy.roles.includes(h.role))) throw new ForbiddenError();
    const units = policy.scope === 'any-unit' ? [] : await this.locate(policy, request);
    const decision = await this.access.decide(resolved.actor, policy, units);
    if (!decision.allowed) {
      this.logger.warn(`refused ${request.method} ${request.path}: ${decision.reason} (policy: ${describePolicy(policy)})`);
      throw new ForbiddenError();
    }
    return true;
  }

  /** Synchronizer token: the header (API) or the `_csrf` form field (HTML forms), compared in constant time. */
  private checkCsrf(request: Request, expected: string): void {
    const body = request.body as Record<string, unknown> | undefined;
    const given = request.get(CSRF_HEADER) ?? (body && typeof body === 'object' && typeof body[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : undefined) ?? multipartFormToken(request);
    if (body && typeof body === 'object' && CSRF_FIELD in body) delete body[CSRF_FIELD];
    const a = Buffer.from(given ?? '');
    const b = Buffer.from(expected);
    if (a.length !== b.length || !timingSafeEqual(a, b)) throw new ForbiddenError('The CSRF token is missing or wrong; reload the page and try again.', 'csrf-token-invalid');
  }

  private async locate(policy: RolePolicy, request: Request): Promise<number[]> {
    const locator = policy.unit as UnitLocator;
    switch (locator.from) {
      case 'param':
        return [parseId(request.params[locator.name], locator.name)];
      case 'query':
        return [parseId(request.query[locator.name], locator.name)];
      case 'body': {
        const body = request.body as Record<string, unknown> | undefined;
        return [parseId(body && typeof body === 'object' ? body[locator.name] : undefined, locator.name)];
      }
      case 'resolver':
        return this.moduleRef.get<UnitResolver>(locator.resolver, { strict: false }).unitsOf(request);
    }
  }
}

/**
 * Before anyone signs in there is no session to bind a CSRF token to: the login page sets a random
 * token as a SameSite=Strict cookie and writes it into its form; a cross-site page can neither read
 * the cookie nor make the browser send it, so it cannot sign a victim into another account.
 */
function checkSignInFormToken(request: Request): void {
  const body = request.body as Record<string, unknown> | undefined;
  const given = body && typeof body === 'object' && typeof body[CSRF_FIELD] === 'string' ? (body[CSRF_FIELD] as string) : '';
  if (body && typeof body === 'object' && CSRF_FIELD in body) delete body[CSRF_FIELD];
  const cookie = (request.cookies as Record<string, unknown> | undefined)?.[SIGN_IN_FORM_COOKIE];
  const expected = typeof cookie === 'string' ? cookie : '';
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  if (b.length < 32 || a.length !== b.length || !timingSafeEqual(a, b)) throw new ForbiddenError('The sign-in form token is missing or wrong; reload the login page and try again.', 'csrf-token-invalid');
}

/**
 * A multipart HTML form (a file upload without JavaScript) is parsed after this guard runs, so its
 * `_csrf` field cannot be read here: such a form carries the token in its action's query instead.
 * Only for multipart bodies; Helmet's `Referrer-Policy: no-referrer` keeps the URL from leaking
 * to other sites.
 */
function multipartFormToken(request: Request): string | undefined {
  const token = request.query[CSRF_FIELD];
  return request.is('multipart/form-data') && typeof token === 'string' ? token : undefined;
}
