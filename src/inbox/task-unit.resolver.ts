import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DataSource } from 'typeorm';
import { UnitResolver } from '../access/policy';
import { NotFoundError, ValidationFailedError } from '../shared/errors';
import { InboxTaskEntity } from './inbox-task.entity';

/** The unit a `/api/tasks/:taskKey/…` route acts on: the unit the task belongs to. */
@Injectable()
export class TaskUnitResolver extends UnitResolver {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async unitsOf(request: Request): Promise<number[]> {
    const key = request.params.taskKey;
    if (typeof key !== 'string' || !/^[A-Za-z0-9:_-]{1,64}$/.test(key)) throw ValidationFailedError.field('taskKey', 'is-task-key', 'taskKey must be a task key');
    const task = await this.dataSource.getRepository(InboxTaskEntity).findOne({ where: { taskKey: key }, select: ['taskKey', 'unitId'] });
    if (!task || task.unitId === null) throw new NotFoundError(`Task ${key}`);
    return [task.unitId];
  }
}
