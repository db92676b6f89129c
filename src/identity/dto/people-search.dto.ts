import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';

/** GET /api/admin/people: a unit of the administrator's data set, and what the login or name contains. */
export class PeopleSearchDto {
  @ApiProperty({ description: 'A unit of the data set to search (the administrator’s own unit will do)' })
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  unitId!: number;

  @ApiProperty({ minLength: 2, maxLength: 120, description: 'Part of the login or of the full name' })
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  q!: string;
}
