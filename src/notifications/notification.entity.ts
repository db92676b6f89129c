import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** One in-app notification for one person. (dedupe_key, person_id) is unique: see `Notifier`. */
@Entity('notifications')
@Index(['dedupeKey', 'personId'], { unique: true })
export class NotificationEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'person_id', type: 'integer' })
  personId!: number;

  /** What happened, dotted: `deadline.reminder`, `report.returned`, … */
  @Column({ type: 'varchar', length: 64 })
  kind!: string;

  @Column({ type: 'varchar', length: 300 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  /** Where in the application the person acts on it (`/reports/12`). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  link!: string | null;

  @Column({ name: 'cycle_id', type: 'integer', nullable: true })
  cycleId!: number | null;

  @Column({ name: 'unit_id', type: 'integer', nullable: true })
  unitId!: number | null;

  @Column({ name: 'dedupe_key', type: 'varchar', length: 190 })
  dedupeKey!: string;

  @Column({ name: 'created_at', type: 'datetime', precision: 3 })
  createdAt!: Date;

  @Column({ name: 'read_at', type: 'datetime', precision: 3, nullable: true })
  readAt!: Date | null;
}
