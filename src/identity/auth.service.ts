import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../access/actor';
import { AuditActor, AuditTrail } from '../audit/audit-trail.service';
import { writeTransaction } from '../database/write-transaction';
import { PersonEntity } from '../organization/person.entity';
import { UnitEntity } from '../organization/unit.entity';
import { ConflictError, NotFoundError, UnauthenticatedError, ValidationFailedError } from '../shared/errors';
import { ExternalIdentity } from './oidc/external-identity-provider';
import { PasswordHasher } from './passwords/password-hasher';
import { Sessions } from './sessions/sessions.service';
import { LoginThrottle } from './throttle/login-throttle.service';

export interface ClientInfo {
  address: string | null;
  userAgent: string | null;
}

export interface PersonView {
  id: number;
  login: string;
  fullName: string;
  roles: { role: string; unitId: number; unitCode: string; unitName: string; dataSetId: string }[];
}

const auditActorOf = (actor: { personId: number; login: string }): AuditActor => ({ personId: actor.personId, login: actor.login });

/** Login, logout and passwords. Every change of state is recorded in the audit trail in its own transaction. */
@Injectable()
export class AuthService {
  private readonly logger = new Logger(AuthService.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly hasher: PasswordHasher,
    private readonly sessions: Sessions,
    private readonly throttle: LoginThrottle,
    private readonly audit: AuditTrail,
  ) {}

