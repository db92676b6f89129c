import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Someone who logs in. What they may do comes from their role assignments. */
@Entity('people')
export class PersonEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'varchar', length: 120, unique: true })
  login!: string;

  /** Full name as printed under a signature (no academic titles). */
  @Column({ name: 'full_name', type: 'varchar', length: 120 })
  fullName!: string;

  @Column({ name: 'password_hash', type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'boolean', default: true })
  active!: boolean;

  /** Where notifications are e-mailed; none: in-app only. Demo people get one under `.invalid` (RFC 2606). */
  @Column({ type: 'varchar', length: 254, nullable: true })
  email!: string | null;
}
