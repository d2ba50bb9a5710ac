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
import { QueryTransitionRequestDto } from './query-transition.request.dto';

export const CLOSE_QUERY_ROUTE = defineRoute({
  operation: 'CloseQuery',
  method: 'POST',
  path: 'api/v1/studies/:studyId/queries/:queryId/close',
  roles: MONITORING_COMMAND_ROLES.CloseQuery,
  summary: 'Close a query (QueryClosed)',
});
export const REOPEN_QUERY_ROUTE = defineRoute({
  operation: 'ReopenQuery',
  method: 'POST',
  path: 'api/v1/studies/:studyId/queries/:queryId/reopen',
  roles: MONITORING_COMMAND_ROLES.ReopenQuery,
  summary: 'Reopen a closed query, bound to the value as it stands now (QueryReopened)',
});
export const CANCEL_QUERY_ROUTE = defineRoute({
  operation: 'CancelQuery',
  method: 'POST',
  path: 'api/v1/studies/:studyId/queries/:queryId/cancel',
  roles: MONITORING_COMMAND_ROLES.CancelQuery,
  summary: 'Cancel a query opened in error; it stays on record (QueryCancelled)',
});

type TransitionType = 'CloseQuery' | 'ReopenQuery' | 'CancelQuery';

@ApiTags('monitoring')
@Controller()
export class QueryTransitionsHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(CLOSE_QUERY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  close(@Param() path: QueryPathParams, @Body() body: QueryTransitionRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    return this.send('CloseQuery', path, body, context, response);
  }

  @LedgerRoute(REOPEN_QUERY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  reopen(@Param() path: QueryPathParams, @Body() body: QueryTransitionRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    return this.send('ReopenQuery', path, body, context, response);
  }

  @LedgerRoute(CANCEL_QUERY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  cancel(@Param() path: QueryPathParams, @Body() body: QueryTransitionRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    return this.send('CancelQuery', path, body, context, response);
  }

  private send(type: TransitionType, path: QueryPathParams, body: QueryTransitionRequestDto, context: HttpCommandContext, response: HttpResponse) {
    const command = { type, studyId: path.studyId, subjectId: '', payload: { queryId: path.queryId, text: body.text ?? null } } as MonitoringCommand;
    return this.sender.send(new MonitoringLedgerCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
