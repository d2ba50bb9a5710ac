import { Body, Controller, Param, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { MONITORING_COMMAND_ROLES, type MonitoringCommand } from '@trial-ledger/domain';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { HttpResponse } from '../../shared/http/http.types';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { MonitoringLedgerCommand } from '../monitoring-command.handler';
import { QueryPathParams } from '../monitoring-path-params.dto';
import { RespondToQueryRequestDto } from './respond-to-query.request.dto';

export const RESPOND_TO_QUERY_ROUTE = defineRoute({
  operation: 'RespondToQuery',
  method: 'POST',
  path: 'api/v1/studies/:studyId/queries/:queryId/responses',
  roles: MONITORING_COMMAND_ROLES.RespondToQuery,
  summary: "The site's answer to a query (QueryResponded)",
});

@ApiTags('monitoring')
@Controller()
export class RespondToQueryHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RESPOND_TO_QUERY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  respond(@Param() path: QueryPathParams, @Body() body: RespondToQueryRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    // The subject is the one the query was opened on (resolved by the pipeline from the query's stream).
    const command: MonitoringCommand = { type: 'RespondToQuery', studyId: path.studyId, subjectId: '', payload: { queryId: path.queryId, text: body.text, category: body.category } };
    return this.sender.send(new MonitoringLedgerCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
