import { Body, Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { DataSource, In } from 'typeorm';
import { Actor, CurrentActor } from '../../access/actor';
import { Policy, unitFrom } from '../../access/policy';
import { CycleEntity } from '../../cycles/cycle.entity';
import { InboxTasks } from '../../inbox/inbox-tasks.service';
import { TaskUnitResolver } from '../../inbox/task-unit.resolver';
import { UnitEntity } from '../../organization/unit.entity';
import { Role } from '../../organization/roles';
import { ConflictError, NotFoundError } from '../../shared/errors';
import { formText } from '../form-body';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';
import { compareVietnamese, formatDate, formatDateTime } from '../views/view-formats';

const STATES = { open: 'Đang mở', completed: 'Đã xong', cancelled: 'Đã hủy' } as const;
type TaskState = keyof typeof STATES;

const DONE = { claimed: 'Đã nhận việc.', unclaimed: 'Đã trả việc về nhóm.', assigned: 'Đã giao việc.' };
const WORKERS = [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk, Role.Consolidator];
const ofTheTask = unitFrom.resolver(TaskUnitResolver);

/** My tasks and my groups' tasks (`/inbox`), with claim, give back and assign as plain forms. */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class InboxPage {
  constructor(
    private readonly tasks: InboxTasks,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('inbox')
  @Policy('signed-in')
  async inbox(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.show(actor, request, response);
  }

  @Post('tasks/:taskKey/claim')
  @Policy({ roles: WORKERS, scope: 'own-unit', unit: ofTheTask })
  async claim(@Param('taskKey') taskKey: string, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.act(actor, request, response, 'claimed', () => this.tasks.claim(taskKey, actor));
  }

  @Post('tasks/:taskKey/unclaim')
  @Policy({ roles: WORKERS, scope: 'own-unit', unit: ofTheTask })
  async unclaim(@Param('taskKey') taskKey: string, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.act(actor, request, response, 'unclaimed', () => this.tasks.unclaim(taskKey, actor));
  }

  @Post('tasks/:taskKey/assign')
  @Policy({ roles: [Role.Head, Role.Administrator], scope: 'consolidated-units', unit: ofTheTask })
  async assign(@Param('taskKey') taskKey: string, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const login = formText(body, 'login');
    if (!/^[a-z0-9.@_-]{1,120}$/.test(login)) return this.show(actor, request, response, ['Hãy nhập tên đăng nhập của người nhận việc (chữ thường, không dấu, ví dụ staff.21172@quang-ngai-2025).'], 422);
    await this.act(actor, request, response, 'assigned', () => this.tasks.assign(taskKey, login, actor));
  }

  /** Does it, then back to the list it came from (303); a refusal the person can act on is shown on the list. */
  private async act(actor: Actor, request: Request, response: Response, done: keyof typeof DONE, action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
    } catch (error) {
      // What the person can act on is said on the list; a refusal (403) is the error page's.
      if (error instanceof ConflictError) return this.show(actor, request, response, [error.message], 409);
      if (error instanceof NotFoundError) return this.show(actor, request, response, ['Không tìm thấy việc hoặc người được giao.'], 404);
      throw error;
    }
    const query = new URLSearchParams(formText(request.body, 'back').replace(/^\?/, ''));
    query.set('done', done);
    response.redirect(303, `/inbox?${query}`);
  }

  private async show(actor: Actor, request: Request, response: Response, errors: string[] = [], status = 200): Promise<void> {
    const state: TaskState = typeof request.query.state === 'string' && request.query.state in STATES ? (request.query.state as TaskState) : 'open';
    const cycleId = typeof request.query.cycleId === 'string' && /^\d{1,9}$/.test(request.query.cycleId) ? Number(request.query.cycleId) : undefined;
    const tasks = await this.tasks.inboxOf(actor, { state, cycleId });
    const unitIds = [...new Set(tasks.map((t) => t.unitId).filter((id): id is number => id !== null))];
    const cycleIds = [...new Set([...tasks.map((t) => t.cycleId).filter((id): id is number => id !== null), ...(cycleId ? [cycleId] : [])])];
    const [units, cycles] = await Promise.all([
      unitIds.length ? this.dataSource.getRepository(UnitEntity).find({ select: { id: true, officialName: true }, where: { id: In(unitIds) } }) : [],
      cycleIds.length ? this.dataSource.getRepository(CycleEntity).find({ select: { id: true, year: true }, where: { id: In(cycleIds) } }) : [],
    ]);
    const unitName = new Map(units.map((u) => [u.id, u.officialName]));
    const year = new Map(cycles.map((c) => [c.id, c.year]));
    const now = Date.now();
    const canAssign = actor.holdings.some((h) => h.role === Role.Head || h.role === Role.Administrator);
    tasks.sort((a, b) => (a.dueAt?.getTime() ?? Infinity) - (b.dueAt?.getTime() ?? Infinity) || compareVietnamese(a.name, b.name));
    const back = new URLSearchParams({ state, ...(cycleId ? { cycleId: String(cycleId) } : {}) }).toString();
    const rows = tasks.map((task) => {
      const open = task.state === 'open';
      return {
        key: task.taskKey,
        name: task.name,
        unit: task.unitId ? (unitName.get(task.unitId) ?? `Đơn vị số ${task.unitId}`) : '',
        due: task.dueAt ? formatDate(task.dueAt) : '—',
        overdue: open && task.dueAt !== null && task.dueAt.getTime() < now,
        holder: task.assignee ? (task.assignee === actor.login ? 'Tôi' : task.assignee) : 'Chưa có người nhận',
        when: open ? formatDateTime(task.createdAt) : `${STATES[task.state as TaskState] ?? task.state} ${formatDateTime(task.completedAt)}`,
        reportId: /^report:(\d+)$/.exec(task.subject ?? '')?.[1],
        open,
        sign: open && task.elementId === 'sign-report',
        claim: open && !task.assignee,
        unclaim: open && task.assignee === actor.login,
        assign: open && canAssign,
      };
    });
    this.pages.send(
      response,
      'inbox',
      this.shells.forActor(request, actor, 'Việc cần làm', { done: DONE, errors }),
      {
        rows,
        back,
        states: Object.entries(STATES).map(([value, label]) => ({ value, label, selected: value === state })),
        cycles: cycleIds.map((id) => ({ id, label: year.get(id) ? `Năm ${year.get(id)}` : `Kỳ số ${id}`, selected: id === cycleId })),
        caption: `Công việc (${STATES[state].toLowerCase()})`,
        whenHeading: state === 'open' ? 'Giao lúc' : 'Kết thúc',
        empty: state === 'open' ? 'Không có việc nào đang chờ bạn.' : 'Không có công việc nào.',
      },
      status,
    );
  }
}
