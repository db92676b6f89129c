import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Role } from '../organization/roles';
import { UnauthenticatedError } from '../shared/errors';

/** One role a person holds in one unit, with what the access rules need to know of the unit. */
export interface RoleHolding {
  role: Role;
  unitId: number;
  dataSetId: string;
  /** The unit is its data set's standing agency (Sở KH&CN), which consolidates every unit of it. */
  unitIsStandingAgency: boolean;
}

/** The signed-in person a request runs as. */
export interface Actor {
  personId: number;
  login: string;
  fullName: string;
  holdings: RoleHolding[];
}

/** The session a request came with: its stored id (the secret's digest) and the CSRF token bound to it. */
export interface SessionContext {
  id: string;
  csrfToken: string;
}

/** What the access guard attaches to a request. */
export interface AccessContext {
  actor?: Actor;
  session?: SessionContext;
}

export function accessContextOf(request: Request): AccessContext {
  return request as unknown as AccessContext;
}

/** The signed-in person (routes whose policy requires a session). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = accessContextOf(context.switchToHttp().getRequest<Request>()).actor;
  if (!actor) throw new UnauthenticatedError();
  return actor;
});

/** The current session (routes whose policy requires a session). */
export const CurrentSession = createParamDecorator((_data: unknown, context: ExecutionContext): SessionContext => {
  const session = accessContextOf(context.switchToHttp().getRequest<Request>()).session;
  if (!session) throw new UnauthenticatedError();
  return session;
});
