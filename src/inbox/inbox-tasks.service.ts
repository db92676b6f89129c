import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AccessPolicy } from '../access/access-policy.service';
import { Actor } from '../access/actor';
import { candidateGroupsOf } from '../organization/candidate-groups';
import { PersonEntity } from '../organization/person.entity';
import { Role } from '../organization/roles';
import { ConflictError, ForbiddenError, NotFoundError } from '../shared/errors';
import { WorkflowEngine } from '../workflow/workflow-engine';
import { InboxProjection } from './inbox-projection';
import { InboxTaskCandidateEntity, InboxTaskEntity, InboxTaskState } from './inbox-task.entity';

export interface InboxFilter {
  state?: InboxTaskState;
  cycleId?: number;
  /** Only tasks due before this instant. */
  dueBefore?: Date;
  limit?: number;
}

/** The task inbox: "my tasks and my groups' tasks" from the projection; claims and reassignments through the engine. */
@Injectable()
export class InboxTasks {
  constructor(
    private readonly dataSource: DataSource,
    private readonly engine: WorkflowEngine,
    private readonly projection: InboxProjection,
    private readonly access: AccessPolicy,
  ) {}

  async inboxOf(actor: Actor, filter: InboxFilter = {}): Promise<InboxTaskEntity[]> {
    const candidates = [`user:${actor.login}`, ...candidateGroupsOf(actor.holdings).map((g) => `group:${g}`)];
    // The person's task keys first (offered to them or their groups, or held by them), each through its
    // index, then those tasks by primary key. The state is tested on each of them, not looked up: given
    // an index on it, SQLite walks every task in the state (10,000 open ones in a national cycle, 2.8 ms
    // a request) and probes the person's keys for each; COALESCE keeps the index out of its choice.
    const offered = this.dataSource.createQueryBuilder().select('c.task_key').from(InboxTaskCandidateEntity, 'c').where('c.candidate IN (:...candidates)');
    const held = this.dataSource.createQueryBuilder().select('h.task_key').from(InboxTaskEntity, 'h').where('h.state = :state AND h.assignee = :login');
    const query = this.dataSource
      .getRepository(InboxTaskEntity)
      .createQueryBuilder('task')
      .where(`task.task_key IN (${offered.getQuery()} UNION ALL ${held.getQuery()})`)
      .andWhere("COALESCE(task.state, '') = :state")
      .setParameters({ state: filter.state ?? 'open', login: actor.login, candidates });
    if (filter.cycleId !== undefined) query.andWhere('task.cycle_id = :cycleId', { cycleId: filter.cycleId });
    if (filter.dueBefore) query.andWhere('task.due_at < :dueBefore', { dueBefore: filter.dueBefore });
    return query.orderBy('task.due_at', 'ASC').addOrderBy('task.created_at', 'ASC').limit(filter.limit ?? 200).getMany();
  }

  /** Takes a task offered to one of the actor's groups (or already theirs). */
  async claim(taskKey: string, actor: Actor): Promise<InboxTaskEntity> {
    const task = await this.openTask(taskKey);
    if (!(await this.isCandidate(taskKey, actor))) throw new ForbiddenError('Nhiệm vụ này không giao cho nhóm của bạn');
    if (task.assignee !== null && task.assignee !== actor.login) throw new ConflictError(`Nhiệm vụ đã do ${task.assignee} nhận`, 'task-claimed');
    await this.engine.assignUserTask(taskKey, actor.login, actor.login);
    return this.settled(taskKey);
  }

  async unclaim(taskKey: string, actor: Actor): Promise<InboxTaskEntity> {
    const task = await this.openTask(taskKey);
    if (task.assignee !== actor.login) throw new ConflictError('Bạn không giữ nhiệm vụ này', 'task-not-held');
    await this.engine.assignUserTask(taskKey, null, actor.login);
    return this.settled(taskKey);
  }

  /** A head of the task's unit, or an administrator of its data set, gives the task to someone (e.g. a departed person's). */
  async assign(taskKey: string, login: string, actor: Actor): Promise<InboxTaskEntity> {
    const task = await this.openTask(taskKey);
    const asHead = await this.access.decide(actor, { roles: [Role.Head], scope: 'own-unit' }, [task.unitId!]);
    const asAdministrator = await this.access.decide(actor, { roles: [Role.Administrator], scope: 'data-set' }, [task.unitId!]);
    if (!asHead.allowed && !asAdministrator.allowed) throw new ForbiddenError('Chỉ thủ trưởng đơn vị hoặc quản trị viên được giao lại nhiệm vụ');
    const person = await this.dataSource.getRepository(PersonEntity).findOneBy({ login, active: true });
    if (!person) throw new NotFoundError(`Person ${login}`);
    await this.engine.assignUserTask(taskKey, login, actor.login);
    return this.settled(taskKey);
  }

  private async openTask(taskKey: string): Promise<InboxTaskEntity> {
    const task = await this.dataSource.getRepository(InboxTaskEntity).findOneBy({ taskKey });
    if (!task) throw new NotFoundError(`Task ${taskKey}`);
    if (task.state !== 'open') throw new ConflictError('Nhiệm vụ đã kết thúc', 'task-closed');
    return task;
  }

  private async isCandidate(taskKey: string, actor: Actor): Promise<boolean> {
    const candidates = [`user:${actor.login}`, ...candidateGroupsOf(actor.holdings).map((g) => `group:${g}`)];
    return this.dataSource
      .getRepository(InboxTaskCandidateEntity)
      .createQueryBuilder('c')
      .where('c.task_key = :taskKey AND c.candidate IN (:...candidates)', { taskKey, candidates })
      .getExists();
  }

  /** The projection after the engine's events for this change are written. */
  private async settled(taskKey: string): Promise<InboxTaskEntity> {
    await this.projection.settled();
    return this.dataSource.getRepository(InboxTaskEntity).findOneByOrFail({ taskKey });
  }
}
