import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { Policy, unitFrom } from '../access/policy';
import { IdPipe } from '../http/ids';
import { Role } from '../organization/roles';
import { AuditTrail, auditEventView } from './audit-trail.service';

export class AuditEventsQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}

class AuditEventView {
  @ApiProperty() seq!: number;
  @ApiProperty() at!: string;
  @ApiProperty() action!: string;
  @ApiProperty() hash!: string;
}

@ApiTags('audit')
@Controller('api/units/:unitId/audit-events')
export class AuditController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @Policy({ roles: [Role.Staff, Role.DivisionHead, Role.Head, Role.Deputy, Role.Consolidator, Role.Administrator], scope: 'consolidated-units', unit: unitFrom.param('unitId') })
  @ApiOperation({ summary: 'The latest audit events about a unit, newest first (its own people, its consolidators, administrators)' })
  async latest(@Param('unitId', IdPipe) unitId: number, @Query() query: AuditEventsQuery): Promise<AuditEventView[]> {
    return (await this.audit.latestOfUnit(unitId, query.limit ?? 50)).map(auditEventView);
  }
}
