import { randomBytes } from 'node:crypto';
import { findByIdOrNotFound } from '../database/find-by-id';
import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager, In } from 'typeorm';
import { Actor } from '../access/actor';
import { AuditTrail } from '../audit/audit-trail.service';
import { writeTransaction } from '../database/write-transaction';
import { hashPasswordArgon2id } from '../identity/passwords/password-hasher';
import { SessionEntity } from '../identity/sessions/session.entity';
import { InboxProjection } from '../inbox/inbox-projection';
import { InboxTaskEntity } from '../inbox/inbox-task.entity';
import { DivisionEntity } from '../organization/division.entity';
import { PersonEntity } from '../organization/person.entity';
import { RoleAssignmentEntity } from '../organization/role-assignment.entity';
import { ALL_ROLES, Role } from '../organization/roles';
import { UnitEntity } from '../organization/unit.entity';
import { ConflictError, FieldProblem, ValidationFailedError } from '../shared/errors';
import { WorkflowEngine } from '../workflow/workflow-engine';
import { COLUMN_LABELS, parseRoles, readPeopleSheet, SheetProblem, SheetRow } from './people-sheet';

export interface PeopleImportResult {
  rows: number;
  peopleInserted: number;
  rolesInserted: number;
}

export interface HeldTask {
  taskKey: string;
  name: string;
  unitId: number | null;
  unitName: string | null;
  subject: string | null;
  dueAt: string | null;
}

/** The test-only switch that lets a file with bad rows import its good ones (shows the all-or-nothing test can fail). */
const ALL_OR_NOTHING_OFF = () => process.env.PEOPLE_IMPORT_ALL_OR_NOTHING_OFF === '1';

/**
 * The administrator's acts on people of their data set: bulk import from a sheet (all rows or none),
 * the roles a person holds in a unit, and handing a departed person's open tasks to a colleague.
 */
