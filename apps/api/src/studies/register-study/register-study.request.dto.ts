import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, Matches } from 'class-validator';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { LEDGER_ID_PATTERN } from '../../shared/routing/path-params.dto';

/**
 * `RegisterStudy`. Both fields are optional: with no protocol the seed protocol (LANR-HGNET-01,
 * SPEC §1) is registered. The protocol document is checked field by field by the domain
 * (`PROTOCOL.INVALID` lists every problem), not here, so the API and the CLI give the same answer.
 */
export class RegisterStudyRequestDto extends CommandRequestDto {
  @ApiPropertyOptional({ example: 'LANR-HGNET-01', pattern: LEDGER_ID_PATTERN.source, maxLength: 64, description: "Defaults to the protocol's studyId." })
  @IsOptional()
  @Matches(LEDGER_ID_PATTERN, { message: 'studyId must be 1–64 letters, digits, ".", "_" or "-"' })
  studyId?: string;

  @ApiPropertyOptional({ type: Object, description: 'The versioned protocol document (JSON); defaults to the seed protocol.' })
  @IsOptional()
  @IsObject()
  protocol?: Record<string, unknown>;
}
