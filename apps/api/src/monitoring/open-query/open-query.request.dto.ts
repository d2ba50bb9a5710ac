import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { SUBJECT_ID } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { SUBJECT_ID_MESSAGE } from '../../shared/routing/path-params.dto';
import { Text } from '../../shared/validation/field.decorators';
import { ApiProperty } from '@nestjs/swagger';

/** `OpenQuery`: what the monitor questions — one entry of one subject, optionally one field of it. */
export class OpenQueryRequestDto extends CommandRequestDto {
  @ApiProperty({ example: 'S001', pattern: SUBJECT_ID.source, maxLength: 64 })
  @Matches(SUBJECT_ID, { message: SUBJECT_ID_MESSAGE })
  subjectId!: string;

  @Text('Event id of the questioned entry (the original entry, also after corrections).', 64, '019acb2e-5b7e-7c0f-9a4d-3c2b1a098765')
  targetEventId!: string;

  @ApiPropertyOptional({ description: 'Dotted path of the questioned field in the entry data, e.g. administeredOn or targetLesions.0.diameterMm.', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  fieldPath?: string;

  @Text('The question to the site.', 2000, 'The dose date differs from the pharmacy log (2026-02-03).')
  text!: string;
}
