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
import { ReportAdverseEventCommand } from './report-adverse-event.command-handler';
import { ReportAdverseEventRequestDto } from './report-adverse-event.request.dto';

export const REPORT_ADVERSE_EVENT_ROUTE = defineRoute({
  operation: 'ReportAdverseEvent',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/adverse-events',
  roles: COMMAND_ROLES.ReportAdverseEvent,
  summary: 'Report an adverse event graded by CTCAE (AdverseEventReported)',
});

@ApiTags('safety')
@Controller()
export class ReportAdverseEventHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(REPORT_ADVERSE_EVENT_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  reportAdverseEvent(@Param() path: SubjectPathParams, @Body() body: ReportAdverseEventRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'ReportAdverseEvent'> = { type: 'ReportAdverseEvent', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new ReportAdverseEventCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
