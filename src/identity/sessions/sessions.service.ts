import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, LessThan, Not } from 'typeorm';
import { Actor, RoleHolding, SessionContext } from '../../access/actor';
import { AppConfig } from '../../config/app-config';
import { WriteGeneration } from '../../database/write-generation';
import { PersonEntity } from '../../organization/person.entity';
import { RoleAssignmentEntity } from '../../organization/role-assignment.entity';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { SessionEntity } from './session.entity';

/** last_seen_at is written at most this often, so that reading pages does not mean a write per request. */
const TOUCH_INTERVAL_MS = 60_000;
/** What a session's person and roles are read from: a write to any of them ends every kept resolution. */
const SESSION_TABLES = ['sessions', 'people', 'role_assignments', 'units'];
/**
 * A kept resolution is read again after this long even with no write seen: a change made outside
 * this process (a command run beside the server) takes effect within it.
 */
const KEPT_FOR_MS = 5_000;
/** At most this many sessions' resolutions kept (each a person's few roles). */
const KEPT_SESSIONS = 10_000;

interface KeptResolution {
  generation: number;
  at: number;
  value: Promise<{ session: SessionEntity; actor: Actor } | null>;
}

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
  /**
   * Every request resolves its cookie (the session, the person, their roles: three queries, ~12% of a
   * page's server time under load), so the resolution is kept per session until a write to what it is
   * read from (WriteGeneration), or KEPT_FOR_MS: a logout, a password change, a person deactivated or
   * a role taken away is in force at the next request. The expiry checks run on every request. Only
   * with the embedded engine, where this process sees every write (as ProgressCache).
   */
  private readonly generation: WriteGeneration | null;
  private readonly kept = new Map<string, KeptResolution>();

  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {
    this.generation = config.workflowEngine === 'embedded' ? new WriteGeneration(dataSource, SESSION_TABLES) : null;
  }

  /** Test switch: with false, writes no longer end kept resolutions (a test proves a refusal would then come late). */
  set keptResolutionsEnded(on: boolean) {
    if (this.generation) this.generation.moving = on;
  }

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
    const found = await this.sessionAndActor(id);
    if (!found) return null;
    const { session, actor } = found;
    const now = this.clock.now().getTime();
    if (session.expiresAt.getTime() <= now || session.lastSeenAt.getTime() + this.config.security.sessionIdleMinutes * 60_000 <= now) return null;
    if (now - session.lastSeenAt.getTime() >= TOUCH_INTERVAL_MS) {
      await this.dataSource.getRepository(SessionEntity).update({ id }, { lastSeenAt: new Date(now) });
    }
    return { actor, session: { id, csrfToken: Sessions.csrfTokenOf(secret) } };
  }

  /** The session row and its active person with their roles, kept as the class says; null for no such session or person. */
  private sessionAndActor(id: string): Promise<{ session: SessionEntity; actor: Actor } | null> {
    const read = async () => {
      const session = await this.dataSource.getRepository(SessionEntity).findOneBy({ id });
      const actor = session && (await this.actorOf(session.personId));
      return session && actor ? { session: Object.freeze(session), actor: Object.freeze({ ...actor, holdings: Object.freeze(actor.holdings.map((h) => Object.freeze(h))) }) as Actor } : null;
    };
    if (!this.generation) return read();
    const now = Date.now();
    const kept = this.kept.get(id);
    if (kept && kept.generation === this.generation.current && now - kept.at < KEPT_FOR_MS) return kept.value;
    const entry: KeptResolution = { generation: this.generation.current, at: now, value: read() };
    this.kept.delete(id);
    this.kept.set(id, entry);
    if (this.kept.size > KEPT_SESSIONS) this.kept.delete(this.kept.keys().next().value!);
    // Nothing is kept for a cookie that names no session (or a failed read): such cookies are not worth memory.
    const forget = () => this.kept.get(id) === entry && this.kept.delete(id);
    entry.value.then((value) => value ?? forget(), forget);
    return entry.value;
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
