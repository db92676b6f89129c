import { Body, Controller, Get, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, CurrentActor, CurrentSession, SessionContext } from '../../access/actor';
import { Policy } from '../../access/policy';
import { AuthService } from '../../identity/auth.service';
import { ValidationFailedError } from '../../shared/errors';
import { formText } from '../form-body';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';
import { ROLE_LABELS } from '../views/view-formats';

const MIN_LENGTH = 12;
/** The service's field codes for a password change, said in Vietnamese. */
const PASSWORD_PROBLEMS: Record<string, string> = {
  incorrect: 'Mật khẩu hiện tại không đúng.',
  unchanged: 'Mật khẩu mới phải khác mật khẩu hiện tại.',
};
type PasswordField = 'currentPassword' | 'newPassword' | 'repeatPassword';

/** The signed-in person's roles, and changing their own password (`/account`). */
@ApiExcludeController()
@Controller('account')
@UseFilters(PageErrorFilter)
export class AccountPage {
  constructor(
    private readonly auth: AuthService,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
  ) {}

  @Get()
  @Policy('signed-in')
  async account(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.show(actor, request, response);
  }

  @Post('password')
  @Policy('signed-in')
  async changePassword(@CurrentActor() actor: Actor, @CurrentSession() session: SessionContext, @Body() body: unknown, @Req() request: Request, @Res() response: Response): Promise<void> {
    const currentPassword = formText(body, 'currentPassword', { trim: false });
    const newPassword = formText(body, 'newPassword', { trim: false });
    if (!currentPassword) return this.show(actor, request, response, { field: 'currentPassword', message: 'Hãy nhập mật khẩu hiện tại.' });
    if (newPassword.length < MIN_LENGTH) return this.show(actor, request, response, { field: 'newPassword', message: `Mật khẩu mới phải có ít nhất ${MIN_LENGTH} ký tự.` });
    if (newPassword !== formText(body, 'repeatPassword', { trim: false })) return this.show(actor, request, response, { field: 'repeatPassword', message: 'Hai lần nhập mật khẩu mới không khớp nhau.' });
    try {
      await this.auth.changePassword(actor, session.id, currentPassword, newPassword, { address: request.ip ?? null, userAgent: request.get('user-agent') ?? null });
    } catch (error) {
      const problem = error instanceof ValidationFailedError ? error.fields.find((f) => f.path === 'currentPassword' || f.path === 'newPassword') : undefined;
      if (!problem) throw error;
      return this.show(actor, request, response, { field: problem.path as PasswordField, message: PASSWORD_PROBLEMS[problem.code] ?? `Mật khẩu mới phải có ít nhất ${MIN_LENGTH} ký tự.` });
    }
    response.redirect(303, '/account?done=password-changed');
  }

  private async show(actor: Actor, request: Request, response: Response, problem?: { field: PasswordField; message: string }): Promise<void> {
    const view = await this.auth.viewOf(actor.personId);
    const field = (name: PasswordField, label: string, autocomplete: string, hint?: string) => ({
      name,
      label,
      autocomplete,
      hint,
      error: problem?.field === name ? problem.message : undefined,
      describedBy: [hint ? `${name}-hint` : '', `${name}-error`].filter(Boolean).join(' '),
    });
    this.pages.send(
      response,
      'account',
      this.shells.forActor(request, actor, 'Tài khoản', { done: { 'password-changed': 'Đã đổi mật khẩu.' }, errors: problem ? [problem.message] : [] }),
      {
        roles: view.roles.map((r) => `${ROLE_LABELS[r.role] ?? r.role} – ${r.unitName}`),
        fields: [
          field('currentPassword', 'Mật khẩu hiện tại', 'current-password'),
          field('newPassword', 'Mật khẩu mới', 'new-password', `Ít nhất ${MIN_LENGTH} ký tự. Đổi mật khẩu sẽ đăng xuất các phiên khác của bạn.`),
          field('repeatPassword', 'Nhập lại mật khẩu mới', 'new-password'),
        ],
      },
      problem ? 422 : 200,
    );
  }
}
