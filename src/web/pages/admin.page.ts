import { Body, Controller, Get, Param, Post, Req, Res, UploadedFile, UploadedFiles, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileFieldsInterceptor, FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { DataSource, In } from 'typeorm';
import { Actor, CurrentActor } from '../../access/actor';
import { Policy, unitFrom } from '../../access/policy';
import { PersonAndTargetUnitResolver } from '../../administration/admin-unit.resolvers';
import { CycleAdministration, DATA_SET_UPLOAD_LIMITS, OpenCycleOptions } from '../../administration/cycle-admin.service';
import { PEOPLE_SHEET_LIMITS } from '../../administration/people-sheet';
import { PeopleAdministration } from '../../administration/people-admin.service';
import { parseId } from '../../http/ids';
import { AuthService } from '../../identity/auth.service';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../identity/dto/auth.dto';
import { DirectoryEntry, PeopleDirectory } from '../../identity/people-directory';
import { PersonUnitsResolver } from '../../identity/person-units.resolver';
import { PersonEntity } from '../../organization/person.entity';
import { RoleAssignmentEntity } from '../../organization/role-assignment.entity';
import { ALL_ROLES, Role } from '../../organization/roles';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../shared/errors';
import { CREDENTIAL_LIMITS, SigningCredentials } from '../../signing/admin/signing-credentials.service';
import { formList, formText } from '../form-body';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';
import { compareVietnamese, formatCivilDate, formatDate, parseCivilDate, parseWholeNumber, ROLE_LABELS } from '../views/view-formats';

const ADMINISTRATORS = [Role.Administrator];
const CYCLE_STATUS: Record<string, string> = { open: 'Đang mở', closed: 'Đã kết thúc' };
const MODE_LABELS: Record<string, string> = { server: 'Ký trên máy chủ (PKCS#12)', deferred: 'Ký bằng USB token / dịch vụ ký từ xa' };
const CIVIL_DAY = /^\d{4}-\d{2}-\d{2}$/;
const LOGIN = /^[a-z0-9.@_-]{1,120}$/;
const DATA_SET_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
const yearNow = () => Number(new Intl.DateTimeFormat('en', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric' }).format(new Date()));

type UploadedFileLike = { originalname: string; buffer: Buffer };
type CycleField = 'year' | 'deadline' | 'periodStart' | 'periodEnd' | 'reminderOffsets' | 'escalationDays' | 'confirm';

/** Where the page is looking (kept in every form's action and in the redirect after it). */
interface ViewState {
  unitId?: number;
  q: string;
  person?: number;
  rolesUnitId?: number;
  signingUnitId?: number;
}

/** What a refused form brings back to the page: each problem at its field, the values as typed. */
interface Refusal {
  status: number;
  /** Field id on the page → message. */
  fields?: Record<string, string>;
  /** Form values as typed (never passwords). */
  values?: Record<string, string>;
  /** A people file's row-numbered problems. */
  rows?: string[];
  /** Said in the page's live region too. */
  message: string;
}

const idOrUndefined = (value: unknown): number | undefined => (typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) && Number(value) <= 2_147_483_647 ? Number(value) : undefined);

function viewOf(request: Request): ViewState {
  const q = typeof request.query.q === 'string' ? request.query.q.trim().slice(0, 120) : '';
  return { unitId: idOrUndefined(request.query.unitId), q, person: idOrUndefined(request.query.person), rolesUnitId: idOrUndefined(request.query.rolesUnitId), signingUnitId: idOrUndefined(request.query.signingUnitId) };
}

function viewQuery(view: ViewState, extra: Record<string, string | number | undefined> = {}): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries({ unitId: view.unitId, q: view.q || undefined, person: view.person, rolesUnitId: view.rolesUnitId, signingUnitId: view.signingUnitId, ...extra })) {
    if (value !== undefined && value !== '') query.set(name, String(value));
  }
  return query.toString();
}

const fileBase64 = (file: UploadedFileLike | undefined) => (file && file.buffer.length > 0 ? file.buffer.toString('base64') : undefined);

/**
 * The administrator's page (`/admin`), rendered on the server; every action a plain form (files as
 * multipart, the CSRF token in the action's query), answered by a redirect with the outcome, or the
 * page again with each refusal at its field. The same services and policies as /api/admin.
 */
