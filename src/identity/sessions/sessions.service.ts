import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, LessThan, Not } from 'typeorm';
import { Actor, RoleHolding, SessionContext } from '../../access/actor';
import { AppConfig } from '../../config/app-config';
import { PersonEntity } from '../../organization/person.entity';
import { RoleAssignmentEntity } from '../../organization/role-assignment.entity';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { SessionEntity } from './session.entity';

/** last_seen_at is written at most this often, so that reading pages does not mean a write per request. */
const TOUCH_INTERVAL_MS = 60_000;

export interface OpenedSession {
  /** Goes into the cookie; never stored. */
  secret: string;
  session: SessionEntity;
  csrfToken: string;
}

/**
 * Server-side sessions. The secret is 256 random bits; the table keeps only its SHA-256, so a copy
 * of the database opens no session. A session ends at logout, at its absolute expiry, or after
 * the idle timeout.
 */
@Injectable()
export class Sessions {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  static idOf(secret: string): string {
    return createHash('sha256').update(secret).digest('hex');
  }

  /** The CSRF token of a session: derived from its secret, so it needs no storage and dies with the session. */
  static csrfTokenOf(secret: string): string {
    return createHash('sha256').update(`iso-cycle csrf\0${secret}`).digest('base64url');
  }

  async open(manager: EntityManager, personId: number, client: { address: string | null; userAgent: string | null }): Promise<OpenedSession> {
    const secret = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session: SessionEntity = {
      id: Sessions.idOf(secret),
      personId,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.security.sessionMaxAgeMinutes * 60_000),
      clientAddress: client.address?.slice(0, 64) ?? null,
      userAgent: client.userAgent?.slice(0, 255) ?? null,
    };
    await manager.insert(SessionEntity, session);
    return { secret, session, csrfToken: Sessions.csrfTokenOf(secret) };
  }

  /** The person and session behind a cookie secret, or null when it names no live session. */
  async resolve(secret: string): Promise<{ actor: Actor; session: SessionContext } | null> {
    const id = Sessions.idOf(secret);
    const session = await this.dataSource.getRepository(SessionEntity).findOneBy({ id });
    if (!session) return null;
    const now = this.clock.now().getTime();
    if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + this.config.security.sessionIdleMinutes * 60_000 <= now) return null;
    const actor = await this.actorOf(session.personId);
    if (!actor) return null;
    if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.dataSource.getRepository(SessionEntity).update({ id }, { lastSeenAt: new Date(now) });
    }
    return { actor, session: { id, csrfToken: Sessions.csrfTokenOf(secret) } };
  }

  /** An active person with their roles, or null. */
  async actorOf(personId: number): Promise<Actor | null> {
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ id: personId });
    if (!person || !person.active) return null;
    const rows: { role: Role; unitId: number; dataSetId: string; isStandingAgency: unknown }[] = await this.dataSource
      .getRepository(RoleAssignmentEntity)
      .createQueryBuilder('ra')
      .innerJoin(UnitEntity, 'u', 'u.id = ra.unit_id')
      .select(['ra.role AS role', 'ra.unit_id AS unitId', 'u.data_set_id AS dataSetId', 'u.is_standing_agency AS isStandingAgency'])
      .where('ra.person_id = :personId', { personId })
      .orderBy('ra.id')
      .getRawMany();
    const holdings: RoleHolding[] = rows.map((r) => ({ role: r.role, unitId: Number(r.unitId), dataSetId: r.dataSetId, unitIsStandingAgency: Boolean(Number(r.isStandingAgency)) }));
    return { personId: person.id, login: person.login, fullName: person.fullName, holdings };
  }

  async close(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(SessionEntity, { id });
  }

  /** Ends every session of a person (password changed or reset), but `exceptId`. */
  async closeAllOf(manager: EntityManager, personId: number, exceptId?: string): Promise<number> {
    const result = await manager.delete(SessionEntity, exceptId ? { personId, id: Not(exceptId) } : { personId });
    return result.affected ?? 0;
  }

  /** Removes sessions past their absolute expiry (housekeeping; an expired session is refused anyway). */
  async purgeExpired(manager: EntityManager): Promise<void> {
    await manager.delete(SessionEntity, { expiresAt: LessThan(this.clock.now()) });
  }
}