@Injectable()
export class PeopleAdministration {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditTrail,
    private readonly engine: WorkflowEngine,
    private readonly projection: InboxProjection,
  ) {}

  /**
   * Imports people from a CSV or XLSX file into the data set of `unitId`. Every row is checked first;
   * one bad row and nothing is imported (422, one field problem per bad cell: `rows.<row>.<column>`).
   * A login already known keeps its name and password and gains the roles it lacks; a new person gets
   * an unusable random password until an administrator sets one (or they sign in through OIDC).
   */
  async importPeople(unitId: number, file: { originalname: string; buffer: Buffer } | undefined, actor: Actor): Promise<PeopleImportResult> {
    if (!file) throw ValidationFailedError.field('file', 'required', 'Chưa chọn tệp CSV hoặc XLSX');
    const unit = await this.unit(unitId);
    const { rows, problems } = await readPeopleSheet(file.originalname, file.buffer);
    const units = new Map((await this.dataSource.getRepository(UnitEntity).findBy({ dataSetId: unit.dataSetId })).map((u) => [u.code, u]));
    const receivers = new Set([...units.values()].map((u) => u.reportsToId).filter((id) => id !== null));
    for (const r of rows) {
      const target = units.get(r.unitCode);
      if (r.unitCode && !target) problems.push({ row: r.row, column: 'unitCode', message: `Dòng ${r.row}: không có đơn vị mã “${r.unitCode}” trong bộ dữ liệu ${unit.dataSetId}` });
      if (target && parseRoles(r.roles).roles.includes(Role.Consolidator) && !(receivers.has(target.id) && target.reportsToId !== null)) {
        problems.push({ row: r.row, column: 'roles', message: `Dòng ${r.row}: ${target.nameWithType} không có đơn vị cấp dưới báo cáo về, không thể có vai trò Tổng hợp` });
      }
    }
    const bad = new Set(problems.map((p) => p.row));
    if (problems.length > 0 && !(ALL_OR_NOTHING_OFF() && rows.some((r) => !bad.has(r.row)))) {
      problems.sort((a, b) => a.row - b.row);
      const rowCount = new Set(problems.filter((p) => p.row > 0).map((p) => p.row)).size;
      const summary = rowCount > 0 ? `Tệp có ${rowCount} dòng lỗi: chưa nhập người nào. Hãy sửa rồi nhập lại.` : `${problems[0].message}: chưa nhập người nào.`;
      throw new ValidationFailedError(problems.map(fieldOf), summary);
    }
    const good = rows.filter((r) => !bad.has(r.row));
    return writeTransaction(this.dataSource, (manager) => this.writePeople(manager, good, units, unit, actor));
  }

  private async writePeople(manager: EntityManager, rows: SheetRow[], units: Map<string, UnitEntity>, unit: UnitEntity, actor: Actor): Promise<PeopleImportResult> {
    const existing = new Map((await manager.findBy(PersonEntity, { login: In(rows.map((r) => r.login)) })).map((p) => [p.login, p]));
    const fresh = rows.filter((r) => !existing.has(r.login));
    if (fresh.length > 0) {
      // Nobody knows this password: one hash of a random secret serves the whole batch.
      const passwordHash = await hashPasswordArgon2id(randomBytes(32).toString('base64url'));
      await manager.insert(PersonEntity, fresh.map((r) => ({ login: r.login, fullName: r.fullName, email: r.email || null, passwordHash, active: true })));
      for (const p of await manager.findBy(PersonEntity, { login: In(fresh.map((r) => r.login)) })) existing.set(p.login, p);
    }
    let rolesInserted = 0;
    for (const r of rows) {
      const person = existing.get(r.login)!;
      const target = units.get(r.unitCode)!;
      rolesInserted += await this.addRoles(manager, person.id, target, parseRoles(r.roles).roles);
    }
    await this.audit.record(manager, {
      actor,
      action: 'people.imported',
      subject: { type: 'data-set', id: unit.dataSetId },
      unitId: unit.id,
      detail: { rows: rows.length, logins: rows.map((r) => r.login), peopleInserted: fresh.length, rolesInserted },
    });
    return { rows: rows.length, peopleInserted: fresh.length, rolesInserted };
  }

  /** The roles a person holds in a unit of the data set, replaced by `roles` (none: no role there). */
  async setRoles(personId: number, unitId: number, roles: Role[], actor: Actor): Promise<{ unitId: number; roles: Role[] }> {
    const person = await this.person(personId);
    const unit = await this.unit(unitId);
    const wanted = [...new Set(roles)];
    if (wanted.includes(Role.Consolidator)) {
      const below = await this.dataSource.getRepository(UnitEntity).existsBy({ reportsToId: unit.id });
      if (!below || unit.reportsToId === null) throw ValidationFailedError.field('roles', 'no-units-below', `${unit.nameWithType} không có đơn vị cấp dưới báo cáo về: không thể giao vai trò Tổng hợp`);
    }
    if (person.id === actor.personId && !wanted.includes(Role.Administrator) && actor.holdings.some((h) => h.role === Role.Administrator && h.unitId === unit.id)) {
      throw ValidationFailedError.field('roles', 'own-administrator', 'Không thể tự bỏ vai trò Quản trị của chính mình (nhờ một quản trị viên khác)');
    }
    return writeTransaction(this.dataSource, async (manager) => {
      const current = await manager.findBy(RoleAssignmentEntity, { personId, unitId });
      const before = current.map((a) => a.role).sort();
      const removed = current.filter((a) => !wanted.includes(a.role));
      if (removed.length > 0) await manager.delete(RoleAssignmentEntity, { id: In(removed.map((a) => a.id)) });
      await this.addRoles(manager, personId, unit, wanted);
      const after = [...wanted].sort();
      if (before.join() === after.join()) throw new ConflictError(`${person.fullName} đã có đúng các vai trò này tại ${unit.nameWithType}`, 'unchanged');
      await this.audit.record(manager, { actor, action: 'person.roles-set', subject: { type: 'person', id: personId }, unitId, before: { roles: before }, after: { roles: after } });
      return { unitId, roles: after };
    });
  }

  /** Open tasks held by the person (assigned to them), oldest deadline first. */
  async heldTasks(personId: number): Promise<HeldTask[]> {
    const person = await this.person(personId);
    const tasks = await this.dataSource.getRepository(InboxTaskEntity).find({ where: { assignee: person.login, state: 'open' }, order: { dueAt: 'ASC', createdAt: 'ASC' } });
    const unitIds = [...new Set(tasks.map((t) => t.unitId).filter((id): id is number => id !== null))];
    const units = new Map((unitIds.length ? await this.dataSource.getRepository(UnitEntity).findBy({ id: In(unitIds) }) : []).map((u) => [u.id, u]));
    return tasks.map((t) => ({ taskKey: t.taskKey, name: t.name, unitId: t.unitId, unitName: t.unitId ? units.get(t.unitId)?.officialName ?? null : null, subject: t.subject, dueAt: t.dueAt?.toISOString() ?? null }));
  }

  /**
   * Hands every open task held by a departed person to `toLogin`, who must hold a role in each task's
   * unit; checked for all tasks before any is moved. Each goes through the engine (the projection
   * follows). `deactivate`: the departed person's account is also locked and their sessions closed.
   */
  async reassignTasks(personId: number, toLogin: string, deactivate: boolean, actor: Actor): Promise<{ reassigned: string[]; deactivated: boolean }> {
    const departed = await this.person(personId);
    const successor = await this.dataSource.getRepository(PersonEntity).findOneBy({ login: toLogin });
    if (!successor) throw ValidationFailedError.field('toLogin', 'unknown', `Không có người dùng “${toLogin}”`);
    if (!successor.active) throw ValidationFailedError.field('toLogin', 'inactive', `Tài khoản ${successor.fullName} (${toLogin}) đã bị khóa`);
    if (successor.id === departed.id) throw ValidationFailedError.field('toLogin', 'same-person', 'Người nhận phải khác người nghỉ việc');
    const tasks = await this.dataSource.getRepository(InboxTaskEntity).findBy({ assignee: departed.login, state: 'open' });
    if (tasks.length === 0 && !deactivate) throw new ConflictError(`${departed.fullName} không giữ nhiệm vụ nào đang mở`, 'no-open-tasks');
    const successorUnits = new Set((await this.dataSource.getRepository(RoleAssignmentEntity).findBy({ personId: successor.id })).map((a) => a.unitId));
    const outside = [...new Set(tasks.map((t) => t.unitId).filter((id): id is number => id !== null && !successorUnits.has(id)))];
    if (outside.length > 0) {
      const names = (await this.dataSource.getRepository(UnitEntity).findBy({ id: In(outside) })).map((u) => u.officialName);
      throw ValidationFailedError.field('toLogin', 'other-unit', `${successor.fullName} không có vai trò tại ${names.join(', ')}: chỉ giao lại cho người cùng đơn vị`);
    }
    const reassigned: string[] = [];
    for (const task of tasks) {
      await this.engine.assignUserTask(task.taskKey, successor.login, actor.login);
      reassigned.push(task.taskKey);
    }
    await this.projection.settled();
    await writeTransaction(this.dataSource, async (manager) => {
      if (deactivate && departed.active) {
        await manager.update(PersonEntity, { id: departed.id }, { active: false });
        await manager.delete(SessionEntity, { personId: departed.id });
      }
      await this.audit.record(manager, { actor, action: 'person.tasks-reassigned', subject: { type: 'person', id: departed.id }, detail: { to: successor.login, tasks: reassigned, deactivated: deactivate } });
    });
    return { reassigned, deactivated: deactivate };
  }

  /** Adds the roles the person lacks in the unit (titles and division as the demo people get them). */
  private async addRoles(manager: EntityManager, personId: number, unit: UnitEntity, roles: Role[]): Promise<number> {
    const held = new Set((await manager.findBy(RoleAssignmentEntity, { personId, unitId: unit.id })).map((a) => a.role));
    const missing = roles.filter((r) => !held.has(r));
    if (missing.length === 0) return 0;
    const division = missing.includes(Role.DivisionHead) ? await manager.findOne(DivisionEntity, { where: { unitId: unit.id }, order: { id: 'ASC' } }) : null;
    await manager.insert(
      RoleAssignmentEntity,
      missing.map((role) => ({ personId, unitId: unit.id, role, title: role === Role.Head ? unit.headTitle : role === Role.Deputy ? unit.deputyTitle : null, divisionId: role === Role.DivisionHead ? division?.id ?? null : null })),
    );
    return missing.length;
  }

  private person(id: number): Promise<PersonEntity> {
    return findByIdOrNotFound(this.dataSource, PersonEntity, id, 'Person');
  }

  private unit(id: number): Promise<UnitEntity> {
    return findByIdOrNotFound(this.dataSource, UnitEntity, id, 'Unit');
  }
}

function fieldOf(problem: SheetProblem): FieldProblem {
  return { path: problem.row === 0 ? 'file' : `rows.${problem.row}.${problem.column}`, code: problem.column === 'file' ? 'file' : 'row', message: problem.row === 0 ? problem.message : `${problem.message} (cột ${COLUMN_LABELS[problem.column]})` };
}

export const ASSIGNABLE_ROLES = ALL_ROLES;
