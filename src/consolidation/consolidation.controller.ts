import { Body, Controller, Get, Header, Param, Post, Put, Query, Req, Res, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import type { Request, Response } from 'express';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../access/actor';
import { Policy, unitFrom } from '../access/policy';
import { DeadlinesService } from '../deadlines/deadlines.service';
import { IdPipe } from '../http/ids';
import { Role } from '../organization/roles';
import { EVIDENCE_LIMITS, UploadedEvidence } from '../reports/evidence-files';
import { NotFoundError, ValidationFailedError } from '../shared/errors';
import { ConsolidationUnitResolver, CycleUnitResolver, ReportReceiverResolver } from './consolidation-unit.resolver';
import { ConsolidationService } from './consolidation.service';
import { CONSOLIDATION_FOLLOWERS } from './consolidation-progress';
import { DeadlineDto, PaperReportDto, ProgressPageDto, UrgeDto } from './dto/consolidation.dto';

const FOLLOWERS = CONSOLIDATION_FOLLOWERS;
const ofTheConsolidation = unitFrom.resolver(ConsolidationUnitResolver);
const ofTheReceiver = unitFrom.resolver(ReportReceiverResolver);

/** Consolidation at a unit with units below it: progress, closing the period, urge letters, tables, paper reports, deadlines. */
@ApiTags('consolidation')
@Controller('api')
export class ConsolidationController {
  constructor(
    private readonly consolidations: ConsolidationService,
    private readonly deadlines: DeadlinesService,
  ) {}

  @Get('consolidations')
  @ApiOperation({ summary: "A unit's consolidations (one per cycle), newest first" })
  @Policy({ roles: FOLLOWERS, scope: 'consolidated-units', unit: unitFrom.query('unitId') })
  async list(@Query('unitId', IdPipe) unitId: number) {
    return (await this.consolidations.forUnit(unitId)).map(({ snapshot, ...row }) => ({ ...row, counts: snapshot?.counts ?? null }));
  }

  @Get('consolidations/:id/progress')
  @ApiOperation({ summary: 'Where every unit below stands: not started, drafting, in review, returned, submitted, late, missing (all units, or one page of one status: ?status=&offset=&limit=)' })
  @Policy({ roles: FOLLOWERS, scope: 'consolidated-units', unit: ofTheConsolidation })
  async progress(@Param('id', IdPipe) id: number, @Query() view: ProgressPageDto, @Req() request: Request, @Res() response: Response): Promise<void> {
    const paged = view.status !== undefined || view.offset !== undefined || view.limit !== undefined;
    // Serialized (and gzipped) once per change, not per reader (ConsolidationService.progressJson).
    const { body, gzipped, etag } = paged ? await this.consolidations.progressPageJson(id, view) : await this.consolidations.progressJson(id);
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('ETag', etag);
    response.setHeader('Vary', 'Accept-Encoding');
    if (request.fresh) {
      response.status(304).end();
      return;
    }
    const sent = gzipped && request.acceptsEncodings('gzip', 'identity') === 'gzip' ? gzipped : body;
    if (sent === gzipped) response.setHeader('Content-Encoding', 'gzip');
    response.setHeader('Content-Length', sent.length);
    response.end(sent);
  }

  @Post('consolidations/:id/close')
  @ApiOperation({ summary: 'Close the period (chốt số liệu): freeze totals and tables, release the unit\'s own report' })
  @Policy({ roles: [Role.Consolidator], scope: 'own-unit', unit: ofTheConsolidation })
  async close(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor) {
    const { snapshot, ...row } = await this.consolidations.close(id, actor);
    return { ...row, counts: snapshot?.counts ?? null, lateOrMissing: snapshot?.lateOrMissing ?? [] };
  }

  @Post('consolidations/:id/urge')
  @ApiOperation({ summary: 'Issue an urge letter (công văn đôn đốc) to the units below that are late' })
  @Policy({ roles: [Role.Consolidator], scope: 'own-unit', unit: ofTheConsolidation })
  urge(@Param('id', IdPipe) id: number, @Body() body: UrgeDto, @CurrentActor() actor: Actor) {
    return this.consolidations.urgeLateUnits(id, actor, body.newDeadline);
  }

  @Get('consolidations/:id/urge-letters')
  @ApiOperation({ summary: 'The urge letters issued by this consolidation' })
  @Policy({ roles: FOLLOWERS, scope: 'consolidated-units', unit: ofTheConsolidation })
  urgeLetters(@Param('id', IdPipe) id: number) {
    return this.consolidations.urgeLetters(id);
  }

  @Put('consolidations/:id/units-deadline')
  @ApiOperation({ summary: 'An earlier deadline for the units reporting here (a district for its communes); null removes it' })
  @Policy({ roles: [Role.Consolidator, Role.Head], scope: 'own-unit', unit: ofTheConsolidation })
  async unitsDeadline(@Param('id', IdPipe) id: number, @Body() body: DeadlineDto, @CurrentActor() actor: Actor) {
    const { snapshot: _snapshot, ...row } = await this.deadlines.setUnitsDeadline(id, body.deadline === null ? null : new Date(body.deadline), actor);
    return row;
  }

  @Get('consolidations/:id/tables.xlsx')
  @ApiOperation({ summary: 'The consolidated tables as XLSX (the closed snapshot, or so far while open)' })
  @Policy({ roles: FOLLOWERS, scope: 'consolidated-units', unit: ofTheConsolidation })
  @Header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  @Header('Content-Disposition', 'attachment; filename="tong-hop.xlsx"')
  async tables(@Param('id', IdPipe) id: number): Promise<StreamableFile> {
    return new StreamableFile(await this.consolidations.tablesWorkbook(id));
  }

  @Post('reports/:id/paper')
  @ApiOperation({ summary: 'Enter a report received on paper on the unit\'s behalf (nhập hộ), with its scan' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' }, values: { type: 'string' }, reference: { type: 'string' } }, required: ['file', 'values', 'reference'] } })
  @Policy({ roles: [Role.Consolidator, Role.Clerk], scope: 'own-unit', unit: ofTheReceiver })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: EVIDENCE_LIMITS.maxBytes + 1, files: 1, fields: 2, fieldSize: 200_000 } }))
  enterPaper(@Param('id', IdPipe) id: number, @Body() body: PaperReportDto, @UploadedFile() file: UploadedEvidence | undefined, @CurrentActor() actor: Actor) {
    let values: unknown;
    try {
      values = JSON.parse(body.values);
    } catch {
      throw ValidationFailedError.field('values', 'json', 'values phải là JSON hợp lệ: {"figures": {...}, "narratives": {...}}');
    }
    return this.consolidations.enterPaperReport(id, { values, reference: body.reference }, file, actor);
  }

  @Put('reports/:id/deadline')
  @ApiOperation({ summary: 'A deadline for this unit alone (an extension); null returns it to the common deadline' })
  @Policy({ roles: [Role.Consolidator, Role.Administrator], scope: 'consolidated-units', unit: ofTheReceiver })
  unitDeadline(@Param('id', IdPipe) id: number, @Body() body: DeadlineDto, @CurrentActor() actor: Actor) {
    return this.deadlines.setUnitDeadline(id, body.deadline === null ? null : new Date(body.deadline), actor);
  }

  @Put('cycles/:id/deadline')
  @ApiOperation({ summary: "Move the cycle's deadline (an extension for every unit without its own)" })
  @Policy({ roles: [Role.Administrator], scope: 'own-unit', unit: unitFrom.resolver(CycleUnitResolver) })
  async cycleDeadline(@Param('id', IdPipe) id: number, @Body() body: DeadlineDto, @CurrentActor() actor: Actor) {
    if (body.deadline === null) throw ValidationFailedError.field('deadline', 'required', 'Kỳ báo cáo luôn có hạn: hãy nêu hạn mới');
    return this.deadlines.extendCycle(id, new Date(body.deadline), actor);
  }

  @Get('cycles/:id/top-report-draft')
  @ApiOperation({ summary: "The draft of the top unit's report to the Ministry (DỰ THẢO PDF), once the provincial submission is done" })
  @Policy({ roles: [Role.Consolidator, Role.Head, Role.Deputy, Role.Administrator], scope: 'own-unit', unit: unitFrom.resolver(CycleUnitResolver) })
  @Header('Content-Type', 'application/pdf')
  async topReportDraft(@Param('id', IdPipe) id: number): Promise<StreamableFile> {
    const pdf = await this.consolidations.topReportDraft(id);
    if (!pdf) throw new NotFoundError(`Dự thảo báo cáo gửi Bộ của kỳ ${id}`);
    return new StreamableFile(pdf);
  }
}
