import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
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
