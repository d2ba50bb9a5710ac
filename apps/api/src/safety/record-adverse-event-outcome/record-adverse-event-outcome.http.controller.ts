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
import { RecordAdverseEventOutcomeCommand } from './record-adverse-event-outcome.command-handler';
import { RecordAdverseEventOutcomeRequestDto } from './record-adverse-event-outcome.request.dto';

export const RECORD_ADVERSE_EVENT_OUTCOME_ROUTE = defineRoute({
  operation: 'RecordAdverseEventOutcome',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/adverse-event-outcomes',
  roles: COMMAND_ROLES.RecordAdverseEventOutcome,
  summary: 'Record the outcome and end date of a reported adverse event (CDISC SDTM AEOUT, AEENDTC; AdverseEventOutcomeRecorded)',
});

@ApiTags('safety')
@Controller()
export class RecordAdverseEventOutcomeHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_ADVERSE_EVENT_OUTCOME_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordAdverseEventOutcome(@Param() path: SubjectPathParams, @Body() body: RecordAdverseEventOutcomeRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordAdverseEventOutcome'> = { type: 'RecordAdverseEventOutcome', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordAdverseEventOutcomeCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
