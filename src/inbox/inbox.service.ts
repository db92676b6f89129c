import { Injectable } from '@nestjs/common';
import { Brackets, DataSource } from 'typeorm';
import { InboxTaskCandidateEntity, InboxTaskEntity, InboxTaskState } from './inbox-task.entity';

export interface InboxQuery {
  /** The person's login: tasks assigned to them or offered to them by name. */
  login: string;
  /** The person's candidate groups (from their role assignments). */
  groups: string[];
  state?: InboxTaskState;
  cycleId?: number;
  /** Only tasks due before this instant. */
  dueBefore?: Date;
  limit?: number;
}

/** "My tasks and my groups' tasks", read from the projection. */
@Injectable()
export class InboxService {
  constructor(private readonly dataSource: DataSource) {}

  async list(query: InboxQuery): Promise<InboxTaskEntity[]> {
    const candidates = [`user:${query.login}`, ...query.groups.map((g) => `group:${g}`)];
    const builder = this.dataSource
      .getRepository(InboxTaskEntity)
      .createQueryBuilder('task')
      .where('task.state = :state', { state: query.state ?? 'open' })
      .andWhere(
        new Brackets((mine) => {
          mine.where('task.assignee = :login', { login: query.login }).orWhere(
            `task.task_key IN (${this.dataSource
              .createQueryBuilder()
              .select('c.task_key')
              .from(InboxTaskCandidateEntity, 'c')
              .where('c.candidate IN (:...candidates)')
              .getQuery()})`,
            { candidates },
          );
        }),
      );
    if (query.cycleId !== undefined) builder.andWhere('task.cycle_id = :cycleId', { cycleId: query.cycleId });
    if (query.dueBefore) builder.andWhere('task.due_at < :dueBefore', { dueBefore: query.dueBefore });
    return builder.orderBy('task.due_at', 'ASC').addOrderBy('task.created_at', 'ASC').limit(query.limit ?? 200).getMany();
  }

  async openTaskFor(subject: string, elementIds: string[]): Promise<InboxTaskEntity | null> {
    const tasks = await this.dataSource.getRepository(InboxTaskEntity).find({ where: { subject, state: 'open' } });
    return tasks.find((t) => elementIds.includes(t.elementId)) ?? null;
  }
}
