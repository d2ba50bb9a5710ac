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
import { VoidEntryCommand } from './void-entry.command-handler';
import { VoidEntryRequestDto } from './void-entry.request.dto';

export const VOID_ENTRY_ROUTE = defineRoute({
  operation: 'VoidEntry',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/voids',
  roles: COMMAND_ROLES.VoidEntry,
  summary: 'Void an entry made in error (EntryVoided with reason; projections ignore it from then on)',
});

@ApiTags('corrections')
@Controller()
export class VoidEntryHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(VOID_ENTRY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  voidEntry(@Param() path: SubjectPathParams, @Body() body: VoidEntryRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'VoidEntry'> = { type: 'VoidEntry', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new VoidEntryCommand(command, envelopeFor(context, command, body.idempotencyKey, body.reason)), response);
  }
}
