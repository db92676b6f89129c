import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Actor, CurrentActor, CurrentSession, SessionContext } from '../access/actor';
import { Policy, unitFrom } from '../access/policy';
import { AppConfig } from '../config/app-config';
import { IdPipe } from '../http/ids';
import { Role } from '../organization/roles';
import { AuthService, ClientInfo } from './auth.service';
import { ChangePasswordDto, LoginDto, LoginView, MeView, ResetPasswordDto } from './dto/auth.dto';
import { PeopleSearchDto } from './dto/people-search.dto';
import { PeopleDirectory } from './people-directory';
import { PersonUnitsResolver } from './person-units.resolver';
import { clearSessionCookie, readSessionSecret, writeSessionCookie } from './sessions/session-cookie';
import { Sessions } from './sessions/sessions.service';

const clientOf = (request: Request): ClientInfo => ({ address: request.ip ?? null, userAgent: request.get('user-agent') ?? null });

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @Policy('public')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Sign in with login and password; sets the session cookie and returns the CSRF token' })
  @ApiOkResponse({ type: LoginView })
  async login(@Body() body: LoginDto, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<LoginView> {
    const previous = readSessionSecret(request);
    const { secret, session, csrfToken, person } = await this.auth.login(body.login, body.password, clientOf(request), previous ? Sessions.idOf(previous) : null);
    writeSessionCookie(request, response, secret, session.expiresAt, this.config.security.cookieSecure);
    return { ...person, csrfToken, sessionExpiresAt: session.expiresAt.toISOString() };
  }

  @Post('logout')
  @Policy('signed-in')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'End the current session' })
  @ApiNoContentResponse()
  async logout(@CurrentActor() actor: Actor, @CurrentSession() session: SessionContext, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<void> {
    await this.auth.logout(actor, session.id);
    clearSessionCookie(request, response, this.config.security.cookieSecure);
  }

  @Get('me')
  @Policy('signed-in')
  @ApiOperation({ summary: 'The signed-in person, their roles per unit, and the CSRF token of the session' })
  @ApiOkResponse({ type: MeView })
  async me(@CurrentActor() actor: Actor, @CurrentSession() session: SessionContext): Promise<MeView> {
    return { ...(await this.auth.viewOf(actor.personId)), csrfToken: session.csrfToken };
  }

  @Post('password')
  @Policy('signed-in')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Change your own password (closes your other sessions)' })
  @ApiNoContentResponse()
  async changePassword(@CurrentActor() actor: Actor, @CurrentSession() session: SessionContext, @Body() body: ChangePasswordDto, @Req() request: Request): Promise<void> {
    await this.auth.changePassword(actor, session.id, body.currentPassword, body.newPassword, clientOf(request));
  }
}

@ApiTags('admin')
@Controller('api/admin/people')
export class PeopleAdminController {
  constructor(
    private readonly auth: AuthService,
    private readonly directory: PeopleDirectory,
  ) {}

  @Get()
  @Policy({ roles: [Role.Administrator], scope: 'data-set', unit: unitFrom.query('unitId') })
  @ApiOperation({ summary: "Find people of a unit's data set by login or name (administrators of that data set); 50 at most" })
  search(@Query() query: PeopleSearchDto) {
    return this.directory.search(query.unitId, query.q);
  }

  @Post(':id/password-reset')
  @Policy({ roles: [Role.Administrator], scope: 'data-set', unit: unitFrom.resolver(PersonUnitsResolver) })
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Set a person's password (administrators of the person's data set); closes their sessions" })
  @ApiNoContentResponse()
  async resetPassword(@CurrentActor() actor: Actor, @Param('id', IdPipe) id: number, @Body() body: ResetPasswordDto): Promise<void> {
    await this.auth.resetPassword(actor, id, body.newPassword);
  }
}
