import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { writeTransaction } from '../database/write-transaction';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { Role } from '../organization/roles';
import { Clock } from '../shared/clock';
import { OutgoingMailEntity } from './mail-outbox.entity';
import { NotificationEntity } from './notification.entity';

/** Who is told: people by id, and/or whoever holds one of `roles` in a unit (resolved now, from role assignments). */
export interface NotificationRecipients {
  personIds?: number[];
  unitRoles?: { unitId: number; roles: Role[] }[];
}

export interface NotificationRequest {
  recipients: NotificationRecipients;
  /** What happened, dotted lower case: `deadline.reminder`, `deadline.escalation`, `report.returned`, … */
  kind: string;
  /** One line, Vietnamese; also the e-mail's subject. */
  title: string;
  /** Plain text, Vietnamese; also the e-mail's body. */
  body: string;
  /** Where in the application to act on it (`/reports/12`). */
  link?: string;
  cycleId?: number;
  unitId?: number;
  /**
   * Names the event, not the attempt: the same key for the same event, however often it is raised
   * (`deadline.reminder:report:12:2026-11-09`). A person is notified at most once per key.
   */
  dedupeKey: string;
}

/** A malformed notification request: a bug in the caller, nothing was written. */
export class NotificationRequestError extends Error {
  constructor(message: string) {
    super(`Notification refused: ${message}`);
    this.name = 'NotificationRequestError';
  }
}

const KIND = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)*$/;
const CHUNK = 200;

/**
 * Tells people that something happened: one in-app notification per person, and one e-mail in the
 * outbox per person who has an address, all written in the caller's transaction when it passes its
 * EntityManager (so they exist exactly when the caller's change does); the outbox dispatcher sends
 * the e-mails after commit. Unique (dedupe_key, person_id) in both tables makes a retried call with
 * the same key notify nobody twice, even when two calls race.
 */
@Injectable()
export class Notifier {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Returns how many people were newly notified by this call (0 for a repeated key). */
  async notify(request: NotificationRequest, manager?: EntityManager): Promise<number> {
    checkRequest(request);
    if (manager) return this.write(request, manager);
    return writeTransaction(this.dataSource, (m) => this.write(request, m));
  }

  private async write(request: NotificationRequest, manager: EntityManager): Promise<number> {
    const people = await this.resolve(request.recipients, manager);
    if (people.length === 0) return 0;
    const already = new Set<number>();
    for (const ids of chunks(people.map((p) => p.id))) {
      for (const row of await manager.find(NotificationEntity, { where: { dedupeKey: request.dedupeKey, personId: In(ids) }, select: ['personId'] })) already.add(row.personId);
    }
    const fresh = people.filter((p) => !already.has(p.id));
    if (fresh.length === 0) return 0;

    const now = this.clock.now();
    for (const group of chunks(fresh)) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(NotificationEntity)
        .values(
          group.map((p) => ({
            personId: p.id,
            kind: request.kind,
            title: request.title,
            body: request.body,
            link: request.link ?? null,
            cycleId: request.cycleId ?? null,
            unitId: request.unitId ?? null,
            dedupeKey: request.dedupeKey,
            createdAt: now,
            readAt: null,
          })),
        )
        .orIgnore()
        // Rows ignored as duplicates have no generated id for TypeORM to read back (MariaDB).
        .updateEntity(false)
        .execute();
    }

