import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An issued document sent to one recipient unit (registered there as incoming afterwards). */
@Entity('document_deliveries')
export class DocumentDeliveryEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ name: 'document_id', type: 'varchar', length: 36 })
  documentId!: string;

  @Column({ name: 'recipient_unit_id', type: 'integer' })
  recipientUnitId!: number;

  @Column({ name: 'sent_at', type: 'datetime', precision: 3 })
  sentAt!: Date;
}
