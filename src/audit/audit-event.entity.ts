import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One recorded state change (ISO 9001 clause 7.5): who, when, what, and digests of the state before
 * and after. Append-only; each row's `hash` covers its content and the previous row's hash, so that
 * changing, removing or inserting a row breaks the chain (`iso-cycle audit verify`).
 */
@Entity('audit_events')
export class AuditEventEntity {
  /** Position in the chain, from 1, without gaps. */
  @PrimaryColumn({ type: 'bigint' })
  seq!: number;

  @Column({ type: 'datetime', precision: 3 })
  at!: Date;

  /** Null for the system itself (a timer, a command-line import). */
  @Column({ name: 'actor_person_id', type: 'integer', nullable: true })
  actorPersonId!: number | null;

  @Column({ name: 'actor_login', type: 'varchar', length: 120 })
  actorLogin!: string;

  /** What happened, as `<subject>.<verb>`: `session.created`, `person.password-changed`. */
  @Column({ type: 'varchar', length: 100 })
  action!: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 64 })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 64 })
  subjectId!: string;

  @Column({ name: 'unit_id', type: 'integer', nullable: true })
  unitId!: number | null;

  @Column({ name: 'cycle_id', type: 'varchar', length: 64, nullable: true })
  cycleId!: string | null;

  /** SHA-256 of the canonical JSON of the subject before the change; null when it did not exist. */
  @Column({ name: 'before_digest', type: 'varchar', length: 64, nullable: true })
  beforeDigest!: string | null;

  @Column({ name: 'after_digest', type: 'varchar', length: 64, nullable: true })
  afterDigest!: string | null;

  /** Canonical JSON of what the action needs to be understood (never secrets). */
  @Column({ type: 'text' })
  detail!: string;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** The single row naming the chain's last link; appends lock it. */
@Entity('audit_chain_head')
export class AuditChainHeadEntity {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint' })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}
