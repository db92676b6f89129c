import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsObject, IsOptional, IsString, MaxLength, Min } from 'class-validator';
import { OptionalField } from '../../http/validation';

/** The working draft: figures by section and field, narratives by key. The form's own rules check the content. */
export class SaveDraftDto {
  @ApiProperty({ description: 'Figures by section and field, as the year\'s form defines them', example: { procedures: { underAuthority: 132 } } })
  @IsObject()
  figures!: Record<string, Record<string, unknown>>;

  @ApiPropertyOptional({ description: 'Narratives by key (results, shortcomings, proposals)', example: { results: 'Kết quả đạt được…' } })
  @IsOptional()
  @IsObject()
  narratives?: Record<string, string>;
}

export class ReviewDto {
  @ApiProperty({ enum: ['approved', 'returned'] })
  @IsIn(['approved', 'returned'])
  decision!: 'approved' | 'returned';

  @ApiPropertyOptional({ description: 'Required when returning: what staff must fix', maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  comment?: string;

  @ApiPropertyOptional({ description: 'The submitted version the decision is about (currentVersion as read); refused with 409 report-version-changed once staff have submitted another' })
  @OptionalField()
  @IsInt()
  @Min(1)
  version?: number;
}
