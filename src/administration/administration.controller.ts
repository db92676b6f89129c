import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Put, Query, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Actor, CurrentActor } from '../access/actor';
import { Policy, unitFrom } from '../access/policy';
import { IdPipe } from '../http/ids';
import { PersonUnitsResolver } from '../identity/person-units.resolver';
import { Role } from '../organization/roles';
import { AdminUnitQueryDto, ImportDataSetDto, OpenCycleDto, ReassignTasksDto, SetRolesDto } from './administration.dto';
import { PersonAndTargetUnitResolver } from './admin-unit.resolvers';
import { CycleAdministration, DATA_SET_UPLOAD_LIMITS } from './cycle-admin.service';
import { PEOPLE_SHEET_LIMITS } from './people-sheet';
import { PeopleAdministration } from './people-admin.service';

const ADMINISTRATORS = [Role.Administrator];

/** The administrator's page: cycles, data sets, people imported in bulk, roles, tasks of people who left. */
@ApiTags('admin')
@Controller('api/admin')
export class AdministrationController {
  constructor(
    private readonly cycles: CycleAdministration,
    private readonly people: PeopleAdministration,
  ) {}

  @Get('overview')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.query('unitId') })
  @ApiOperation({ summary: "The data set of the unit, its cycles, and the data sets shipped with the application" })
  overview(@Query() query: AdminUnitQueryDto) {
    return this.cycles.overview(query.unitId);
  }

  @Post('cycles')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.body('unitId') })
  @ApiOperation({ summary: "Open a year's cycle on the unit's data set: every unit's report, the consolidations, the request letter" })
  async openCycle(@Body() body: OpenCycleDto, @CurrentActor() actor: Actor) {
    const { unitId, year, ...options } = body;
    const cycle = await this.cycles.openCycle(unitId, year, actor, options);
    return { id: cycle.id, year: cycle.year, dataSetId: cycle.dataSetId, deadlineAt: cycle.deadlineAt.toISOString(), periodStart: cycle.periodStart, periodEnd: cycle.periodEnd, reminderOffsets: cycle.reminderOffsets, escalationDays: cycle.escalationDays };
  }

  // A data set is imported before anyone holds a role in it: any administrator may import (or bring up
  // to date) one of the files shipped with the application; nothing else can be named.
  @Post('data-sets/import')
  @Policy({ roles: ADMINISTRATORS, scope: 'any-unit' })
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Import or update a data set shipped with the application (data/organizations), with its demo people' })
  importDataSet(@Body() body: ImportDataSetDto) {
    return this.cycles.importDataSet(body.dataSetId);
  }

  // A file that is not shipped: any administrator may bring a new data set; one already known (or
  // shipped) only its own administrators (checked by the service, which names the refusal at `file`).
  @Post('data-sets/upload')
  @Policy({ roles: ADMINISTRATORS, scope: 'any-unit' })
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Import a data set file that is not shipped (JSON as data/organizations/*.json): checked by the importer, all or nothing (422 at `file` naming the entry); its people get no usable password' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: DATA_SET_UPLOAD_LIMITS.maxBytes + 1, files: 1, fields: 0 } }))
  uploadDataSet(@UploadedFile() file: { originalname: string; buffer: Buffer } | undefined, @CurrentActor() actor: Actor) {
    return this.cycles.importUploadedDataSet(file, actor);
  }

  @Post('people/import')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.query('unitId') })
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Import people from CSV or XLSX (Họ tên, Tên đăng nhập, Mã đơn vị, Vai trò[, Thư điện tử]): every row valid, or nothing imported (422 with each bad row)' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({ schema: { type: 'object', properties: { file: { type: 'string', format: 'binary' } }, required: ['file'] } })
  // One more byte than allowed reaches the check, which then names the limit.
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: PEOPLE_SHEET_LIMITS.maxBytes + 1, files: 1, fields: 0 } }))
  importPeople(@Query() query: AdminUnitQueryDto, @UploadedFile() file: { originalname: string; buffer: Buffer } | undefined, @CurrentActor() actor: Actor) {
    return this.people.importPeople(query.unitId, file, actor);
  }

  @Put('people/:id/roles')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.resolver(PersonAndTargetUnitResolver) })
  @ApiOperation({ summary: 'Set every role a person holds in one unit (administrators of the data set of the person and the unit)' })
  setRoles(@Param('id', IdPipe) id: number, @Body() body: SetRolesDto, @CurrentActor() actor: Actor) {
    return this.people.setRoles(id, body.unitId, body.roles, actor);
  }

  @Get('people/:id/tasks')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.resolver(PersonUnitsResolver) })
  @ApiOperation({ summary: 'Open tasks the person holds' })
  heldTasks(@Param('id', IdPipe) id: number) {
    return this.people.heldTasks(id);
  }

  @Post('people/:id/reassign-tasks')
  @Policy({ roles: ADMINISTRATORS, scope: 'data-set', unit: unitFrom.resolver(PersonUnitsResolver) })
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Give a departed person's open tasks to a colleague of the same unit (optionally lock the account)" })
  reassignTasks(@Param('id', IdPipe) id: number, @Body() body: ReassignTasksDto, @CurrentActor() actor: Actor) {
    return this.people.reassignTasks(id, body.toLogin, body.deactivate ?? false, actor);
  }
}
