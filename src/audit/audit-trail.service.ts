import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../shared/clock';
import { AuditHasher, GENESIS_HASH } from './audit-chain';
import { AuditChainHeadEntity, AuditEventEntity } from './audit-event.entity';
import { canonicalJson, digestOf } from './canonical-json';

/** Who caused a change: a signed-in person, or the system itself (`personId` null). */
export interface AuditActor {
  personId: number | null;
  login: string;
}

export const SYSTEM_ACTOR: AuditActor = { personId: null, login: 'system' };

/** A state change to record. */
export interface AuditRecord {
  actor: AuditActor;
  /** `<subject>.<verb>`: `session.created`, `person.password-changed`, `report.submitted`. */
  action: string;
  subject: { type: string; id: string | number };
  unitId?: number | null;
  cycleId?: string | null;
  /** The subject before the change (left out when it did not exist); only its digest is stored. */
  before?: unknown;
  /** The subject after the change (left out when it no longer exists); only its digest is stored. */
  after?: unknown;
  /** What a reader needs to understand the event, stored as JSON. Never secrets. */
  detail?: Record<string, unknown>;
}

/** Result of walking the chain. */
export type AuditVerification =
  | { intact: true; events: number; lastHash: string }
  | { intact: false; events: number; firstBroken: { seq: number; reason: string } };

/**
 * The audit trail (ISO 9001 clause 7.5): append-only, hash-chained. `record` runs inside the
 * caller's transaction, so an event commits or rolls back with the change it records.
 */
@Injectable()
export class AuditTrail {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
    private readonly hasher: AuditHasher,
  ) {}

  /**
   * Appends an event. Appends are serialised on the chain head row: MariaDB locks it
   * (SELECT … FOR UPDATE) until the caller's transaction ends; SQLite has one writer at a time, and
   * the head update takes the write lock. The unique index on prev_hash refuses any fork.
   */
  async record(manager: EntityManager, record: AuditRecord): Promise<AuditEventEntity> {
    if (!manager.queryRunner?.isTransactionActive) throw new Error('AuditTrail.record must run inside the transaction of the change it records');
    const head = await this.lockHead(manager);
    const link: Omit<AuditEventEntity, 'hash'> = {
      seq: Number(head.seq) + 1,
      at: this.clock.now(),
      actorPersonId: record.actor.personId,
      actorLogin: record.actor.login,
      action: record.action,
      subjectType: record.subject.type,
      subjectId: String(record.subject.id),
      unitId: record.unitId ?? null,
      cycleId: record.cycleId ?? null,
      beforeDigest: record.before === undefined ? null : digestOf(record.before),
      afterDigest: record.after === undefined ? null : digestOf(record.after),
      detail: canonicalJson(record.detail ?? {}),
      prevHash: head.hash,
    };
    const event = { ...link, hash: this.hasher.hash(link) };
    await manager.insert(AuditEventEntity, event);
    await manager.update(AuditChainHeadEntity, { id: 1 }, { seq: event.seq, hash: event.hash });
    return event;
  }

  private async lockHead(manager: EntityManager): Promise<{ seq: number; hash: string }> {
    if (manager.connection.options.type === 'mysql') {
      const [row] = await manager.query('SELECT seq, hash FROM audit_chain_head WHERE id = 1 FOR UPDATE');
      return row;
    }
    await manager.query('UPDATE audit_chain_head SET seq = seq WHERE id = 1');
    const [row] = await manager.query('SELECT seq, hash FROM audit_chain_head WHERE id = 1');
    return row;
  }

  /**
   * Walks the whole chain in order and names the first link that does not hold: a gap in the
   * sequence (a removed event), a prev_hash that is not the previous event's hash (a removed,
   * inserted or reordered event), a hash that does not match the content (an edited event), or a
   * head that does not name the last event (events removed at the end).
   */
  async verify(): Promise<AuditVerification> {
    const repository = this.dataSource.getRepository(AuditEventEntity);
    let expectedSeq = 1;
    let previousHash = GENESIS_HASH;
    const PAGE = 1000;
    for (;;) {
      const page = await repository.createQueryBuilder('e').where('e.seq >= :from', { from: expectedSeq }).orderBy('e.seq', 'ASC').limit(PAGE).getMany();
      for (const event of page) {
        const seq = Number(event.seq);
        const broken = (reason: string): AuditVerification => ({ intact: false, events: expectedSeq - 1, firstBroken: { seq, reason } });
        if (seq !== expectedSeq) return broken(`event ${expectedSeq}${seq > expectedSeq + 1 ? `–${seq - 1}` : ''} is missing: the sequence jumps from ${expectedSeq - 1} to ${seq}`);
        if (event.prevHash !== previousHash) return broken(`its prev_hash does not match the hash of event ${seq - 1}`);
        if (this.hasher.hash(event) !== event.hash) return broken('its content does not match its hash (the event was changed)');
        previousHash = event.hash;
        expectedSeq++;
      }
      if (page.length < PAGE) break;
    }
    const last = expectedSeq - 1;
    const head = await this.dataSource.getRepository(AuditChainHeadEntity).findOneBy({ id: 1 });
    if (!head) return { intact: false, events: last, firstBroken: { seq: last + 1, reason: 'the chain head row is missing' } };
    if (Number(head.seq) !== last || head.hash !== previousHash) {
      return { intact: false, events: last, firstBroken: { seq: last + 1, reason: `the chain head names event ${head.seq} but the chain ends at event ${last}: events at the end were removed` } };
    }
    return { intact: true, events: last, lastHash: previousHash };
  }

  /** The events of one cycle, in chain order, each with its hashes so a reader can check it. */
  async eventsOfCycle(cycleId: string): Promise<AuditEventEntity[]> {
    return this.dataSource.getRepository(AuditEventEntity).find({ where: { cycleId }, order: { seq: 'ASC' } });
  }

  /** The latest events about one unit, newest first. */
  async latestOfUnit(unitId: number, limit: number): Promise<AuditEventEntity[]> {
    return this.dataSource.getRepository(AuditEventEntity).find({ where: { unitId }, order: { seq: 'DESC' }, take: limit });
  }
}

/** An event as exported and shown by the API: JSON-friendly, the detail parsed. */
export function auditEventView(event: AuditEventEntity) {
  return {
    seq: Number(event.seq),
    at: event.at.toISOString(),
    actor: { personId: event.actorPersonId, login: event.actorLogin },
    action: event.action,
    subject: { type: event.subjectType, id: event.subjectId },
    unitId: event.unitId,
    cycleId: event.cycleId,
    beforeDigest: event.beforeDigest,
    afterDigest: event.afterDigest,
    detail: JSON.parse(event.detail) as unknown,
    prevHash: event.prevHash,
    hash: event.hash,
  };
}
