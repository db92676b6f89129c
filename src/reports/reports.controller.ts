import { Body, Controller, Get, Header, HttpCode, HttpStatus, Param, ParseIntPipe, Post, Put, Query, Req, StreamableFile, UploadedFile, UseInterceptors } from '@nestjs/common';
import type { Request } from 'express';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../access/actor';
import { Policy, unitFrom } from '../access/policy';
import { IdPipe } from '../http/ids';
import { Role } from '../organization/roles';
import { ReviewDto, SaveDraftDto } from './dto/report.dto';
import { formById } from './form/form-definition';
import { ReportUnitResolver } from './report-unit.resolver';
import { EVIDENCE_LIMITS, EvidenceFiles, UploadedEvidence } from './evidence-files';
import { ReportPreview } from './report-preview';
import { ReportQueries } from './report-queries';
import { NotFoundError } from '../shared/errors';
import { ReportsService } from './reports.service';

const READERS = [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk];
const ofTheReport = unitFrom.resolver(ReportUnitResolver);

/** One unit's yearly report: read, draft, submit, review; its versions and their differences. */
@ApiTags('reports')
@Controller('api/reports')
export class ReportsController {
  constructor(
    private readonly reports: ReportsService,
    private readonly preview: ReportPreview,
    private readonly evidenceFiles: EvidenceFiles,
    private readonly queries: ReportQueries,
  ) {}

  @Get()
  @ApiOperation({ summary: "A unit's reports, newest cycle first, with their issued documents" })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: unitFrom.query('unitId') })
  list(@Query('unitId', IdPipe) unitId: number) {
    return this.queries.ofUnit(unitId);
  }

  @Get(':id')
  @ApiOperation({ summary: 'The report: status, working draft, form' })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  async get(@Param('id', IdPipe) id: number) {
    const report = await this.reports.getReport(id);
    return { report, form: formById(report.formId) };
  }

  @Put(':id/draft')
  @ApiOperation({ summary: 'Save the working draft (may be incomplete; what it holds must be well-formed)' })
  @Policy({ roles: [Role.Staff], scope: 'own-unit', unit: ofTheReport })
  saveDraft(@Param('id', IdPipe) id: number, @Body() _envelope: SaveDraftDto, @Req() request: Request, @CurrentActor() actor: Actor) {
    // The DTO checks the envelope; the form's rules check the content as it was sent. class-transformer's
    // copy would silently drop keys named like Object.prototype members ("toString"), turning an
    // invalid draft into an empty valid one (found by the bad-input tests).
    const sent = request.body as { figures: unknown; narratives?: unknown };
    return this.reports.saveDraft(id, { figures: sent.figures, narratives: sent.narratives ?? {} }, actor);
  }

  @Post(':id/validation')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: "Check values against the report's form rules without saving (204, or 422 with every field error)" })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  async validation(@Param('id', IdPipe) id: number, @Body() body: SaveDraftDto): Promise<void> {
    await this.reports.checkValues(id, { figures: body.figures, ...(body.narratives === undefined ? {} : { narratives: body.narratives }) });
  }

  @Post(':id/submit')
  @ApiOperation({ summary: 'Submit the draft for review: a new kept version' })
  @Policy({ roles: [Role.Staff], scope: 'own-unit', unit: ofTheReport })
  submit(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor) {
    return this.reports.submit(id, actor);
  }

  @Post(':id/review')
  @ApiOperation({ summary: 'Approve, or return with comments, the submitted version' })
  @Policy({ roles: [Role.DivisionHead, Role.Head, Role.Deputy], scope: 'own-unit', unit: ofTheReport })
  review(@Param('id', IdPipe) id: number, @Body() body: ReviewDto, @CurrentActor() actor: Actor) {
    return this.reports.review(id, body.decision, body.comment ?? '', actor, body.version);
  }

  @Get(':id/versions')
  @ApiOperation({ summary: 'Every submitted version and the reviews on them' })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  async versions(@Param('id', IdPipe) id: number) {
    return { versions: await this.reports.versions(id), reviews: await this.reports.reviews(id) };
  }

  @Get(':id/diff')
  @ApiOperation({ summary: 'Field-by-field differences between two versions' })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  diff(@Param('id', IdPipe) id: number, @Query('from', ParseIntPipe) from: number, @Query('to', ParseIntPipe) to: number) {
    return this.reports.diff(id, from, to);
  }

  @Post(':id/prefill')
  @ApiOperation({ summary: "Fill the draft's figures from last year's approved report of the unit" })
  @Policy({ roles: [Role.Staff], scope: 'own-unit', unit: ofTheReport })
  prefill(@Param('id', IdPipe) id: number, @CurrentActor() actor: Actor) {
    return this.reports.prefillFromPreviousYear(id, actor);
  }

  @Get(':id/preview')
  @ApiOperation({ summary: 'The working draft as a PDF marked DỰ THẢO, without a number' })
  @Header('Content-Type', 'application/pdf')
  @Policy({ roles: READERS, scope: 'own-unit', unit: ofTheReport })
  async previewPdf(@Param('id', IdPipe) id: number): Promise<StreamableFile> {
    const pdf = await this.preview.render(await this.reports.getReport(id));
    return new StreamableFile(pdf, { disposition: `inline; filename="du-thao-bao-cao-${id}.pdf"` });
  }

  @Get(':id/document')
  @ApiOperation({ summary: 'The issued report as a PDF (404 until it is issued)' })
  @Header('Content-Type', 'application/pdf')
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  async issuedPdf(@Param('id', IdPipe) id: number): Promise<StreamableFile> {
    const { document, pdf } = await this.queries.issuedPdf(id);
    const name = `bao-cao-${document.number ?? id}-${document.issueDate ?? ''}.pdf`;
    return new StreamableFile(pdf, { disposition: `inline; filename="${name}"` });
  }

  @Get(':id/process')
  @ApiOperation({ summary: "The report's process: BPMN, active elements and history (for the diagram)" })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  process(@Param('id', IdPipe) id: number) {
    return this.queries.process(id);
  }

  @Post(':id/evidence')
  @ApiOperation({ summary: 'Attach an evidence file (PDF, JPEG, PNG, DOCX, XLSX; 10 MB at most)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @Policy({ roles: [Role.Staff], scope: 'own-unit', unit: ofTheReport })
  // One more byte than allowed reaches the check, which then names the limit.
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: EVIDENCE_LIMITS.maxBytes + 1, files: 1, fields: 0 } }))
  attach(@Param('id', IdPipe) id: number, @UploadedFile() file: UploadedEvidence | undefined, @CurrentActor() actor: Actor) {
    return this.reports.attachEvidence(id, file, actor);
  }

  @Get(':id/evidence')
  @ApiOperation({ summary: 'The evidence files of the report' })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  listEvidence(@Param('id', IdPipe) id: number) {
    return this.reports.evidence(id);
  }

  @Get(':id/evidence/:evidenceId')
  @ApiOperation({ summary: 'Download one evidence file' })
  @Policy({ roles: [...READERS, Role.Consolidator], scope: 'consolidated-units', unit: ofTheReport })
  async downloadEvidence(@Param('id', IdPipe) id: number, @Param('evidenceId', IdPipe) evidenceId: number): Promise<StreamableFile> {
    const row = (await this.reports.evidence(id)).find((e) => e.id === evidenceId);
    if (!row) throw new NotFoundError(`Evidence ${evidenceId} of report ${id}`);
    return new StreamableFile(await this.evidenceFiles.get(row.sha256), { type: row.mediaType, disposition: `attachment; filename*=UTF-8''${encodeURIComponent(row.fileName)}` });
  }
}
