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
import { RecordMissedDoseCommand } from './record-missed-dose.command-handler';
import { RecordMissedDoseRequestDto } from './record-missed-dose.request.dto';

export const RECORD_MISSED_DOSE_ROUTE = defineRoute({
  operation: 'RecordMissedDose',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/missed-doses',
  roles: COMMAND_ROLES.RecordMissedDose,
  summary: 'Record a missed dose (DoseMissed + ProtocolDeviationDetected)',
});

@ApiTags('dosing')
@Controller()
export class RecordMissedDoseHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_MISSED_DOSE_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordMissedDose(@Param() path: SubjectPathParams, @Body() body: RecordMissedDoseRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordMissedDose'> = { type: 'RecordMissedDose', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordMissedDoseCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
