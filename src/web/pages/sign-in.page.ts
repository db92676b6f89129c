import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Post, Query, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, CurrentActor, CurrentSession, SessionContext } from '../../access/actor';
import { SIGN_IN_FORM_COOKIE } from '../../access/access.guard';
import { Policy } from '../../access/policy';
import { AppConfig } from '../../config/app-config';
import { AuthService } from '../../identity/auth.service';
import { clearSessionCookie, readSessionSecret, writeSessionCookie } from '../../identity/sessions/session-cookie';
import { Sessions } from '../../identity/sessions/sessions.service';
import { TooManyAttemptsError, UnauthenticatedError } from '../../shared/errors';
import { formText } from '../form-body';
import { PageErrorFilter } from '../page-error.filter';
import { safeNextPath } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';

/** Signing in and out through HTML forms: works without JavaScript. */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class SignInPage {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @Policy('public')
  home(@Res() response: Response): void {
    response.redirect(303, '/inbox');
  }

  @Get('login')
  @Policy('public')
  form(@Query('next') next: unknown, @Req() request: Request, @Res() response: Response): void {
    this.show(request, response, { next: safeNextPath(next), loggedOut: request.query.done === 'logged-out' });
  }

  @Post('login')
  @Policy('sign-in-form')
  async signIn(@Body() body: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const login = formText(body, 'login');
    const password = formText(body, 'password', { trim: false });
    const next = safeNextPath(formText(body, 'next'));
    if (!login || !password) return this.show(request, response, { next, login, error: 'Hãy nhập tên đăng nhập và mật khẩu.', invalid: login ? 'password' : 'login' }, 422);
    try {
      const previous = readSessionSecret(request);
      const opened = await this.auth.login(login, password, { address: request.ip ?? null, userAgent: request.get('user-agent') ?? null }, previous ? Sessions.idOf(previous) : null);
      writeSessionCookie(request, response, opened.secret, opened.session.expiresAt, this.config.security.cookieSecure);
      response.redirect(303, next);
    } catch (error) {
      if (error instanceof UnauthenticatedError) return this.show(request, response, { next, login, error: 'Tên đăng nhập hoặc mật khẩu không đúng.', invalid: 'password' }, 401);
      if (error instanceof TooManyAttemptsError) {
        response.setHeader('Retry-After', String(error.retryAfterSeconds));
        return this.show(request, response, { next, login, error: 'Đăng nhập sai quá nhiều lần: hãy thử lại sau ít phút.' }, 429);
      }
      throw error;
    }
  }

  @Post('logout')
  @Policy('signed-in')
  async signOut(@CurrentActor() actor: Actor, @CurrentSession() session: SessionContext, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.auth.logout(actor, session.id);
    clearSessionCookie(request, response, this.config.security.cookieSecure);
    response.redirect(303, '/login?done=logged-out');
  }

  /** The login form with a fresh form token (cookie and field: see SIGN_IN_FORM_COOKIE). */
  private show(request: Request, response: Response, model: { next: string; login?: string; error?: string; invalid?: 'login' | 'password'; loggedOut?: boolean }, status = 200): void {
    const token = randomBytes(32).toString('base64url');
    const secure = this.config.security.cookieSecure === 'always' || (this.config.security.cookieSecure === 'auto' && request.secure);
    response.cookie(SIGN_IN_FORM_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/login', secure, maxAge: 2 * 60 * 60 * 1000 });
    const messages = model.error ? [{ kind: 'error' as const, text: model.error }] : model.loggedOut ? [{ kind: 'ok' as const, text: 'Bạn đã đăng xuất.' }] : [];
    this.pages.send(response, 'login', { title: 'Đăng nhập', bodyClass: 'login', messages }, { ...model, formToken: token }, status);
  }
}
