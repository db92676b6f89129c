import { applyDecorators, SetMetadata, Type } from '@nestjs/common';
import { ApiCookieAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { Role } from '../organization/roles';

/**
 * Which units a role held by the person reaches:
 * - `own-unit`: the unit where the person holds the role;
 * - `consolidated-units`: that unit and every unit reporting to it, recursively; a role held at
 *   the standing agency reaches every unit of its data set;
 * - `data-set`: every unit of the data set of the unit where the role is held (administrators);
 * - `any-unit`: the role held anywhere suffices; the route concerns no particular unit.
 */
export type UnitScope = 'own-unit' | 'consolidated-units' | 'data-set' | 'any-unit';

/** Where the route's target unit comes from. */
export type UnitLocator =
  | { from: 'param' | 'query' | 'body'; name: string }
  | { from: 'resolver'; resolver: Type<UnitResolver> };

/**
 * Finds the units a request acts on from the resource it names (a report's unit, a person's units).
 * Runs before validation: it must check what it reads, and throw NotFoundError for a missing resource.
 */
export abstract class UnitResolver {
  abstract unitsOf(request: Request): Promise<number[]>;
}

export const unitFrom = {
  param: (name: string): UnitLocator => ({ from: 'param', name }),
  query: (name: string): UnitLocator => ({ from: 'query', name }),
  body: (name: string): UnitLocator => ({ from: 'body', name }),
  resolver: (resolver: Type<UnitResolver>): UnitLocator => ({ from: 'resolver', resolver }),
};

/** Access by role, in a scope of units. */
export interface RoleRule {
  roles: readonly Role[];
  scope: UnitScope;
}

export interface RolePolicy extends RoleRule {
  /** Required unless scope is `any-unit`. */
  unit?: UnitLocator;
}

/**
 * - `'public'`: anyone, no session (login, health). Unsafe methods must send JSON (no cross-site forms).
 * - `'sign-in-form'`: anyone, through the login page's own HTML form: unsafe requests carry the form
 *   token the page set as a cookie and as a field (double submit), so a cross-site form cannot post.
 * - `'signed-in'`: any signed-in person, acting on themselves only (their session, their password).
 * - a RolePolicy: one of `roles` in a unit of the scope that contains the target unit.
 */
export type RoutePolicy = 'public' | 'sign-in-form' | 'signed-in' | RolePolicy;

export const POLICY_KEY = 'iso-cycle:policy';

/**
 * Every route declares who may call it. A route without a policy is refused by the access guard
 * (there is no default allow), and the route inventory test fails on it.
 *
 * @example
 *   @Policy({ roles: [Role.Staff, Role.Head], scope: 'own-unit', unit: unitFrom.param('unitId') })
 *   @Policy({ roles: [Role.Consolidator], scope: 'consolidated-units', unit: unitFrom.resolver(ReportUnitResolver) })
 *   @Policy('signed-in')
 *   @Policy('public')
 */
export function Policy(policy: RoutePolicy): MethodDecorator & ClassDecorator {
  if (typeof policy === 'object') {
    if (policy.roles.length === 0) throw new Error('@Policy: name at least one role');
    if (policy.scope !== 'any-unit' && !policy.unit) throw new Error(`@Policy: scope "${policy.scope}" needs a unit locator (unitFrom.param/query/body/resolver)`);
  }
  const docs =
    policy === 'public' || policy === 'sign-in-form'
      ? []
      : [ApiCookieAuth('session'), ApiUnauthorizedResponse({ description: 'No valid session.' }), ...(policy === 'signed-in' ? [] : [ApiForbiddenResponse({ description: `Needs ${describePolicy(policy)}.` })])];
  return applyDecorators(SetMetadata(POLICY_KEY, policy), ...docs);
}

/** "staff or head in the unit (own-unit)": for documentation and logs. */
export function describePolicy(policy: RoutePolicy): string {
  if (typeof policy === 'string') return policy;
  return `${policy.roles.join(' or ')} (${policy.scope})`;
}
