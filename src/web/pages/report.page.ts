import { Body, Controller, Get, Injectable, Param, Post, Req, Res, UploadedFile, UseFilters, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { DataSource } from 'typeorm';
import { Actor, CurrentActor } from '../../access/actor';
import { Policy, unitFrom } from '../../access/policy';
import { ReportReceiverResolver } from '../../consolidation/consolidation-unit.resolver';
import { ConsolidationService } from '../../consolidation/consolidation.service';
import { CycleEntity } from '../../cycles/cycle.entity';
import { IssuedDocumentEntity } from '../../documents/issuing/issued-document.entity';
import { IdPipe } from '../../http/ids';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { EVIDENCE_LIMITS, UploadedEvidence } from '../../reports/evidence-files';
import { FieldDefinition, FormDefinition, formById } from '../../reports/form/form-definition';
import { ReportValues } from '../../reports/form/report-values';
import { ReportUnitResolver } from '../../reports/report-unit.resolver';
import { ReportEntity } from '../../reports/report.entity';
import { ReportsService } from '../../reports/reports.service';
import { ConflictError, FieldProblem, NotFoundError, ValidationFailedError } from '../../shared/errors';
import { formText } from '../form-body';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';
import { formatCivilDate, formatDateTime, formatNumber, parseCivilDate, parseWholeNumber } from '../views/view-formats';

const READERS = [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk];
const REVIEWERS = [Role.DivisionHead, Role.Head, Role.Deputy];
const EDITABLE: ReportEntity['status'][] = ['not-started', 'drafting', 'returned'];
const DECISIONS: Record<string, string> = { approved: 'Phê duyệt', returned: 'Trả lại' };
const STAGES: Record<string, string> = { division: 'Trưởng phòng', head: 'Thủ trưởng' };
const DONE = {
  saved: 'Đã lưu bản nháp.',
  submitted: 'Đã nộp báo cáo để xem xét.',
  prefilled: 'Đã lấy số liệu năm trước vào bản nháp.',
  approved: 'Đã phê duyệt báo cáo.',
  returned: 'Đã trả lại báo cáo kèm ý kiến.',
  evidence: 'Đã đính kèm tài liệu minh chứng.',
  paper: 'Đã nhập hộ báo cáo giấy.',
};
const ofTheReport = unitFrom.resolver(ReportUnitResolver);

/** The unit of `/report?id=N`: the report's unit (an id that is not one is a report that does not exist). */
@Injectable()
export class ReportPageUnitResolver extends ReportUnitResolver {
  protected override reportIdOf(request: Request): number {
    const id = reportIdOf(request.query.id);
    if (id === null) throw new NotFoundError(`Báo cáo số ${String(request.query.id ?? '')}`);
    return id;
  }
}

function reportIdOf(value: unknown): number | null {
  return typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value) && Number(value) <= 2_147_483_647 ? Number(value) : null;
}

/** What a form sent back is re-shown with: the values as typed and each problem at its field. */
interface Retry {
  /** Field path → text as typed (the report form, or the paper entry). */
  typed?: Record<string, string>;
  problems?: FieldProblem[];
  comment?: string;
  reference?: string;
  /** Re-show the paper entry (its POST failed). */
  paper?: boolean;
  errors?: string[];
  status?: number;
}

