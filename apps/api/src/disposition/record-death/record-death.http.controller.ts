import { Body, Controller, Param, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { COMMAND_ROLES } from '@trial-ledger/domain';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { toPayload } from '../../shared/commands/command-request.dto';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { DomainCommandOf } from '../../shared/commands/ledger-command';
import type { HttpResponse } from '../../shared/http/http.types';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { SubjectPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { RecordDeathCommand } from './record-death.command-handler';
import { RecordDeathRequestDto } from './record-death.request.dto';

export const RECORD_DEATH_ROUTE = defineRoute({
  operation: 'RecordDeath',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/death',
  roles: COMMAND_ROLES.RecordDeath,
  summary: 'Record the death of a subject (SubjectDied)',
});

@ApiTags('disposition')
@Controller()
export class RecordDeathHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_DEATH_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordDeath(@Param() path: SubjectPathParams, @Body() body: RecordDeathRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordDeath'> = { type: 'RecordDeath', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordDeathCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
