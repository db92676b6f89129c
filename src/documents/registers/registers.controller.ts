import { Controller, Get, Header, Param, Query, StreamableFile } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { Policy, unitFrom } from '../../access/policy';
import { AppConfig } from '../../config/app-config';
import { IdPipe } from '../../http/ids';
import { Role } from '../../organization/roles';
import { UnitEntity } from '../../organization/unit.entity';
import { Clock } from '../../shared/clock';
import { NotFoundError } from '../../shared/errors';
import { registerWorkbook } from './register-workbook';
import { Register, RegistersService } from './registers.service';

export class RegisterQueryDto {
  @ApiProperty({ enum: ['outgoing', 'incoming'] })
  @IsIn(['outgoing', 'incoming'])
  kind!: 'outgoing' | 'incoming';

  @ApiProperty({ minimum: 2000, maximum: 2100 })
  @Type(() => Number)
  @IsInt()
  @Min(2000)
  @Max(2100)
  year!: number;
}

/** Who keeps and reads a unit's registers: its own people (the clerk keeps them). */
const REGISTER_READERS = [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Clerk, Role.Consolidator];

/** A unit's outgoing and incoming registers (sổ đăng ký văn bản đi / đến) for a year, as rows and as XLSX. */
@ApiTags('documents')
@Controller('api/units/:unitId')
export class RegistersController {
  private readonly registers: RegistersService;

  constructor(
    private readonly dataSource: DataSource,
    clock: Clock,
    config: AppConfig,
  ) {
    this.registers = new RegistersService(dataSource, clock, { zone: config.civilTimeZone });
  }

  @Get('registers')
  @Policy({ roles: REGISTER_READERS, scope: 'own-unit', unit: unitFrom.param('unitId') })
  @ApiOperation({ summary: "A unit's outgoing or incoming register for a year: cover, column headings, rows as printed" })
  async register(@Param('unitId', IdPipe) unitId: number, @Query() query: RegisterQueryDto): Promise<Register> {
    return this.read(unitId, query);
  }

  @Get('registers.xlsx')
  @Policy({ roles: REGISTER_READERS, scope: 'own-unit', unit: unitFrom.param('unitId') })
  @ApiOperation({ summary: "A unit's outgoing or incoming register for a year as XLSX" })
  @Header('Content-Type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
  async workbook(@Param('unitId', IdPipe) unitId: number, @Query() query: RegisterQueryDto): Promise<StreamableFile> {
    const register = await this.read(unitId, query);
    const unit = await this.dataSource.getRepository(UnitEntity).findOneByOrFail({ id: unitId });
    const name = `so-van-ban-${query.kind === 'outgoing' ? 'di' : 'den'}-${unit.code}-${query.year}.xlsx`;
    return new StreamableFile(await registerWorkbook(register), { disposition: `attachment; filename="${name}"` });
  }

  private async read(unitId: number, query: RegisterQueryDto): Promise<Register> {
    if (!(await this.dataSource.getRepository(UnitEntity).existsBy({ id: unitId }))) throw new NotFoundError(`Unit ${unitId}`);
    return query.kind === 'outgoing' ? this.registers.outgoing(unitId, query.year) : this.registers.incoming(unitId, query.year);
  }
}
