import { Injectable } from '@nestjs/common';
import { DataSource, IsNull, LessThan } from 'typeorm';
import { writeTransaction } from '../database/write-transaction';
import { Clock } from '../shared/clock';
import { NotFoundError } from '../shared/errors';
import { NotificationEntity } from './notification.entity';

export interface NotificationList {
  /** The person's unread notifications, all of them (not only this page). */
  unread: number;
  /** Newest first. */
  items: NotificationEntity[];
}

/** A person's own notifications: read them, mark them read. Nobody sees another person's. */
@Injectable()
export class Notifications {
  constructor(
    private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  /** Newest first; `before`: only those with a smaller id (the next page). */
  async listFor(personId: number, options: { limit?: number; before?: number; unreadOnly?: boolean } = {}): Promise<NotificationList> {
    const repository = this.dataSource.getRepository(NotificationEntity);
    const items = await repository.find({
      where: { personId, ...(options.before ? { id: LessThan(options.before) } : {}), ...(options.unreadOnly ? { readAt: IsNull() } : {}) },
      order: { id: 'DESC' },
      take: options.limit ?? 50,
    });
    const unread = await repository.countBy({ personId, readAt: IsNull() });
    return { unread, items };
  }

  /** Marks one of the person's notifications read (again: no change); another person's is "not found". */
  async markRead(personId: number, id: number): Promise<NotificationEntity> {
    return writeTransaction(this.dataSource, async (manager) => {
      const row = await manager.findOneBy(NotificationEntity, { id, personId });
      if (!row) throw new NotFoundError(`Thông báo ${id}`);
      if (row.readAt === null) {
        row.readAt = this.clock.now();
        await manager.update(NotificationEntity, { id, personId }, { readAt: row.readAt });
      }
      return row;
    });
  }

  async markAllRead(personId: number): Promise<{ marked: number }> {
    return writeTransaction(this.dataSource, async (manager) => {
      const result = await manager.update(NotificationEntity, { personId, readAt: IsNull() }, { readAt: this.clock.now() });
      return { marked: result.affected ?? 0 };
    });
  }
}
