import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';

/** `CloseQuery`, `ReopenQuery`, `CancelQuery`: an optional note from the monitor. */
export class QueryTransitionRequestDto extends CommandRequestDto {
  @ApiPropertyOptional({ description: 'A note for the thread (why it is closed, reopened or cancelled).', maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Matches(/\S/, { message: '$property must not be empty' })
  @MaxLength(2000)
  text?: string;
}