/**
 * One unit's yearly report (`/report?id=N`), rendered on the server: the form drawn from the form
 * definition, save and submit, prefill, evidence, review, versions and their diff, the issued
 * document, and the consolidator's entry of a paper report (`&paper=1`). Every action is a plain
 * form answered by a redirect (303 `?done=`), or the form again with its errors at their fields (422);
 * the rules are the services' (the API's): nothing is checked here that they do not check.
 */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class ReportPage {
  constructor(
    private readonly reports: ReportsService,
    private readonly consolidations: ConsolidationService,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('report')
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: unitFrom.resolver(ReportPageUnitResolver) })
  async report(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.show(actor, request, response, reportIdOf(request.query.id)!);
  }

  @Post('reports/:id/draft')
  @Policy({ roles: [Role.Staff], scope: 'own-unit', unit: ofTheReport })
  async saveOrSubmit(@Param('id', IdPipe) id: number, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const form = formById((await this.reports.getReport(id)).formId);
    const submit = formText(body, 'action') === 'submit';
    try {
      await this.reports.saveDraft(id, valuesFrom(form, body), actor);
      if (submit) await this.reports.submit(id, actor);
    } catch (error) {
      return this.refused(error, actor, request, response, id, { typed: typedFrom(form, body) });
    }
    response.redirect(303, `/report?id=${id}&done=${submit ? 'submitted' : 'saved'}`);
  }

  @Post('reports/:id/prefill')
  @Policy({ roles: [Role.Staff], scope: 'own-unit', unit: ofTheReport })
  async prefill(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    try {
      await this.reports.prefillFromPreviousYear(id, actor);
    } catch (error) {
      if (error instanceof NotFoundError) return this.show(actor, request, response, id, { errors: ['Không có báo cáo năm trước đã phê duyệt của đơn vị để lấy số liệu.'], status: 404 });
      return this.refused(error, actor, request, response, id, {});
    }
    response.redirect(303, `/report?id=${id}&done=prefilled`);
  }

  @Post('reports/:id/review')
  @Policy({ roles: REVIEWERS, scope: 'own-unit', unit: ofTheReport })
  async review(@Param('id', IdPipe) id: number, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const decision = formText(body, 'decision');
    const comment = formText(body, 'comment', { trim: false });
    if (decision !== 'approved' && decision !== 'returned') {
      return this.show(actor, request, response, id, { comment, errors: ['Hãy chọn Phê duyệt hoặc Trả lại để sửa.'], status: 422 });
    }
    // The version the form was shown for: a page left open over a resubmission does not decide on the new one.
    const version = formText(body, 'version');
    const shownVersion = /^\d{1,9}$/.test(version) ? Number(version) : undefined;
    try {
      await this.reports.review(id, decision, comment, actor, shownVersion);
    } catch (error) {
      return this.refused(error, actor, request, response, id, { comment });
    }
    response.redirect(303, `/report?id=${id}&done=${decision}`);
  }

  @Post('reports/:id/evidence')
  @Policy({ roles: [Role.Staff], scope: 'own-unit', unit: ofTheReport })
  // The CSRF token comes in the action's query (the guard runs before multer); one more byte than allowed reaches the check, which names the limit.
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: EVIDENCE_LIMITS.maxBytes + 1, files: 1, fields: 2 } }))
  async attach(@Param('id', IdPipe) id: number, @UploadedFile() file: UploadedEvidence | undefined, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    try {
      await this.reports.attachEvidence(id, file, actor);
    } catch (error) {
      return this.refused(error, actor, request, response, id, {});
    }
    response.redirect(303, `/report?id=${id}&done=evidence`);
  }

  @Post('reports/:id/paper')
  @Policy({ roles: [Role.Consolidator, Role.Clerk], scope: 'own-unit', unit: unitFrom.resolver(ReportReceiverResolver) })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: EVIDENCE_LIMITS.maxBytes + 1, files: 1, fields: 300, fieldSize: 200_000 } }))
  async enterPaper(@Param('id', IdPipe) id: number, @Body() body: unknown, @UploadedFile() file: UploadedEvidence | undefined, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const form = formById((await this.reports.getReport(id)).formId);
    const reference = formText(body, 'reference');
    try {
      await this.consolidations.enterPaperReport(id, { values: valuesFrom(form, body), reference }, file, actor);
    } catch (error) {
      return this.refused(error, actor, request, response, id, { typed: typedFrom(form, body), reference, paper: true });
    }
    response.redirect(303, `/report?id=${id}&done=paper`);
  }

  /** A refusal the person can act on, shown on the page (422 at the fields, 409 as a message); anything else is the error page's. */
  private refused(error: unknown, actor: Actor, request: Request, response: Response, id: number, retry: Retry): Promise<void> {
    if (error instanceof ValidationFailedError) {
      const count = error.fields.length;
      return this.show(actor, request, response, id, { ...retry, problems: error.fields, errors: [count > 1 ? `Có ${count} ô chưa hợp lệ: xem thông báo ở từng ô.` : 'Có ô chưa hợp lệ: xem thông báo ở ô đó.'], status: 422 });
    }
    if (error instanceof ConflictError) return this.show(actor, request, response, id, { ...retry, errors: [error.message], status: 409 });
    throw error;
  }

  private async show(actor: Actor, request: Request, response: Response, id: number, retry: Retry = {}): Promise<void> {
    const [report, versions, reviews, evidence] = await Promise.all([this.reports.getReport(id), this.reports.versions(id), this.reports.reviews(id), this.reports.evidence(id)]);
    const [cycle, unit, document] = await Promise.all([
      this.dataSource.getRepository(CycleEntity).findOneByOrFail({ id: report.cycleId }),
      this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: report.unitId }),
      report.issuedDocumentId ? this.dataSource.getRepository(IssuedDocumentEntity).findOneBy({ id: report.issuedDocumentId }) : null,
    ]);
    const form = formById(report.formId);
    const holds = (roles: Role[], unitId: number | null) => actor.holdings.some((h) => h.unitId === unitId && roles.includes(h.role));
    const isStaff = holds([Role.Staff], report.unitId);
    const paper =
      (retry.paper || request.query.paper === '1') && holds([Role.Consolidator, Role.Clerk], unit.reportsToId) && report.approvedVersion === null && !report.onPaper;
    const canEdit = paper || (EDITABLE.includes(report.status) && isStaff);
    const canReview = report.status === 'in-review' && holds(REVIEWERS, report.unitId);
    const problems = retry.problems ?? [];
    const problemAt = (path: string) => problems.filter((p) => p.path === path).map((p) => p.message).join(' ') || undefined;

    // What the form shows is compared with the version before it: the last submitted one while
    // staff work on a new draft, the one before the submitted one while it is reviewed.
    const newestFirst = [...versions].sort((a, b) => b.versionNo - a.versionNo);
    const previous = EDITABLE.includes(report.status) ? newestFirst[0] : newestFirst[1];
    const typeOf = new Map<string, FieldDefinition['type'] | 'narrative'>();
    const known = new Set<string>();
    const field = (path: string, definition: FieldDefinition | (Omit<FieldDefinition, 'type' | 'aggregate'> & { type: 'narrative' }), saved: unknown, before: unknown) => {
      known.add(path);
      typeOf.set(path, definition.type);
      const inputId = `f-${path.replace(/\./g, '-')}`;
      const hint = [definition.unit ? `Đơn vị tính: ${definition.unit}` : '', definition.type === 'date' ? 'dd/mm/yyyy' : '', definition.type === 'money' ? 'đồng' : ''].filter(Boolean).join(' · ');
      const value = retry.typed ? (retry.typed[path] ?? '') : asTyped(saved, definition.type);
      const error = problemAt(path);
      const select = definition.type === 'boolean' || definition.type === 'choice';
      const changed = previous !== undefined && !same(before, saved);
      return {
        path,
        inputId,
        type: definition.type,
        label: definition.label,
        required: definition.required,
        hint,
        describedBy: [`${inputId}-error`, hint ? `${inputId}-hint` : ''].filter(Boolean).join(' '),
        value,
        error,
        select,
        options: select
          ? [{ value: '', label: '— chọn —' }, ...(definition.type === 'boolean' ? [{ value: 'true', label: 'Có' }, { value: 'false', label: 'Không' }] : (definition.choices ?? []).map((c) => ({ value: c, label: c })))].map((o) => ({ ...o, selected: o.value === value }))
          : [],
        textarea: definition.type === 'narrative' || (definition.type === 'text' && (definition.maxLength ?? 0) > 300),
        rows: definition.type === 'narrative' ? 5 : 3,
        numeric: definition.type === 'integer' || definition.type === 'money' || definition.type === 'date',
        placeholder: definition.type === 'date' ? 'dd/mm/yyyy' : undefined,
        maxLength: definition.maxLength,
        changed,
        previous: changed ? { versionNo: previous!.versionNo, text: display(before, definition.type) || '(trống)' } : undefined,
      };
    };
    const sections = form.sections.map((section) => ({
      title: section.title,
      fields: section.fields.map((f) => field(`figures.${section.key}.${f.key}`, f, report.draftValues.figures?.[section.key]?.[f.key], previous?.values.figures?.[section.key]?.[f.key])),
    }));
    sections.push({
      title: 'Đánh giá chung',
      fields: form.narratives.map((n) => field(`narratives.${n.key}`, { ...n, type: 'narrative' }, report.draftValues.narratives?.[n.key], previous?.values.narratives?.[n.key])),
    });
    const elsewhere = problems.filter((p) => !known.has(p.path) && !['comment', 'file', 'reference'].includes(p.path)).map((p) => p.message);

    const latestReturn = [...reviews].reverse().find((r) => r.versionNo === report.currentVersion && r.decision === 'returned');
    const diffPair = this.diffPair(request, newestFirst.map((v) => v.versionNo));
    const changes = diffPair ? await this.reports.diff(id, diffPair.from, diffPair.to) : null;
    const title = `Báo cáo năm ${cycle.year} – ${unit.nameWithType}`;
    this.pages.send(
      response,
      'report',
      this.shells.forActor(request, actor, title, { done: DONE, errors: retry.errors, script: canEdit && !paper ? 'report.js' : undefined }),
      {
        id,
        status: report.status,
        submittedTimes: report.currentVersion,
        updatedAt: formatDateTime(report.updatedAt),
        formTitle: form.title,
        sections,
        canEdit,
        paper,
        editing: canEdit && !paper,
        readOnly: !canEdit,
        elsewhere,
        returned: report.status === 'returned' && latestReturn ? { who: STAGES[latestReturn.stage] ?? 'Người xem xét', at: formatDateTime(latestReturn.decidedAt), comment: latestReturn.comment, versionNo: latestReturn.versionNo } : null,
        document: document ? { symbol: document.symbol, issueDate: formatCivilDate(document.issueDate) } : null,
        documentPending: !document && report.status === 'approved',
        review: canReview ? { versionNo: report.currentVersion, comment: retry.comment ?? '', error: problemAt('comment') } : null,
        paperEntry: paper ? { reference: retry.reference ?? '', referenceError: problemAt('reference'), scanError: problemAt('file') } : null,
        evidence: evidence.map((e) => ({ id: e.id, fileName: e.fileName, size: formatNumber(Math.ceil(e.sizeBytes / 1024)), at: formatDateTime(e.uploadedAt) })),
        upload: isStaff && report.status !== 'approved' && report.status !== 'issued' ? { error: paper ? undefined : problemAt('file') } : null,
        versions: newestFirst.map((v) => ({
          versionNo: v.versionNo,
          at: formatDateTime(v.submittedAt),
          reviews: reviews
            .filter((r) => r.versionNo === v.versionNo)
            .sort((a, b) => b.decidedAt.getTime() - a.decidedAt.getTime())
            .map((r) => ({ text: `${STAGES[r.stage] ?? ''}: ${DECISIONS[r.decision] ?? r.decision} (${formatDateTime(r.decidedAt)})`, comment: r.comment })),
        })),
        diffForm:
          newestFirst.length >= 2
            ? {
                from: newestFirst.map((v) => ({ versionNo: v.versionNo, selected: v.versionNo === (diffPair?.from ?? newestFirst[1].versionNo) })),
                to: newestFirst.map((v) => ({ versionNo: v.versionNo, selected: v.versionNo === (diffPair?.to ?? newestFirst[0].versionNo) })),
              }
            : null,
        diff: changes && diffPair ? { from: diffPair.from, to: diffPair.to, rows: changes.map((c) => ({ label: c.label, before: display(c.before, typeOf.get(c.path)), after: display(c.after, typeOf.get(c.path)) })) } : null,
        canPreview: holds(READERS, report.unitId),
      },
      retry.status ?? 200,
    );
  }

  /** `&from=&to=` of the versions' comparison, when both name versions of the report. */
  private diffPair(request: Request, versionNos: number[]): { from: number; to: number } | null {
    const from = Number(request.query.from);
    const to = Number(request.query.to);
    return versionNos.includes(from) && versionNos.includes(to) ? { from, to } : null;
  }
}

