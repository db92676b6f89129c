import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

const CIVIL_DAY = /^\d{4}-\d{2}-\d{2}$/;
import { ALL_ROLES, Role } from '../organization/roles';

/** A unit of the administrator's data set (their own unit will do): names the data set acted on. */
export class AdminUnitQueryDto {
  @ApiProperty({ description: 'A unit of the data set (the administrator’s own unit will do)' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  unitId!: number;
}

export class OpenCycleDto {
  @ApiProperty({ description: 'A unit of the data set on which the cycle opens (the administrator’s own unit will do)' })
  @IsInt()
  @Min(1)
  @Max(2147483647)
  unitId!: number;

  @ApiProperty({ minimum: 2015, maximum: 2100 })
  @IsInt()
  @Min(2015)
  @Max(2100)
  year!: number;

  @ApiPropertyOptional({ description: 'Deadline day (YYYY-MM-DD, reports due by its end, Vietnam time); default 14/11 of the year', example: '2027-11-14' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'deadline must be a date YYYY-MM-DD' })
  deadline?: string;

  @ApiPropertyOptional({ description: 'First day of the data period (YYYY-MM-DD); default 15/11 of the year before', example: '2026-11-15' })
  @IsOptional()
  @IsString()
  @Matches(CIVIL_DAY, { message: 'periodStart must be a date YYYY-MM-DD' })
  periodStart?: string;

  @ApiPropertyOptional({ description: 'Last day of the data period (YYYY-MM-DD), not after the deadline; default 14/11 of the year', example: '2027-11-14' })
  @IsOptional()
  @IsString()
  @Matches(CIVIL_DAY, { message: 'periodEnd must be a date YYYY-MM-DD' })
  periodEnd?: string;

  @ApiPropertyOptional({ type: [Number], description: 'Working days before the deadline on which staff are reminded (0–60, at most 10); default [5, 1]', example: [5, 1] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  @Min(0, { each: true })
  @Max(60, { each: true })
  reminderOffsets?: number[];

  @ApiPropertyOptional({ description: 'Working days after the deadline before the consolidating unit is told (0–30); default 2', example: 2 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(30)
  escalationDays?: number;
}


export class ImportDataSetDto {
  @ApiProperty({ description: 'Id of a data set shipped with the application (data/organizations/<id>.json)', example: 'quang-ngai-2021' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/)
  dataSetId!: string;
}

export class SetRolesDto {
  @ApiProperty({ description: 'The unit where the roles are held' })
  @IsInt()
  @Min(1)
  @Max(2147483647)
  unitId!: number;

  @ApiProperty({ enum: ALL_ROLES, isArray: true, description: 'Every role the person is to hold in the unit (empty: none)' })
  @IsArray()
  @ArrayMaxSize(ALL_ROLES.length)
  @IsIn(ALL_ROLES, { each: true })
  roles!: Role[];
}

export class ReassignTasksDto {
  @ApiProperty({ description: 'Login of the colleague of the same unit who takes the tasks over' })
  @IsString()
  @Matches(/^[a-z0-9.@_-]{1,120}$/)
  toLogin!: string;

  @ApiPropertyOptional({ description: 'Also lock the departed person’s account and close their sessions' })
  @IsOptional()
  @IsBoolean()
  deactivate?: boolean;
}