  /**
   * Checks the credentials and opens a new session (rotated: see openSession). A wrong login and a
   * wrong password answer alike, and take as long.
   */
  async login(login: string, password: string, client: ClientInfo, previousSessionId: string | null) {
    await this.throttle.assertOpen(login, client.address);
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ login });
    const check = person?.active ? await this.hasher.verify(password, person.passwordHash) : (await this.hasher.verifyNothing(password), null);
    if (!person || !check?.valid) {
      await this.throttle.recordFailure(login, client.address);
      this.logger.warn(`failed login for "${login.slice(0, 120)}" from ${client.address ?? 'unknown address'}`);
      throw new UnauthenticatedError('Wrong login or password.', 'invalid-credentials');
    }
    const rehashed = check.needsRehash ? await this.hasher.hash(password) : null;
    const opened = await this.openSession(person, client, previousSessionId, { method: 'password' }, async (manager) => {
      if (!rehashed) return;
      await manager.update(PersonEntity, { id: person.id }, { passwordHash: rehashed });
      await this.audit.record(manager, {
        actor: auditActorOf({ personId: person.id, login: person.login }),
        action: 'person.password-rehashed',
        subject: { type: 'person', id: person.id },
        before: { passwordHash: person.passwordHash },
        after: { passwordHash: rehashed },
        detail: { scheme: 'argon2id' },
      });
    });
    await this.throttle.clear(login);
    return opened;
  }

  /** Opens a session for the person an outside identity provider vouched for (OpenID Connect). */
  async signInExternal(identity: ExternalIdentity, client: ClientInfo, previousSessionId: string | null) {
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ login: identity.login });
    if (!person?.active) {
      this.logger.warn(`OpenID Connect sign-in of "${identity.login.slice(0, 120)}" (subject ${identity.subject.slice(0, 100)}) matches no active person`);
      throw new UnauthenticatedError('Your account with the identity provider is not known here; ask an administrator.', 'unknown-person');
    }
    return this.openSession(person, client, previousSessionId, { method: 'oidc', subject: identity.subject });
  }

  /**
   * A new session, in one transaction with its audit event (and `alsoDo`); the session the client
   * came with (if any) is closed, so a session id planted before sign-in is worthless after it.
   */
  private async openSession(person: PersonEntity, client: ClientInfo, previousSessionId: string | null, how: Record<string, unknown>, alsoDo?: (manager: EntityManager) => Promise<void>) {
    const opened = await writeTransaction(this.dataSource, async (manager) => {
      await alsoDo?.(manager);
      if (previousSessionId) await this.sessions.close(manager, previousSessionId);
      await this.sessions.purgeExpired(manager);
      const session = await this.sessions.open(manager, person.id, client);
      await this.audit.record(manager, {
        actor: auditActorOf({ personId: person.id, login: person.login }),
        action: 'person.signed-in',
        subject: { type: 'person', id: person.id },
        after: { sessionId: session.session.id, expiresAt: session.session.expiresAt },
        detail: { ...how, clientAddress: client.address, sessionExpiresAt: session.session.expiresAt },
      });
      return session;
    });
    return { ...opened, person: await this.viewOf(person.id) };
  }

  async logout(actor: Actor, sessionId: string): Promise<void> {
    await writeTransaction(this.dataSource, async (manager) => {
      await this.sessions.close(manager, sessionId);
      await this.audit.record(manager, { actor: auditActorOf(actor), action: 'person.signed-out', subject: { type: 'person', id: actor.personId }, before: { sessionId } });
    });
  }

  /**
   * Changes the signed-in person's own password after checking the current one (wrong guesses count
   * towards the lockout, as at login). Every other session of the person is closed.
   */
  async changePassword(actor: Actor, sessionId: string, currentPassword: string, newPassword: string, client: ClientInfo): Promise<void> {
    await this.throttle.assertOpen(actor.login, client.address);
    const person = await this.dataSource.getRepository(PersonEntity).findOneByOrFail({ id: actor.personId });
    if (!(await this.hasher.verify(currentPassword, person.passwordHash)).valid) {
      await this.throttle.recordFailure(actor.login, client.address);
      throw ValidationFailedError.field('currentPassword', 'incorrect', 'The current password is not correct.');
    }
    if (newPassword === currentPassword) throw ValidationFailedError.field('newPassword', 'unchanged', 'The new password must differ from the current one.');
    const passwordHash = await this.hasher.hash(newPassword);
    await writeTransaction(this.dataSource, async (manager) => {
      await this.setPassword(manager, person, passwordHash);
      const closed = await this.sessions.closeAllOf(manager, person.id, sessionId);
      await this.audit.record(manager, {
        actor: auditActorOf(actor),
        action: 'person.password-changed',
        subject: { type: 'person', id: person.id },
        before: { passwordHash: person.passwordHash },
        after: { passwordHash },
        detail: { otherSessionsClosed: closed },
      });
    });
  }

  /** An administrator sets a person's password; every session of that person is closed and a lockout lifted. */
  async resetPassword(admin: Actor, personId: number, newPassword: string): Promise<void> {
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ id: personId });
    if (!person) throw new NotFoundError(`Person ${personId}`);
    if (person.id === admin.personId) throw new ConflictError('Change your own password with POST /api/auth/password.', 'own-password');
    const passwordHash = await this.hasher.hash(newPassword);
    await writeTransaction(this.dataSource, async (manager) => {
      await this.setPassword(manager, person, passwordHash);
      const closed = await this.sessions.closeAllOf(manager, person.id);
      await this.audit.record(manager, {
        actor: auditActorOf(admin),
        action: 'person.password-reset',
        subject: { type: 'person', id: person.id },
        before: { passwordHash: person.passwordHash },
        after: { passwordHash },
        detail: { login: person.login, sessionsClosed: closed },
      });
    });
    await this.throttle.clear(person.login);
  }

  /** The person as the API shows them: name and roles with their units. */
  async viewOf(personId: number): Promise<PersonView> {
    const actor = await this.sessions.actorOf(personId);
    if (!actor) throw new UnauthenticatedError();
    const units = await this.dataSource.getRepository(UnitEntity).findBy({ id: In([...new Set(actor.holdings.map((h) => h.unitId))]) });
    const byId = new Map(units.map((u) => [u.id, u]));
    return {
      id: actor.personId,
      login: actor.login,
      fullName: actor.fullName,
      roles: actor.holdings.map((h) => ({ role: h.role, unitId: h.unitId, unitCode: byId.get(h.unitId)!.code, unitName: byId.get(h.unitId)!.officialName, dataSetId: h.dataSetId })),
    };
  }

  private async setPassword(manager: EntityManager, person: PersonEntity, passwordHash: string): Promise<void> {
    await manager.update(PersonEntity, { id: person.id }, { passwordHash });
  }
}
