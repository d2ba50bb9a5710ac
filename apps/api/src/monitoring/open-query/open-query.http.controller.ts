import { Body, Controller, Param, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiProperty, ApiTags } from '@nestjs/swagger';
import { queryIdFor } from '@trial-ledger/command-pipeline';
import { MONITORING_COMMAND_ROLES, type MonitoringCommand } from '@trial-ledger/domain';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { HttpResponse } from '../../shared/http/http.types';
import { resolveIdempotencyKey } from '../../shared/http/idempotency-key';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { MonitoringLedgerCommand } from '../monitoring-command.handler';
import { OpenQueryRequestDto } from './open-query.request.dto';

export const OPEN_QUERY_ROUTE = defineRoute({
  operation: 'OpenQuery',
  method: 'POST',
  path: 'api/v1/studies/:studyId/queries',
  roles: MONITORING_COMMAND_ROLES.OpenQuery,
  summary: 'Open a query (discrepancy note) on one entry or one field of it (QueryOpened)',
});

export class QueryOpenedResponse extends CommandAcceptedResponse {
  @ApiProperty({ description: 'The new query id; its stream is query-{studyId}-{queryId}.' })
  queryId!: string;
}

@ApiTags('monitoring')
@Controller()
export class OpenQueryHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(OPEN_QUERY_ROUTE)
  @ApiCreatedResponse({ type: QueryOpenedResponse })
  async openQuery(@Param() path: StudyPathParams, @Body() body: OpenQueryRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse): Promise<QueryOpenedResponse> {
    // The id follows from the user's idempotency key, so a retried request names the same query.
    const queryId = queryIdFor(context.actor.userId, resolveIdempotencyKey(context.idempotencyKeyHeader, body.idempotencyKey));
    const command: MonitoringCommand = {
      type: 'OpenQuery',
      studyId: path.studyId,
      subjectId: body.subjectId,
      payload: { queryId, targetEventId: body.targetEventId, fieldPath: body.fieldPath ?? null, text: body.text },
    };
    const accepted = await this.sender.send(new MonitoringLedgerCommand(command, envelopeFor(context, command, body.idempotencyKey)), response, `/api/v1/studies/${path.studyId}/queries/${queryId}`);
    return { ...accepted, queryId };
  }
}
