import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Failed logins counted per login name (`login:<name>`) and per client address (`address:<ip>`).
 * Kept in the database so that a restart does not lift a lockout.
 */
@Entity('login_throttle')
export class LoginThrottleEntity {
  @PrimaryColumn({ name: 'throttle_key', type: 'varchar', length: 200 })
  key!: string;

  @Column({ type: 'integer' })
  failures!: number;

  /** Failures older than the lockout period no longer count. */
  @Column({ name: 'window_started_at', type: 'datetime', precision: 3 })
  windowStartedAt!: Date;

  @Column({ name: 'locked_until', type: 'datetime', precision: 3, nullable: true })
  lockedUntil!: Date | null;
}