    const withAddress = fresh.filter((p) => p.email !== null);
    const notificationIds = new Map<number, number>();
    for (const ids of chunks(withAddress.map((p) => p.id))) {
      for (const row of await manager.find(NotificationEntity, { where: { dedupeKey: request.dedupeKey, personId: In(ids) }, select: ['id', 'personId'] })) notificationIds.set(row.personId, row.id);
    }
    const text = mailText(request);
    for (const group of chunks(withAddress)) {
      await manager
        .createQueryBuilder()
        .insert()
        .into(OutgoingMailEntity)
        .values(
          group.map((p) => ({
            personId: p.id,
            notificationId: notificationIds.get(p.id) ?? null,
            dedupeKey: request.dedupeKey,
            toAddress: p.email!,
            subject: request.title,
            body: text,
            status: 'pending' as const,
            attempts: 0,
            nextAttemptAt: now,
            lastError: null,
            transport: null,
            messageId: null,
            createdAt: now,
            sentAt: null,
          })),
        )
        .orIgnore()
        // Rows ignored as duplicates have no generated id for TypeORM to read back (MariaDB).
        .updateEntity(false)
        .execute();
    }
    return fresh.length;
  }

  /** Active people named or holding one of the roles, each once. */
  private async resolve(recipients: NotificationRecipients, manager: EntityManager): Promise<{ id: number; email: string | null }[]> {
    const ids = new Set<number>(recipients.personIds ?? []);
    for (const { unitId, roles } of recipients.unitRoles ?? []) {
      if (roles.length === 0) continue;
      for (const a of await manager.find(RoleAssignmentEntity, { where: { unitId, role: In(roles) }, select: ['personId'] })) ids.add(a.personId);
    }
    const people: { id: number; email: string | null }[] = [];
    const found = new Set<number>();
    for (const group of chunks([...ids].sort((a, b) => a - b))) {
      for (const p of await manager.find(PersonEntity, { where: { id: In(group) }, select: ['id', 'email', 'active'] })) {
        found.add(p.id);
        if (p.active) people.push({ id: p.id, email: p.email?.trim() ? p.email.trim() : null });
      }
    }
    const unknown = (recipients.personIds ?? []).filter((id) => !found.has(id));
    if (unknown.length > 0) throw new NotificationRequestError(`no person with id ${unknown.join(', ')}`);
    return people.sort((a, b) => a.id - b.id);
  }
}

function checkRequest(r: NotificationRequest): void {
  const problems: string[] = [];
  if (typeof r.dedupeKey !== 'string' || r.dedupeKey.trim() === '' || r.dedupeKey.length > 190) problems.push('dedupeKey must be 1 to 190 characters');
  if (typeof r.kind !== 'string' || r.kind.length > 64 || !KIND.test(r.kind)) problems.push(`kind "${r.kind}" must be dotted lower case (deadline.reminder), at most 64 characters`);
  if (typeof r.title !== 'string' || r.title.trim() === '' || r.title.length > 300 || /[\r\n]/.test(r.title)) problems.push('title must be one line of 1 to 300 characters');
  if (typeof r.body !== 'string') problems.push('body must be text');
  if (r.link !== undefined && (typeof r.link !== 'string' || r.link.length > 500)) problems.push('link must be at most 500 characters');
  const { personIds = [], unitRoles = [] } = r.recipients ?? {};
  if (personIds.some((id) => !Number.isInteger(id) || id < 1)) problems.push('recipients.personIds must be person ids');
  if (unitRoles.some((u) => !Number.isInteger(u.unitId) || u.unitId < 1)) problems.push('recipients.unitRoles must name unit ids');
  if (personIds.length === 0 && unitRoles.every((u) => u.roles.length === 0)) problems.push('recipients name nobody');
  if (problems.length > 0) throw new NotificationRequestError(problems.join('; '));
}

/** The e-mail's text: the notification, where to act on it, and that nobody reads replies. */
function mailText(r: NotificationRequest): string {
  const lines = [r.body.trim()];
  if (r.link) lines.push('', `Xem và xử lý: ${r.link}`);
  lines.push('', '—', 'Thư gửi tự động từ hệ thống theo dõi báo cáo ISO (iso-cycle); xin không trả lời thư này.');
  return lines.join('\n');
}

/** A stable Message-ID for an outbox row: the same on every attempt. */
export function outboxMessageId(row: { id: number; dedupeKey: string }, from: string): string {
  const domain = /@([^\s<>@]+)>?\s*$/.exec(from)?.[1] ?? 'iso-cycle.invalid';
  const digest = createHash('sha256').update(row.dedupeKey).digest('hex').slice(0, 12);
  return `<outbox-${row.id}.${digest}@${domain}>`;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
