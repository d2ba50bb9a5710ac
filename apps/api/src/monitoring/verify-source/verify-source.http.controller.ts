import { Body, Controller, Param, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { MONITORING_COMMAND_ROLES, MONITORING_READ_ROLES, type MonitoringCommand } from '@trial-ledger/domain';
import type { SubjectSdvProgress } from '@trial-ledger/projections';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { HttpResponse } from '../../shared/http/http.types';
import { withEtag } from '../../shared/queries/versioned-view';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { SubjectPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { MonitoringLedgerCommand } from '../monitoring-command.handler';
import { GetSourceVerificationsQuery } from './verify-source.query-handler';
import { VerifySourceRequestDto } from './verify-source.request.dto';

export const VERIFY_SOURCE_ROUTE = defineRoute({
  operation: 'VerifySource',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/source-verifications',
  roles: MONITORING_COMMAND_ROLES.VerifySource,
  summary: 'Source data verification of one entry (RecordSourceVerified); a later correction or void revokes it',
});
export const GET_SOURCE_VERIFICATIONS_ROUTE = defineRoute({
  operation: 'GetSourceVerifications',
  method: 'GET',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/source-verifications',
  roles: MONITORING_READ_ROLES,
  summary: "The subject's SDV progress: each entry verified, not yet, or revoked by a correction",
});

@ApiTags('monitoring')
@Controller()
export class VerifySourceHttpController {
  constructor(private readonly sender: HttpCommandSender, private readonly queryBus: QueryBus) {}

  @LedgerRoute(VERIFY_SOURCE_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  verify(@Param() path: SubjectPathParams, @Body() body: VerifySourceRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: MonitoringCommand = { type: 'VerifySource', studyId: path.studyId, subjectId: path.subjectId, payload: { targetEventId: body.targetEventId } };
    return this.sender.send(new MonitoringLedgerCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }

  @LedgerRoute(GET_SOURCE_VERIFICATIONS_ROUTE)
  @ApiOkResponse({ description: 'Entries, verified, revoked, percent verified and each entry\'s SDV state.' })
  async progress(@Param() path: SubjectPathParams, @Res({ passthrough: true }) response: HttpResponse): Promise<SubjectSdvProgress> {
    return withEtag(await this.queryBus.execute(new GetSourceVerificationsQuery(path.studyId, path.subjectId)), response);
  }
}
