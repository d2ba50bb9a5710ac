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
import { RecordDeviationCommand } from './record-deviation.command-handler';
import { RecordDeviationRequestDto } from './record-deviation.request.dto';

export const RECORD_DEVIATION_ROUTE = defineRoute({
  operation: 'RecordDeviation',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/deviations',
  roles: COMMAND_ROLES.RecordDeviation,
  summary: 'Record a protocol deviation observed by site staff (ProtocolDeviationRecorded)',
});

@ApiTags('safety')
@Controller()
export class RecordDeviationHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_DEVIATION_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordDeviation(@Param() path: SubjectPathParams, @Body() body: RecordDeviationRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordDeviation'> = { type: 'RecordDeviation', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordDeviationCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