@ApiExcludeController()
@Controller('admin')
@UseFilters(PageErrorFilter)
export class AdminPage {
  constructor(
    private readonly cycles: CycleAdministration,
    private readonly people: PeopleAdministration,
    private readonly directory: PeopleDirectory,
    private readonly auth: AuthService,
    private readonly credentials: SigningCredentials,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  // Any administrator reaches the page; it shows only data sets the person administers (?unitId= picks among them).
  @Get()
  @Policy({ roles: ADMINISTRATORS, scope: 'any-unit' })
  async admin(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.show(actor, request, response);
  }

  @Post('cycles')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.body('unitId') })
  async openCycle(@Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const values: Record<string, string> = {};
    const fields: Partial<Record<CycleField, string>> = {};
    for (const name of ['year', 'deadline', 'periodStart', 'periodEnd', 'reminderOffsets', 'escalationDays'] as const) values[name] = formText(body, name);
    const year = parseWholeNumber(values.year);
    if (typeof year !== 'number') fields.year = 'Năm phải là một số, từ 2015 đến 2100.';
    const day = (name: 'deadline' | 'periodStart' | 'periodEnd') => {
      if (!values[name]) return undefined;
      const iso = parseCivilDate(values[name]);
      if (!CIVIL_DAY.test(iso)) fields[name] = 'Ngày phải có dạng dd/mm/yyyy.';
      return iso;
    };
    const options: OpenCycleOptions = { deadline: day('deadline'), periodStart: day('periodStart'), periodEnd: day('periodEnd') };
    if (values.reminderOffsets) {
      const offsets = values.reminderOffsets.split(/[,;\s]+/).filter(Boolean).map(parseWholeNumber);
      if (offsets.some((n) => typeof n !== 'number')) fields.reminderOffsets = 'Các mốc nhắc hạn là số ngày làm việc, cách nhau bởi dấu phẩy (ví dụ: 5, 1).';
      else options.reminderOffsets = offsets as number[];
    }
    if (values.escalationDays) {
      const days = parseWholeNumber(values.escalationDays);
      if (typeof days !== 'number') fields.escalationDays = 'Số ngày làm việc phải là một số, từ 0 đến 30.';
      else options.escalationDays = days;
    }
    if (formText(body, 'confirm') !== 'yes') fields.confirm = 'Hãy đánh dấu xác nhận: mở kỳ báo cáo giao nhiệm vụ cho mọi đơn vị và phát hành công văn.';
    const refuse = (status: number, problems: Partial<Record<CycleField, string>>) =>
      this.show(actor, request, response, { status, fields: prefixed('cycle-', problems), values: prefixed('cycle-', values), message: Object.values(problems)[0] ?? 'Chưa mở được kỳ báo cáo.' });
    if (Object.keys(fields).length > 0) return refuse(422, fields);
    const unitId = parseId(formText(body, 'unitId'), 'unitId');
    try {
      await this.cycles.openCycle(unitId, year as number, actor, options);
    } catch (error) {
      // The period's end left to its default and a deadline typed before it: the deadline is what the person changed.
      const at = (path: string) => (path === 'periodEnd' && !values.periodEnd && values.deadline ? 'deadline' : path in values ? path : 'year');
      if (error instanceof ValidationFailedError) return refuse(422, Object.fromEntries(error.fields.map((f) => [at(f.path), f.message])));
      if (error instanceof ConflictError) return refuse(409, { year: error.message });
      throw error;
    }
    response.redirect(303, `/admin?${viewQuery(viewOf(request), { done: 'cycle-opened', year: year as number })}`);
  }

  @Post('data-sets/import')
  @Policy({ roles: ADMINISTRATORS, scope: 'any-unit' })
  async importDataSet(@Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.importing(actor, request, response, 'data-set-id', () => this.cycles.importDataSet(formText(body, 'dataSetId')));
  }

  @Post('data-sets/upload')
  @Policy({ roles: ADMINISTRATORS, scope: 'any-unit' })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: DATA_SET_UPLOAD_LIMITS.maxBytes + 1, files: 1, fields: 5 } }))
  async uploadDataSet(@UploadedFile() file: UploadedFileLike | undefined, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.importing(actor, request, response, 'data-set-file', () => this.cycles.importUploadedDataSet(file, actor));
  }

  @Post('people/import')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.query('unitId') })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: PEOPLE_SHEET_LIMITS.maxBytes + 1, files: 1, fields: 5 } }))
  async importPeople(@UploadedFile() file: UploadedFileLike | undefined, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    let result;
    try {
      result = await this.people.importPeople(parseId(request.query.unitId, 'unitId'), file, actor);
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      const rows = error.fields.filter((f) => f.path.startsWith('rows.')).map((f) => f.message);
      const message = error.fields.length === 1 && rows.length === 0 ? `${error.fields[0].message}.` : error.message;
      return this.show(actor, request, response, { status: 422, fields: { 'people-file': message }, rows, message });
    }
    response.redirect(303, `/admin?${viewQuery(viewOf(request), { done: 'people-imported', rows: result.rows, peopleInserted: result.peopleInserted, rolesInserted: result.rolesInserted })}`);
  }

  @Post('people/:id/password')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.resolver(PersonUnitsResolver) })
  async setPassword(@Param('id') id: string, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const personId = parseId(id, 'id');
    const newPassword = formText(body, 'newPassword', { trim: false });
    const field = `reset-${personId}`;
    if (newPassword.length < PASSWORD_MIN_LENGTH || newPassword.length > PASSWORD_MAX_LENGTH) {
      const message = `Mật khẩu mới phải có từ ${PASSWORD_MIN_LENGTH} đến ${PASSWORD_MAX_LENGTH} ký tự.`;
      return this.show(actor, request, response, { status: 422, fields: { [field]: message }, message });
    }
    try {
      await this.auth.resetPassword(actor, personId, newPassword);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
      const message = 'Không đặt lại mật khẩu của chính mình ở đây: hãy đổi mật khẩu trong trang Tài khoản.';
      return this.show(actor, request, response, { status: 409, fields: { [field]: message }, message });
    }
    response.redirect(303, `/admin?${viewQuery(viewOf(request), { done: 'password-set', for: personId })}`);
  }

  @Post('people/:id/roles')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.resolver(PersonAndTargetUnitResolver) })
  async setRoles(@Param('id') id: string, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const personId = parseId(id, 'id');
    const unitId = parseId(formText(body, 'unitId'), 'unitId');
    const roles = formList(body, 'roles');
    const view = { ...viewOf(request), rolesUnitId: unitId };
    const refuse = (status: number, message: string) => this.show(actor, request, response, { status, fields: { 'roles-boxes': message }, values: { roles: roles.join(' ') }, message }, view);
    if (roles.some((r) => !(ALL_ROLES as string[]).includes(r))) return refuse(422, 'Vai trò không hợp lệ.');
    try {
      await this.people.setRoles(personId, unitId, roles as Role[], actor);
    } catch (error) {
      if (error instanceof ValidationFailedError) return refuse(422, error.fields.map((f) => f.message).join(' '));
      if (error instanceof ConflictError) return refuse(409, error.message);
      throw error;
    }
    response.redirect(303, `/admin?${viewQuery(view, { done: 'roles-set', for: personId })}#person-title`);
  }

  @Post('people/:id/reassign-tasks')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.resolver(PersonUnitsResolver) })
  async reassign(@Param('id') id: string, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const personId = parseId(id, 'id');
    const toLogin = formText(body, 'toLogin');
    const deactivate = formText(body, 'deactivate') === 'yes';
    const refuse = (status: number, message: string) => this.show(actor, request, response, { status, fields: { 'to-login': message }, values: { 'to-login': toLogin, deactivate: deactivate ? 'yes' : '' }, message });
    if (!LOGIN.test(toLogin)) return refuse(422, 'Nhập tên đăng nhập của người nhận việc (chữ thường, không dấu, ví dụ staff.21211@quang-ngai-2025).');
    let result;
    try {
      result = await this.people.reassignTasks(personId, toLogin, deactivate, actor);
    } catch (error) {
      if (error instanceof ValidationFailedError) return refuse(422, error.fields.map((f) => f.message).join(' '));
      if (error instanceof ConflictError) return refuse(409, error.message);
      throw error;
    }
    response.redirect(303, `/admin?${viewQuery(viewOf(request), { done: 'tasks-reassigned', for: personId, count: result.reassigned.length, to: toLogin, locked: result.deactivated ? 1 : 0 })}#person-title`);
  }

  @Post('signing/units/:unitId')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.param('unitId') })
  @UseInterceptors(FileFieldsInterceptor([{ name: 'pkcs12', maxCount: 1 }, { name: 'seal', maxCount: 1 }], { limits: { fileSize: CREDENTIAL_LIMITS.imageBytes + 1, files: 2, fields: 5 } }))
  async saveUnitSigning(@Param('unitId') unitParam: string, @UploadedFiles() files: { pkcs12?: UploadedFileLike[]; seal?: UploadedFileLike[] }, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const unitId = parseId(unitParam, 'unitId');
    const pkcs12 = fileBase64(files?.pkcs12?.[0]);
    const seal = fileBase64(files?.seal?.[0]);
    const diameter = parseWholeNumber(formText(body, 'diameterMm') || '36');
    const view = { ...viewOf(request), signingUnitId: unitId };
    const refuse = (field: string, message: string, status = 422) => this.show(actor, request, response, { status, fields: { [field]: message }, values: { 'unit-seal-mm': formText(body, 'diameterMm') }, message }, view);
    if (!pkcs12 && !seal) return refuse('unit-p12', 'Chọn tệp PKCS#12 hoặc ảnh con dấu.');
    if (seal && (typeof diameter !== 'number' || diameter < 20 || diameter > 60)) return refuse('unit-seal-mm', 'Đường kính con dấu từ 20 đến 60 mm.');
    try {
      if (pkcs12) await this.credentials.putUnitCertificate(actor, unitId, { pkcs12, passphrase: formText(body, 'passphrase', { trim: false }) });
    } catch (error) {
      return this.refusedUpload(error, (message, status) => refuse(/passphrase/.test(fieldOf(error)) ? 'unit-passphrase' : 'unit-p12', message, status));
    }
    try {
      if (seal) await this.credentials.putUnitSeal(actor, unitId, seal, diameter as number);
    } catch (error) {
      return this.refusedUpload(error, (message, status) => refuse('unit-seal', pkcs12 ? `Đã lưu chứng thư số; ảnh con dấu chưa lưu: ${message}` : message, status));
    }
    response.redirect(303, `/admin?${viewQuery(view, { done: 'unit-signing-saved' })}#signing-title`);
  }

  // The person is chosen among the people of the unit shown (a form field): the policy is the unit's
  // (?signingUnitId=), and the page checks the person holds a role there.
  @Post('signing/people')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.query('signingUnitId') })
  @UseInterceptors(FileFieldsInterceptor([{ name: 'key', maxCount: 1 }, { name: 'image', maxCount: 1 }], { limits: { fileSize: CREDENTIAL_LIMITS.imageBytes + 1, files: 2, fields: 5 } }))
  async savePersonSigning(@UploadedFiles() files: { key?: UploadedFileLike[]; image?: UploadedFileLike[] }, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const unitId = parseId(request.query.signingUnitId, 'signingUnitId');
    const view = { ...viewOf(request), signingUnitId: unitId };
    const personId = idOrUndefined(formText(body, 'personId'));
    const refuse = (field: string, message: string, status = 422) => this.show(actor, request, response, { status, fields: { [field]: message }, values: { 'person-id': formText(body, 'personId') }, message }, view);
    if (!personId || !(await this.dataSource.getRepository(RoleAssignmentEntity).existsBy({ personId, unitId }))) return refuse('person-id', 'Chọn người ký trong danh sách của đơn vị.');
    const keyFile = files?.key?.[0];
    const key = fileBase64(keyFile);
    const image = fileBase64(files?.image?.[0]);
    if (!key && !image) return refuse('person-key', 'Chọn tệp chứng thư số hoặc ảnh chữ ký.');
    try {
      if (key && keyFile) {
        const isPkcs12 = /\.(p12|pfx)$/i.test(keyFile.originalname);
        const isPem = keyFile.buffer.toString('latin1', 0, 64).includes('-----BEGIN');
        await this.credentials.putPersonCertificate(actor, personId, isPkcs12 ? { pkcs12: key, passphrase: formText(body, 'passphrase', { trim: false }) } : { certificate: isPem ? keyFile.buffer.toString('latin1') : key });
      }
    } catch (error) {
      return this.refusedUpload(error, (message, status) => refuse(/passphrase/.test(fieldOf(error)) ? 'person-passphrase' : 'person-key', message, status));
    }
    try {
      if (image) await this.credentials.putPersonImage(actor, personId, image);
    } catch (error) {
      return this.refusedUpload(error, (message, status) => refuse('person-image', key ? `Đã lưu chứng thư số; ảnh chữ ký chưa lưu: ${message}` : message, status));
    }
    response.redirect(303, `/admin?${viewQuery(view, { done: 'person-signing-saved', for: personId })}#signing-title`);
  }

  @Post('signing/units/:unitId/remove')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.param('unitId') })
  async removeUnitSigning(@Param('unitId') unitParam: string, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const unitId = parseId(unitParam, 'unitId');
    await this.removing(actor, request, response, { ...viewOf(request), signingUnitId: unitId }, () => this.credentials.removeUnit(actor, unitId));
  }

  @Post('signing/people/:id/remove')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.resolver(PersonUnitsResolver) })
  async removePersonSigning(@Param('id') id: string, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const personId = parseId(id, 'id');
    await this.removing(actor, request, response, viewOf(request), () => this.credentials.removePerson(actor, personId));
  }

  private async removing(actor: Actor, request: Request, response: Response, view: ViewState, remove: () => Promise<void>): Promise<void> {
    try {
      await remove();
    } catch (error) {
      if (error instanceof NotFoundError) return this.show(actor, request, response, { status: 404, message: 'Không có chứng thư số nào để gỡ.' }, view);
      throw error;
    }
    response.redirect(303, `/admin?${viewQuery(view, { done: 'signing-removed' })}#signing-title`);
  }

  private async refusedUpload(error: unknown, refuse: (message: string, status: number) => Promise<void>): Promise<void> {
    if (error instanceof ValidationFailedError) return refuse(error.fields.map((f) => f.message).join(' '), 422);
    if (error instanceof ConflictError) return refuse(error.message, 409);
    throw error;
  }

  private async importing(actor: Actor, request: Request, response: Response, field: string, work: () => Promise<{ dataSetId: string; units: { inserted: number; updated: number }; people: { inserted: number } }>): Promise<void> {
    let summary;
    try {
      summary = await work();
    } catch (error) {
      if (!(error instanceof ValidationFailedError)) throw error;
      const message = error.fields.map((f) => f.message).join(' ');
      return this.show(actor, request, response, { status: 422, fields: { [field]: message }, message });
    }
    response.redirect(303, `/admin?${viewQuery(viewOf(request), { done: 'data-set-imported', dataSet: summary.dataSetId, unitsInserted: summary.units.inserted, unitsUpdated: summary.units.updated, peopleInserted: summary.people.inserted })}`);
  }

  /** The outcome of the action that redirected here, from its query (numbers and ids checked). */
  private doneMessage(request: Request, people: DirectoryEntry[], signers: { id: number; fullName: string }[]): string | undefined {
    const q = request.query;
    const n = (name: string) => (typeof q[name] === 'string' && /^\d{1,6}$/.test(q[name] as string) ? Number(q[name]) : 0);
    const who = (list: { id: number; fullName: string }[]) => list.find((p) => p.id === n('for'))?.fullName ?? 'người dùng';
    switch (q.done) {
      case 'cycle-opened':
        return `Đã mở kỳ báo cáo năm ${n('year')}.`;
      case 'data-set-imported':
        return typeof q.dataSet === 'string' && DATA_SET_ID.test(q.dataSet) ? `Đã nhập bộ dữ liệu ${q.dataSet}: ${n('unitsInserted')} đơn vị mới, ${n('unitsUpdated')} đơn vị cập nhật, ${n('peopleInserted')} người dùng mới.` : undefined;
      case 'people-imported':
        return `Đã nhập ${n('rows')} dòng: ${n('peopleInserted')} người dùng mới, ${n('rolesInserted')} vai trò mới. Người dùng mới đăng nhập được sau khi quản trị viên đặt mật khẩu.`;
      case 'password-set':
        return `Đã đặt lại mật khẩu cho ${who(people)}; các phiên đăng nhập của người này đã bị đóng.`;
      case 'roles-set':
        return `Đã cập nhật vai trò của ${who(people)}.`;
      case 'tasks-reassigned':
        return typeof q.to === 'string' && LOGIN.test(q.to) ? `Đã giao ${n('count')} nhiệm vụ của ${who(people)} cho ${q.to}${n('locked') ? '; tài khoản người nghỉ việc đã bị khóa' : ''}.` : undefined;
      case 'unit-signing-saved':
        return 'Đã lưu chứng thư số và con dấu của đơn vị.';
      case 'person-signing-saved':
        return `Đã lưu chữ ký số của ${who(signers)}.`;
      case 'signing-removed':
        return 'Đã gỡ chứng thư số và ảnh.';
      default:
        return undefined;
    }
  }

  private async show(actor: Actor, request: Request, response: Response, refusal?: Refusal, viewOverride?: ViewState): Promise<void> {
    const view = viewOverride ?? viewOf(request);
    const administered = [...new Map(actor.holdings.filter((h) => h.role === Role.Administrator).map((h) => [h.dataSetId, h])).values()].sort((a, b) => compareVietnamese(a.dataSetId, b.dataSetId));
    const chosen = administered.find((h) => h.unitId === view.unitId) ?? administered[0];
    const overview = await this.cycles.overview(chosen.unitId);
    const units = [...overview.units].sort((a, b) => compareVietnamese(a.name, b.name));
    const signingUnitId = view.signingUnitId && overview.units.some((u) => u.id === view.signingUnitId) ? view.signingUnitId : chosen.unitId;
    const [people, credentials, signers] = await Promise.all([view.q.length >= 2 ? this.directory.search(chosen.unitId, view.q) : Promise.resolve([]), this.credentials.list(signingUnitId), this.peopleOf(signingUnitId)]);
    const person = people.find((p) => p.id === view.person);
    const held = person ? await this.people.heldTasks(person.id) : [];
    const fieldError = (id: string) => refusal?.fields?.[id];
    const value = (id: string, fallback = '') => refusal?.values?.[id] ?? fallback;
    const field = (id: string, extra: Record<string, unknown> = {}) => ({ id, error: fieldError(id), value: value(id), ...extra });
    const state: ViewState = { ...view, unitId: chosen.unitId, signingUnitId };
    const years = new Set(overview.cycles.map((c) => c.year));
    const suggested = years.has(yearNow()) ? yearNow() + 1 : yearNow();

    // Roles of the chosen person: one unit at a time, every role a checkbox.
    let roles;
    if (person) {
      const personUnits = [...new Map(person.roles.map((r) => [r.unitId, r.unitName])).entries()].sort((a, b) => compareVietnamese(a[1], b[1]));
      const rolesUnitId = view.rolesUnitId && overview.units.some((u) => u.id === view.rolesUnitId) ? view.rolesUnitId : personUnits[0]?.[0] ?? units[0]?.id;
      const typed = refusal?.values?.roles !== undefined ? new Set(refusal.values.roles.split(' ')) : undefined;
      const heldThere = new Set(person.roles.filter((r) => r.unitId === rolesUnitId).map((r) => r.role));
      roles = {
        unitId: rolesUnitId,
        unitName: overview.units.find((u) => u.id === rolesUnitId)?.name ?? personUnits.find(([id]) => id === rolesUnitId)?.[1] ?? '',
        ownUnits: personUnits.map(([id, name]) => ({ id, name, selected: id === rolesUnitId })),
        otherUnits: units.filter((u) => !personUnits.some(([id]) => id === u.id)).map((u) => ({ id: u.id, name: `${u.name} (${u.code})`, selected: u.id === rolesUnitId })),
        boxes: ALL_ROLES.map((role) => ({ key: role, label: ROLE_LABELS[role] ?? role, checked: typed ? typed.has(role) : heldThere.has(role) })),
        error: fieldError('roles-boxes'),
        none: personUnits.length === 0,
      };
    }

    const done = this.doneMessage(request, people, signers);
    this.pages.send(
      response,
      'admin',
      this.shells.forActor(request, actor, 'Quản trị', { done: done && typeof request.query.done === 'string' ? { [request.query.done]: done } : undefined, errors: refusal ? [refusal.message] : [] }),
      {
        state: viewQuery(state),
        unitId: chosen.unitId,
        picker: administered.length > 1 ? administered.map((h) => ({ unitId: h.unitId, label: h.dataSetId, selected: h === chosen })) : undefined,
        dataSet: { ...overview.dataSet, importedAt: formatDate(overview.dataSet.importedAt) },
        cycles: overview.cycles.map((c) => ({ year: c.year, status: CYCLE_STATUS[c.status] ?? c.status, deadline: formatDate(c.deadlineAt), period: `${formatCivilDate(c.periodStart)} – ${formatCivilDate(c.periodEnd)}` })),
        cycleForm: {
          year: field('cycle-year', { value: value('cycle-year', String(suggested)) }),
          deadline: field('cycle-deadline'),
          periodStart: field('cycle-periodStart'),
          periodEnd: field('cycle-periodEnd'),
          reminderOffsets: field('cycle-reminderOffsets'),
          escalationDays: field('cycle-escalationDays'),
          confirm: field('cycle-confirm'),
        },
        available: overview.available.map((d) => ({ id: d.id, label: `${d.id}${d.imported ? ' (đã nhập)' : ' (chưa nhập)'}`, selected: d.id === overview.dataSet.id })),
        dataSetId: field('data-set-id'),
        dataSetFile: field('data-set-file', { maxMb: DATA_SET_UPLOAD_LIMITS.maxBytes / 1024 / 1024 }),
        peopleFile: field('people-file', { rows: refusal?.rows ?? [] }),
        q: view.q,
        searched: view.q.length >= 2,
        people: people.map((p) => ({
          id: p.id,
          login: p.login,
          fullName: p.fullName,
          active: p.active,
          roles: p.roles.map((r) => `${ROLE_LABELS[r.role] ?? r.role} – ${r.unitName}`),
          reset: field(`reset-${p.id}`),
          manage: `/admin?${viewQuery({ ...state, person: p.id, rolesUnitId: undefined })}#person-title`,
        })),
        many: people.length >= 50,
        person: person && {
          id: person.id,
          fullName: person.fullName,
          login: person.login,
          roles,
          tasks: held.map((t) => ({ key: t.taskKey, text: `${t.name} – ${t.unitName ?? ''}${t.dueAt ? `, hạn ${formatDate(t.dueAt)}` : ''}` })),
          toLogin: field('to-login'),
          deactivate: refusal?.values?.deactivate !== undefined ? refusal.values.deactivate === 'yes' : person.active,
        },
        signing: {
          unitId: signingUnitId,
          units: units.map((u) => ({ id: u.id, name: u.name, selected: u.id === signingUnitId })),
          credentials: credentials.map((c) => ({
            ownerKey: c.ownerKey,
            owner: c.ownerKind === 'unit' ? `Đơn vị: ${c.ownerName}` : c.ownerName,
            mode: MODE_LABELS[c.mode] ?? c.mode,
            subject: c.subject,
            issuer: c.issuer,
            validity: `${formatDate(c.notBefore)} – ${formatDate(c.notAfter)}`,
            fingerprint: c.fingerprint,
            fingerprintShort: `${c.fingerprint.slice(0, 16)}…`,
            image: c.hasImage ? (c.ownerKind === 'unit' ? `Có (đường kính ${c.sealDiameterMm ?? 36} mm)` : 'Có') : 'Chưa có',
            remove: c.ownerKind === 'unit' ? `/admin/signing/units/${c.ownerId}/remove` : `/admin/signing/people/${c.ownerId}/remove`,
          })),
          signers: signers.map((p) => ({ id: p.id, label: `${p.fullName} (${p.login})`, selected: String(p.id) === value('person-id') })),
          fields: {
            unitP12: field('unit-p12'),
            unitPassphrase: field('unit-passphrase'),
            unitSeal: field('unit-seal'),
            unitSealMm: field('unit-seal-mm', { value: value('unit-seal-mm', '36') }),
            personId: field('person-id'),
            personKey: field('person-key'),
            personPassphrase: field('person-passphrase'),
            personImage: field('person-image'),
          },
        },
        passwordMin: PASSWORD_MIN_LENGTH,
      },
      refusal?.status ?? 200,
    );
  }

  /** The people holding a role in the unit (those whose certificate and image the section manages). */
  private async peopleOf(unitId: number): Promise<{ id: number; fullName: string; login: string }[]> {
    const ids = [...new Set((await this.dataSource.getRepository(RoleAssignmentEntity).find({ where: { unitId }, select: ['personId'] })).map((a) => a.personId))];
    if (ids.length === 0) return [];
    const people = await this.dataSource.getRepository(PersonEntity).find({ where: { id: In(ids) }, select: ['id', 'fullName', 'login'] });
    return people.sort((a, b) => compareVietnamese(a.fullName, b.fullName));
  }
}

function prefixed(prefix: string, entries: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(entries).filter((e): e is [string, string] => e[1] !== undefined).map(([k, v]) => [`${prefix}${k}`, v]));
}

function fieldOf(error: unknown): string {
  return error instanceof ValidationFailedError ? error.fields.map((f) => f.path).join(' ') : '';
}
