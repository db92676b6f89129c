import { randomBytes } from 'node:crypto';
import { Body, Controller, Get, Param, Post, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import Handlebars from 'handlebars';
import { DataSource, In } from 'typeorm';
import { Actor, CurrentActor, accessContextOf } from '../../access/actor';
import { AccessPolicy } from '../../access/access-policy.service';
import { Policy, unitFrom } from '../../access/policy';
import { ConsolidationUnitResolver, ReportReceiverResolver } from '../../consolidation/consolidation-unit.resolver';
import { ConsolidationEntity } from '../../consolidation/consolidation.entity';
import { ConsolidationProgress, ConsolidationService, ProgressRow } from '../../consolidation/consolidation.service';
import { ProgressCache } from '../../consolidation/progress-cache';
import { Sessions } from '../../identity/sessions/sessions.service';
import { CONSOLIDATION_FOLLOWERS as FOLLOWERS, PROGRESS_LABELS, ProgressStatus } from '../../consolidation/consolidation-progress';
import { CycleEntity } from '../../cycles/cycle.entity';
import { DeadlinesService } from '../../deadlines/deadlines.service';
import { IdPipe } from '../../http/ids';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { civilDateFromIso, instantOf, isoCivilDate } from '../../shared/civil-date';
import { Clock } from '../../shared/clock';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../shared/errors';
import { KeptViews } from '../../shared/kept-views';
import { formText } from '../form-body';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { progressChart } from '../progress-chart';
import { EncodedHtml, PageRenderer } from '../views/page-renderer';
import { compareVietnamese, formatDate, formatDateTime, formatNumber, parseCivilDate } from '../views/view-formats';
import { ProgressPageUnitResolver } from './page-unit-resolvers';

/** Units listed per page of the dashboard. */
export const UNITS_PER_PAGE = 200;
const ORDER: ProgressStatus[] = ['not-started', 'drafting', 'in-review', 'returned', 'submitted', 'late', 'missing'];
const DONE = {
  urged: 'Đã phát hành công văn đôn đốc các đơn vị chậm.',
  extended: 'Đã gia hạn cho đơn vị.',
  closed: 'Đã chốt số liệu.',
  'units-deadline-set': 'Đã lưu hạn riêng cho các đơn vị báo cáo về đây.',
  'units-deadline-removed': 'Đã bỏ hạn riêng: các đơn vị theo hạn của kỳ báo cáo.',
};
const ofTheConsolidation = unitFrom.resolver(ConsolidationUnitResolver);
const ofTheReceiver = unitFrom.resolver(ReportReceiverResolver);
const DATE_HINT = 'Hãy nhập ngày dạng dd/mm/yyyy, ví dụ 30/11/2026.';

/** Which dashboard a form came from (`back`: `unitId=…&id=…`), to go back to it. */
interface Where {
  unitId?: number;
  consolidationId?: number;
}

/** A form's refusal, shown at its field. */
type Problem =
  | { form: 'extend'; reportId: number; value: string; message: string }
  | { form: 'urge'; value: string; message: string }
  | { form: 'units-deadline'; value: string; message: string }
  | { form: 'close'; message: string }
  | { form: 'page'; message: string };

/**
 * The consolidator's dashboard (`/progress?unitId=&id=`): where every unit below stands, the counts,
 * the chart of reports received by day (SVG drawn here), the totals so far, the XLSX tables; urge
 * letters, one unit's deadline extended and closing the period as plain forms.
 */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class ProgressPage {
  constructor(
    private readonly consolidations: ConsolidationService,
    private readonly deadlines: DeadlinesService,
    private readonly access: AccessPolicy,
    private readonly clock: Clock,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
    private readonly progressCache: ProgressCache,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('progress')
  @Policy({ roles: FOLLOWERS, scope: 'consolidated-units', unit: unitFrom.resolver(ProgressPageUnitResolver) })
  async progress(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    await this.show(actor, request, response, whereOf(new URLSearchParams(request.url.split('?')[1] ?? '')));
  }

  @Post('consolidations/:id/urge')
  @Policy({ roles: [Role.Consolidator], scope: 'own-unit', unit: ofTheConsolidation })
  async urge(@Param('id', IdPipe) id: number, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const where = { unitId: (await this.consolidations.get(id)).unitId, consolidationId: id };
    const typed = formText(body, 'newDeadline');
    const date = typed ? civilDate(typed) : undefined;
    if (date === null) return this.show(actor, request, response, where, { form: 'urge', value: typed, message: DATE_HINT }, 422);
    try {
      await this.consolidations.urgeLateUnits(id, actor, date);
    } catch (error) {
      if (error instanceof ValidationFailedError) return this.show(actor, request, response, where, { form: 'urge', value: typed, message: fieldMessage(error) }, 422);
      if (error instanceof ConflictError) return this.show(actor, request, response, where, { form: 'urge', value: typed, message: error.message }, 409);
      throw error;
    }
    response.redirect(303, backTo(where, 'urged'));
  }

  /** An earlier deadline for every unit reporting here (a district for its communes); empty removes it. */
  @Post('consolidations/:id/units-deadline')
  @Policy({ roles: [Role.Consolidator, Role.Head], scope: 'own-unit', unit: ofTheConsolidation })
  async unitsDeadline(@Param('id', IdPipe) id: number, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const where = { unitId: (await this.consolidations.get(id)).unitId, consolidationId: id };
    const typed = formText(body, 'deadline');
    const date = typed ? civilDate(typed) : undefined;
    if (date === null) return this.show(actor, request, response, where, { form: 'units-deadline', value: typed, message: DATE_HINT }, 422);
    try {
      await this.deadlines.setUnitsDeadline(id, date ? endOfCivilDay(date) : null, actor);
    } catch (error) {
      if (error instanceof ValidationFailedError) return this.show(actor, request, response, where, { form: 'units-deadline', value: typed, message: fieldMessage(error) }, 422);
      if (error instanceof ConflictError) return this.show(actor, request, response, where, { form: 'units-deadline', value: typed, message: error.message }, 409);
      throw error;
    }
    response.redirect(303, backTo(where, date ? 'units-deadline-set' : 'units-deadline-removed'));
  }

  @Post('consolidations/:id/close')
  @Policy({ roles: [Role.Consolidator], scope: 'own-unit', unit: ofTheConsolidation })
  async close(@Param('id', IdPipe) id: number, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const where = { unitId: (await this.consolidations.get(id)).unitId, consolidationId: id };
    if (formText(body, 'confirm') !== 'yes') return this.show(actor, request, response, where, { form: 'close', message: 'Hãy đánh dấu “Tôi xác nhận” trước khi chốt số liệu.' }, 422);
    try {
      await this.consolidations.close(id, actor);
    } catch (error) {
      if (error instanceof ConflictError) return this.show(actor, request, response, where, { form: 'close', message: error.message }, 409);
      throw error;
    }
    response.redirect(303, backTo(where, 'closed'));
  }

  @Post('reports/:id/deadline')
  @Policy({ roles: [Role.Consolidator, Role.Administrator], scope: 'consolidated-units', unit: ofTheReceiver })
  async extend(@Param('id', IdPipe) id: number, @Body() body: unknown, @CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const where = whereOf(new URLSearchParams(formText(body, 'back').replace(/^\?/, '')));
    const typed = formText(body, 'deadline');
    const date = civilDate(typed);
    if (!date) return this.show(actor, request, response, where, { form: 'extend', reportId: id, value: typed, message: DATE_HINT }, 422);
    try {
      await this.deadlines.setUnitDeadline(id, endOfCivilDay(date), actor);
    } catch (error) {
      if (error instanceof ValidationFailedError) return this.show(actor, request, response, where, { form: 'extend', reportId: id, value: typed, message: fieldMessage(error) }, 422);
      if (error instanceof ConflictError) return this.show(actor, request, response, where, { form: 'extend', reportId: id, value: typed, message: error.message }, 409);
      if (error instanceof NotFoundError) return this.show(actor, request, response, where, { form: 'page', message: 'Không tìm thấy báo cáo.' }, 404);
      throw error;
    }
    response.redirect(303, backTo(where, 'extended'));
  }

  /** The units a dashboard may show, their consolidations (newest first) and those cycles' years. */
  private async choices(candidates: number[]) {
    const [units, rows] = await Promise.all([
      this.dataSource.getRepository(UnitEntity).find({ select: { id: true, officialName: true }, where: { id: In(candidates) } }),
      this.dataSource.getRepository(ConsolidationEntity).find({ select: { id: true, unitId: true, cycleId: true }, where: { unitId: In(candidates) }, order: { id: 'DESC' } }),
    ]);
    const cycles = await this.dataSource.getRepository(CycleEntity).find({ select: { id: true, year: true }, where: { id: In([...new Set(rows.map((c) => c.cycleId))]) } });
    return { units, rows, cycles };
  }

  private async show(actor: Actor, request: Request, response: Response, where: Where, problem?: Problem, status = 200): Promise<void> {
    const followed = [...new Set(actor.holdings.filter((h) => FOLLOWERS.includes(h.role)).map((h) => h.unitId))];
    // A unit named by a form's `back` field was not checked by the route's policy: check it here.
    if (where.unitId !== undefined && !followed.includes(where.unitId)) await this.access.assertAllowed(actor, { roles: FOLLOWERS, scope: 'consolidated-units' }, [where.unitId]);
    const candidates = [...new Set([...(where.unitId !== undefined ? [where.unitId] : []), ...followed])];
    // What the pickers offer: units, their consolidations and the cycles' years (from the tables the
    // progress is computed from, so kept as long as it is).
    const { units, rows, cycles } = candidates.length ? await this.progressCache.get(`dashboard-choices/${candidates.join(',')}`, () => this.choices(candidates)) : { units: [], rows: [], cycles: [] };
    const nameOf = new Map(units.map((u) => [u.id, u.officialName]));
    const consolidating = candidates.filter((id) => rows.some((c) => c.unitId === id));
    const title = 'Tiến độ tổng hợp';
    const errors = problem ? [problem.message] : [];
    const unitId = where.unitId ?? consolidating[0];
    const list = rows.filter((c) => c.unitId === unitId);
    if (unitId === undefined || list.length === 0) {
      this.pages.send(response, 'progress', this.shells.forActor(request, actor, title, { done: DONE, errors }), { empty: where.unitId !== undefined ? 'Đơn vị này không có đơn vị cấp dưới báo cáo về.' : 'Bạn không theo dõi đơn vị nào có đơn vị cấp dưới báo cáo về.' }, status);
      return;
    }
    const chosen = list.find((c) => c.id === where.consolidationId) ?? list[0];
    const progress = await this.consolidations.progress(chosen.id);
    const yearOf = new Map(cycles.map((c) => [c.id, c.year]));
    const holds = (roles: Role[]) => actor.holdings.some((h) => h.unitId === unitId && roles.includes(h.role));
    const isConsolidator = holds([Role.Consolidator]);
    const receives = holds([Role.Consolidator, Role.Clerk]);
    const open = progress.consolidation.status !== 'closed';
    const counts = progress.counts;
    const received = (counts.submitted ?? 0) + (counts.late ?? 0);
    const back = new URLSearchParams({ unitId: String(unitId), id: String(chosen.id) }).toString();
    // One page of units, of one status if asked: a province of 10,000 units is not one page of HTML.
    const shown: ProgressStatus | undefined = request.method === 'GET' && ORDER.includes(request.query.status as ProgressStatus) ? (request.query.status as ProgressStatus) : undefined;
    const sorted = inDashboardOrder(progress);
    const matching = shown ? sorted.filter((u) => u.status === shown) : sorted;
    const pages = Math.max(1, Math.ceil(matching.length / UNITS_PER_PAGE));
    const pageNumber = request.method === 'GET' && /^[1-9]\d{0,5}$/.test(String(request.query.page ?? '')) ? Math.min(Number(request.query.page), pages) : 1;
    const pageHref = (n: number) => `/progress?${new URLSearchParams({ unitId: String(unitId), id: String(chosen.id), ...(shown ? { status: shown } : {}), page: String(n) })}`;
    const first = (pageNumber - 1) * UNITS_PER_PAGE;
    const onPage = matching.slice(first, first + UNITS_PER_PAGE);
    const may = { extend: isConsolidator && open, paper: receives };
    const renderRows = (csrfToken: string) =>
      this.pages.fragment('progress-rows', { back, shell: { csrfToken }, rows: onPage.map((u) => rowModel(u, unitId, may, problem?.form === 'extend' && problem.reportId === u.reportId ? problem : undefined)) });
    const csrfToken = accessContextOf(request).session?.csrfToken ?? '';
    // A row's refusal is shown in its row: that page is rendered afresh, not kept; so is a page whose
    // token could not be written over the placeholder (none: every session's token is as long).
    const rowsHtml =
      problem?.form === 'extend' || Handlebars.escapeExpression(csrfToken).length !== CSRF_PLACEHOLDER.length
        ? new EncodedHtml([Buffer.from(renderRows(csrfToken), 'utf8')])
        : withToken(KEPT_ROWS.get(`${chosen.id}|${unitId}|${shown ?? ''}|${pageNumber}|${may.extend}|${may.paper}`, progress, () => keptRows(renderRows(CSRF_PLACEHOLDER))), Handlebars.escapeExpression(csrfToken));
    const chart = chartOf(progress, this.clock.now());
    const c = progress.consolidation;
    const unitsDeadlineValue = c.unitsDeadlineAt ? formatDate(c.unitsDeadlineAt) : '';
    this.pages.send(
      response,
      'progress',
      this.shells.forActor(request, actor, title, { done: DONE, errors }),
      {
        back,
        units: consolidating.map((id) => ({ id, name: nameOf.get(id) ?? `Đơn vị số ${id}`, selected: id === unitId })),
        cycles: list.map((x) => ({ id: x.id, label: yearOf.has(x.cycleId) ? `Năm ${yearOf.get(x.cycleId)}` : `Kỳ số ${x.cycleId}`, selected: x.id === chosen.id })),
        heading: `${c.unitName} – ${yearOf.has(c.cycleId) ? `năm ${yearOf.get(c.cycleId)}` : `kỳ số ${c.cycleId}`}`,
        summary: [`Đã nhận ${received}/${counts.expected} báo cáo`, c.unitsDeadlineAt ? `Hạn các đơn vị: ${formatDate(c.unitsDeadlineAt)}` : '', open ? 'Đang mở' : `Đã chốt số liệu lúc ${formatDateTime(c.closedAt)}`].filter(Boolean).join(' · '),
        received,
        expected: counts.expected,
        progressMax: counts.expected || 1,
        counts: ORDER.map((s) => ({ status: s, label: PROGRESS_LABELS[s], count: counts[s] ?? 0 })),
        chart,
        paperNote: chart && chart.paperWithoutDate > 0 ? `${formatNumber(chart.paperWithoutDate)} báo cáo giấy nhập hộ không có ngày gửi, không vẽ.` : '',
        totals: {
          title: progress.totals.closed ? 'Số liệu tổng hợp đã chốt' : 'Số liệu tổng hợp đến nay',
          note: `Từ ${formatNumber(progress.totals.counted)} báo cáo đã được tính${progress.totals.closed ? '' : ' (báo cáo gửi về một đơn vị tổng hợp cấp dưới được tính khi đơn vị đó chốt số liệu)'}.`,
          rows: progress.totals.rows.map((r) => ({ label: `${r.section}: ${r.label}`, unit: r.unit, value: formatNumber(r.value) })),
        },
        tablesHref: `/api/consolidations/${chosen.id}/tables.xlsx`,
        consolidationId: chosen.id,
        canAct: isConsolidator && open,
        urge: { value: problem?.form === 'urge' ? problem.value : '', error: problem?.form === 'urge' ? problem.message : undefined },
        unitsDeadline: { value: problem?.form === 'units-deadline' ? problem.value : unitsDeadlineValue, error: problem?.form === 'units-deadline' ? problem.message : undefined },
        closeError: problem?.form === 'close' ? problem.message : undefined,
        rowsHtml,
        filter: {
          statuses: ORDER.map((value) => ({ value, label: PROGRESS_LABELS[value], selected: value === shown })),
          unitId,
          consolidationId: chosen.id,
        },
        paging: {
          showing: matching.length === 0 ? 'Không có đơn vị nào.' : `Đơn vị ${formatNumber(first + 1)}–${formatNumber(first + onPage.length)} trong ${formatNumber(matching.length)}${shown ? ` (${PROGRESS_LABELS[shown].toLowerCase()})` : ''}`,
          previous: pageNumber > 1 ? pageHref(pageNumber - 1) : null,
          next: pageNumber < pages ? pageHref(pageNumber + 1) : null,
        },
      },
      status,
    );
  }
}

/**
 * Units in the dashboard's order: the statuses that need the consolidator first, then by name in
 * Vietnamese order. Sorted once per progress value (ConsolidationService keeps it until the next
 * write): with a collator, 10,000 names take ~15 ms, every request's time otherwise.
 */
const SORTED = new WeakMap<ConsolidationProgress, readonly ProgressRow[]>();
function inDashboardOrder(progress: ConsolidationProgress): readonly ProgressRow[] {
  let sorted = SORTED.get(progress);
  if (!sorted) {
    sorted = [...progress.units].sort((a, b) => ORDER.indexOf(b.status) - ORDER.indexOf(a.status) || compareVietnamese(a.name, b.name));
    SORTED.set(progress, sorted);
  }
  return sorted;
}

/** One row of the units' table, as the `progress-rows` partial shows it. */
function rowModel(u: ProgressRow, unitId: number, may: { extend: boolean; paper: boolean }, extendProblem: { value: string; message: string } | undefined) {
  return {
    code: u.code,
    unitId: u.unitId,
    name: u.name,
    reportId: u.reportId,
    status: u.statusLabel || PROGRESS_LABELS[u.status],
    warn: u.status === 'late' || u.status === 'missing',
    onPaper: u.onPaper,
    deadline: formatDate(u.deadline),
    sentAt: u.sentAt ? formatDateTime(u.sentAt) : '—',
    reference: u.reference || '—',
    extend: may.extend && u.reportId !== null && !u.sentAt && !u.onPaper,
    extendValue: extendProblem?.value ?? '',
    extendError: extendProblem?.message,
    paper: may.paper && u.reportId !== null && !u.sentAt && !u.onPaper && u.reportsToId === unitId,
  };
}

/**
 * Stands in the kept rows for the session's CSRF token: a token of a random secret, so no unit's name
 * can contain it and it is as long as every session's token, which is written over it in place.
 */
const CSRF_PLACEHOLDER = Sessions.csrfTokenOf(randomBytes(32).toString('base64url'));

/**
 * The units' table of a dashboard page, rendered once per progress value, page and what the viewer
 * may do there, and kept for the next viewers: 200 rows of Handlebars and date formatting were most
 * of the page's server time (~4 ms at 10,000 units; with 50 consolidators waiting, seconds). Kept
 * encoded, a placeholder where each form's CSRF token goes; about 200 KB a page.
 */
const KEPT_ROWS = new KeptViews<ConsolidationProgress, KeptRows>(32);

/** The rows encoded once, with where the placeholder stands in them (byte offsets). */
interface KeptRows {
  html: Buffer;
  tokenAt: number[];
}

function keptRows(html: string): KeptRows {
  const encoded = Buffer.from(html, 'utf8');
  const tokenAt: number[] = [];
  for (let at = encoded.indexOf(CSRF_PLACEHOLDER); at >= 0; at = encoded.indexOf(CSRF_PLACEHOLDER, at + CSRF_PLACEHOLDER.length)) tokenAt.push(at);
  return { html: encoded, tokenAt };
}

/**
 * The kept rows with the session's token in each of its places: one copy with the token written over
 * the placeholder (a page's 400 places cut into 800 pieces cost more than the rest of the page). The
 * token is as long as the placeholder (the caller checks).
 */
function withToken(rows: KeptRows, csrfToken: string): EncodedHtml {
  const token = Buffer.from(csrfToken, 'utf8');
  const html = Buffer.allocUnsafe(rows.html.length);
  rows.html.copy(html);
  for (const at of rows.tokenAt) token.copy(html, at);
  return new EncodedHtml([html]);
}

/** The chart, drawn once per progress value and civil day (a day's date per unit sent, 10,000 of them at national scale). */
const CHARTS = new WeakMap<ConsolidationProgress, { day: string; chart: ReturnType<typeof progressChart> }>();
function chartOf(progress: ConsolidationProgress, now: Date): ReturnType<typeof progressChart> {
  const day = isoCivilDate(now);
  const kept = CHARTS.get(progress);
  if (kept?.day === day) return kept.chart;
  const chart = progressChart(progress.units, progress.counts.expected, now);
  CHARTS.set(progress, { day, chart });
  return chart;
}

function whereOf(query: URLSearchParams): Where {
  const id = (name: string) => (/^[1-9]\d{0,8}$/.test(query.get(name) ?? '') ? Number(query.get(name)) : undefined);
  return { unitId: id('unitId'), consolidationId: id('id') };
}

function backTo(where: Where, done: keyof typeof DONE): string {
  const query = new URLSearchParams();
  if (where.unitId !== undefined) query.set('unitId', String(where.unitId));
  if (where.consolidationId !== undefined) query.set('id', String(where.consolidationId));
  query.set('done', done);
  return `/progress?${query}`;
}

/** The last instant of a civil day (YYYY-MM-DD) in Vietnam, whatever the server's zone. */
function endOfCivilDay(isoDate: string): Date {
  return instantOf(civilDateFromIso(isoDate), { hour: 23, minute: 59, second: 59, millisecond: 999 });
}

/** dd/mm/yyyy as YYYY-MM-DD when it is a real calendar day; null otherwise. */
function civilDate(text: string): string | null {
  const iso = parseCivilDate(text);
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
  if (!match) return null;
  const day = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return day.toISOString().slice(0, 10) === iso ? iso : null;
}

function fieldMessage(error: ValidationFailedError): string {
  return error.fields.map((f) => f.message).find((m) => /[ạ-ỹà-ýđ]/i.test(m)) ?? DATE_HINT;
}
