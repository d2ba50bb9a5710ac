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
import { CorrectEntryCommand } from './correct-entry.command-handler';
import { CorrectEntryRequestDto } from './correct-entry.request.dto';

export const CORRECT_ENTRY_ROUTE = defineRoute({
  operation: 'CorrectEntry',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/corrections',
  roles: COMMAND_ROLES.CorrectEntry,
  summary: 'Correct an earlier entry (EntryCorrected with before/after and reason; the original event stays untouched)',
});

@ApiTags('corrections')
@Controller()
export class CorrectEntryHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(CORRECT_ENTRY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  correctEntry(@Param() path: SubjectPathParams, @Body() body: CorrectEntryRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'CorrectEntry'> = { type: 'CorrectEntry', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new CorrectEntryCommand(command, envelopeFor(context, command, body.idempotencyKey, body.reason)), response);
  }
}
