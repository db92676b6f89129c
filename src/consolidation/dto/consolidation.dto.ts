import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { PROGRESS_LABELS, ProgressStatus } from '../consolidation-progress';

/** A new deadline (an instant with its offset), or null to return to the common one. */
export class DeadlineDto {
  @ApiProperty({ nullable: true, example: '2026-11-20T23:59:59+07:00', description: 'ISO 8601 instant with offset; null removes the unit\'s own deadline' })
  @ValidateIf((_, value) => value !== null)
  @IsISO8601({ strict: true })
  @Matches(/(Z|[+-]\d{2}:\d{2})$/, { message: 'deadline must carry its offset (Z or +07:00)' })
  deadline!: string | null;
}

export class UrgeDto {
  @ApiPropertyOptional({ example: '2026-11-20', description: 'The date the late units must report by (YYYY-MM-DD); default: three working days from today' })
  @IsOptional()
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'newDeadline must be a date YYYY-MM-DD' })
  newDeadline?: string;
}

/** A report received on paper (multipart): the figures as JSON, the reference as printed, the scan as `file`. */
export class PaperReportDto {
  @ApiProperty({ description: 'The report\'s values as JSON: {"figures": {...}, "narratives": {...}}' })
  @IsString()
  @MaxLength(200_000)
  values!: string;

  @ApiProperty({ example: '45/BC-UBND ngày 12/11/2026' })
  @IsString()
  @MaxLength(255)
  reference!: string;
}

/**
 * One page of the units on a dashboard, optionally of one status: a province of 10,000 units is
 * not sent whole to every reader (3 MB). Without any of them the route sends every unit.
 */
export class ProgressPageDto {
  @ApiPropertyOptional({ enum: Object.keys(PROGRESS_LABELS), description: 'Only the units in this status' })
  @IsOptional()
  @IsIn(Object.keys(PROGRESS_LABELS))
  status?: ProgressStatus;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(1_000_000)
  offset?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, description: 'How many units at most (default: all)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
