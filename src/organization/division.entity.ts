import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/** A division of a unit (phòng); its symbol closes letter numbers and recipients ("TĐC"). */
@Entity('divisions')
@Index(['unitId', 'symbol'], { unique: true })
export class DivisionEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'unit_id', type: 'integer' })
  unitId!: number;

  @Column({ type: 'varchar', length: 32 })
  symbol!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;
}
