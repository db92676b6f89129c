import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Actor, accessContextOf } from '../access/actor';
import { Role } from '../organization/roles';
import { NavLink, PageShell } from './views/page-renderer';
import { ROLE_LABELS } from './views/view-formats';

/** The site's navigation: each entry with the roles that see it (none: everyone signed in). */
const NAVIGATION: { href: string; label: string; roles?: Role[] }[] = [
  { href: '/inbox', label: 'Việc cần làm' },
  { href: '/documents', label: 'Báo cáo và văn bản' },
  { href: '/progress', label: 'Tiến độ tổng hợp', roles: [Role.Consolidator] },
  { href: '/signatures', label: 'Ký số', roles: [Role.Head, Role.Deputy] },
  { href: '/admin', label: 'Quản trị', roles: [Role.Administrator] },
];

/** Outcomes of an action a page redirects with (`?done=<code>`): said once on the next page. */
export type DoneMessages = Record<string, string>;

/**
 * The layout's model for a signed-in person's page: header, navigation by role, the session's CSRF
 * token for every form, and the message of the action that led here (`?done=`, after a redirect).
 */
@Injectable()
export class PageShells {
  forActor(request: Request, actor: Actor, title: string, options: { done?: DoneMessages; script?: string; errors?: string[] } = {}): PageShell {
    const held = new Set(actor.holdings.map((h) => h.role));
    const nav: NavLink[] = NAVIGATION.filter((n) => !n.roles || n.roles.some((r) => held.has(r))).map((n) => ({ ...n, current: request.path === n.href }));
    const roles = [...new Set(actor.holdings.map((h) => ROLE_LABELS[h.role] ?? h.role))].join(', ');
    const done = typeof request.query.done === 'string' ? options.done?.[request.query.done] : undefined;
    return {
      title,
      person: { fullName: actor.fullName, roles, nav },
      csrfToken: accessContextOf(request).session?.csrfToken,
      script: options.script,
      messages: [...(done ? [{ kind: 'ok' as const, text: done }] : []), ...(options.errors ?? []).map((text) => ({ kind: 'error' as const, text }))],
    };
  }
}

/** A path of this site to go back to after signing in: never an open redirect. */
export function safeNextPath(next: unknown, fallback = '/inbox'): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : fallback;
}
