import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, Matches, MaxLength, ValidateIf } from 'class-validator';

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