/** The form's fields as typed, by path (what a refused form is shown again with). */
function typedFrom(form: FormDefinition, body: unknown): Record<string, string> {
  const typed: Record<string, string> = {};
  for (const path of pathsOf(form)) typed[path] = formText(body, path, { trim: false });
  return typed;
}

/** The form's fields as the report's values: 1.234 and dd/mm/yyyy read as the page writes them; anything else as typed, for the rules to refuse at its field. */
function valuesFrom(form: FormDefinition, body: unknown): ReportValues {
  const values: ReportValues = { figures: {}, narratives: {} };
  for (const section of form.sections) {
    for (const f of section.fields) {
      const text = formText(body, `figures.${section.key}.${f.key}`, { trim: false });
      if (text.trim() === '') continue;
      let value: string | number | boolean;
      if (f.type === 'boolean') value = text === 'true';
      else if (f.type === 'integer' || f.type === 'money') value = parseWholeNumber(text);
      else if (f.type === 'date') value = parseCivilDate(text);
      else value = text;
      (values.figures[section.key] ??= {})[f.key] = value;
    }
  }
  for (const n of form.narratives) {
    const text = formText(body, `narratives.${n.key}`, { trim: false });
    if (text.trim() !== '') values.narratives[n.key] = text;
  }
  return values;
}

function pathsOf(form: FormDefinition): string[] {
  return [...form.sections.flatMap((s) => s.fields.map((f) => `figures.${s.key}.${f.key}`)), ...form.narratives.map((n) => `narratives.${n.key}`)];
}

function filled(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function same(a: unknown, b: unknown): boolean {
  return (!filled(a) && !filled(b)) || a === b;
}

/** A saved value as the person would type it: 1.234, dd/mm/yyyy, true/false for a yes/no choice. */
function asTyped(value: unknown, type: string): string {
  if (!filled(value)) return '';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return formatNumber(value);
  if (type === 'date' && typeof value === 'string') return formatCivilDate(value);
  return String(value);
}

/** A value as read: Có/Không, 1.234, dd/mm/yyyy. */
function display(value: unknown, type: string | undefined): string {
  if (!filled(value)) return '';
  if (typeof value === 'boolean') return value ? 'Có' : 'Không';
  if (typeof value === 'number') return formatNumber(value);
  if (type === 'date' && typeof value === 'string') return formatCivilDate(value);
  return String(value);
}
