import { Controller, Get, Req, Res, UseFilters } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { DataSource, In } from 'typeorm';
import { Actor, CurrentActor } from '../../access/actor';
import { Policy } from '../../access/policy';
import { AppConfig } from '../../config/app-config';
import { ConsolidationEntity } from '../../consolidation/consolidation.entity';
import { CycleEntity } from '../../cycles/cycle.entity';
import { RegistersService } from '../../documents/registers/registers.service';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { ReportQueries } from '../../reports/report-queries';
import { isoCivilDate } from '../../shared/civil-date';
import { Clock } from '../../shared/clock';
import { PageErrorFilter } from '../page-error.filter';
import { PageShells } from '../page-shell';
import { PageRenderer } from '../views/page-renderer';
import { compareVietnamese, formatCivilDate, formatDateTime, REPORT_STATUS_LABELS } from '../views/view-formats';
import { CONSOLIDATION_FOLLOWERS as FOLLOWERS } from '../../consolidation/consolidation-progress';

/** Who reads a unit's reports (as `GET /api/reports?unitId=`) and its registers (`GET /api/units/:unitId/registers`), in the units where they hold the role. */
const REPORT_READERS: readonly Role[] = [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk, Role.Consolidator];
const KINDS = { outgoing: 'Sổ đăng ký văn bản đi', incoming: 'Sổ đăng ký văn bản đến' } as const;

/**
 * Reports and documents (`/documents`): for each unit where I hold a role, its reports by year with
 * their issued documents; the consolidated tables of the units I follow; a unit's outgoing or
 * incoming register for a year, chosen by a GET form. Only the units where the person holds a role
 * are read, so the page needs no more than a session: the API routes it links to check their own.
 */
@ApiExcludeController()
@Controller()
@UseFilters(PageErrorFilter)
export class DocumentsPage {
  private readonly registers: RegistersService;

  constructor(
    private readonly queries: ReportQueries,
    private readonly shells: PageShells,
    private readonly pages: PageRenderer,
    private readonly clock: Clock,
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.registers = new RegistersService(dataSource, clock, { zone: config.civilTimeZone });
  }

  @Get('documents')
  @Policy('signed-in')
  async documents(@CurrentActor() actor: Actor, @Req() request: Request, @Res() response: Response): Promise<void> {
    const held = (roles: readonly Role[]) => [...new Set(actor.holdings.filter((h) => roles.includes(h.role)).map((h) => h.unitId))];
    const readable = held(REPORT_READERS);
    const followed = held(FOLLOWERS);
    const all = [...new Set([...readable, ...followed])];
    const [units, reportLists, consolidations] = await Promise.all([
      all.length ? this.dataSource.getRepository(UnitEntity).find({ select: { id: true, officialName: true }, where: { id: In(all) } }) : [],
      Promise.all(readable.map((id) => this.queries.ofUnit(id))),
      followed.length ? this.dataSource.getRepository(ConsolidationEntity).find({ select: { id: true, unitId: true, cycleId: true }, where: { unitId: In(followed) }, order: { id: 'DESC' } }) : [],
    ]);
    const nameOf = new Map(units.map((u) => [u.id, u.officialName]));
    const byName = (a: number, b: number) => compareVietnamese(nameOf.get(a) ?? '', nameOf.get(b) ?? '');
    const cycles = consolidations.length ? await this.dataSource.getRepository(CycleEntity).find({ select: { id: true, year: true }, where: { id: In([...new Set(consolidations.map((c) => c.cycleId))]) } }) : [];
    const yearOf = new Map(cycles.map((c) => [c.id, c.year]));

    const sections = readable
      .map((unitId, index) => ({ unitId, reports: reportLists[index] }))
      .sort((a, b) => byName(a.unitId, b.unitId))
      .map(({ unitId, reports }) => ({
        unitId,
        name: nameOf.get(unitId) ?? `Đơn vị số ${unitId}`,
        reports: reports.map((r) => ({
          id: r.id,
          year: r.year,
          status: REPORT_STATUS_LABELS[r.status] ?? r.status,
          document: r.document ? `Số ${r.document.symbol ?? r.document.number ?? ''} ngày ${formatCivilDate(r.document.issueDate)}` : '—',
          hasDocument: r.document !== null,
          updatedAt: formatDateTime(r.updatedAt),
        })),
      }));
    const tables = [...followed].sort(byName).flatMap((unitId) =>
      consolidations
        .filter((c) => c.unitId === unitId)
        .map((c) => ({ href: `/api/consolidations/${c.id}/tables.xlsx`, label: `${nameOf.get(unitId) ?? ''} – bảng tổng hợp ${yearOf.has(c.cycleId) ? `năm ${yearOf.get(c.cycleId)}` : `kỳ số ${c.cycleId}`} (XLSX)` })),
    );

    // The register chosen by the GET form: one of my units, a kind, a year.
    const query = request.query;
    const registerUnits = [...readable].sort(byName);
    const chosenUnit = registerUnits.find((id) => String(id) === query.registerUnit) ?? registerUnits[0];
    const kind: keyof typeof KINDS = query.kind === 'incoming' ? 'incoming' : 'outgoing';
    const thisYear = Number(isoCivilDate(this.clock.now()).slice(0, 4));
    const typedYear = typeof query.year === 'string' ? query.year.trim() : '';
    const yearOk = typedYear === '' || (/^\d{4}$/.test(typedYear) && Number(typedYear) >= 2000 && Number(typedYear) <= 2100);
    const year = typedYear && yearOk ? Number(typedYear) : thisYear;
    let register;
    if (chosenUnit !== undefined && yearOk) {
      const read = kind === 'outgoing' ? await this.registers.outgoing(chosenUnit, year) : await this.registers.incoming(chosenUnit, year);
      const cover = read.cover;
      register = {
        cover: `${KINDS[kind]} năm ${year} – ${read.unit.officialName}: ${cover.entries} văn bản${cover.fromNumber !== null ? `, từ số ${cover.fromNumber} đến số ${cover.toNumber}` : ''}${read.closing ? ' · đã khóa sổ' : ''}`,
        caption: `${KINDS[kind]} năm ${year}`,
        xlsx: `/api/units/${chosenUnit}/registers.xlsx?kind=${kind}&year=${year}`,
        columns: read.columns,
        rows: read.rows,
      };
    }
    const yearError = yearOk ? undefined : 'Năm phải là số từ 2000 đến 2100.';
    this.pages.send(
      response,
      'documents',
      this.shells.forActor(request, actor, 'Báo cáo và văn bản', { errors: yearError ? [yearError] : [] }),
      {
        sections,
        tables,
        registerForm: registerUnits.length
          ? {
              units: registerUnits.map((id) => ({ id, name: nameOf.get(id) ?? `Đơn vị số ${id}`, selected: id === chosenUnit })),
              kinds: Object.entries(KINDS).map(([value, label]) => ({ value, label, selected: value === kind })),
              year: yearOk ? String(year) : typedYear,
              yearError,
            }
          : undefined,
        register,
      },
      yearError ? 422 : 200,
    );
  }
}
