import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { Role } from './roles';

/** A person holds a role in a unit (roles are per unit). */
@Entity('role_assignments')
@Index(['personId', 'unitId', 'role'], { unique: true })
export class RoleAssignmentEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'person_id', type: 'integer' })
  personId!: number;

  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @Column({ type: 'varchar', length: 32 })
  role!: Role;

  /** Title for signer blocks, for heads and deputies ("GIÁM ĐỐC", "PHÓ CHỦ TỊCH"). */
  @Column({ type: 'varchar', length: 100, nullable: true })
  title!: string | null;

  /** The division a division head leads. */
  @Column({ name: 'division_id', type: 'integer', nullable: true })
  divisionId!: number | null;
}
