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
import { RecordDoseCommand } from './record-dose.command-handler';
import { RecordDoseRequestDto } from './record-dose.request.dto';

export const RECORD_DOSE_ROUTE = defineRoute({
  operation: 'RecordDose',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/doses',
  roles: COMMAND_ROLES.RecordDose,
  summary: 'Record a dose of study drug (DoseAdministered, plus ProtocolDeviationDetected when off-window, wrong dose or route, or a cycle is skipped)',
});

@ApiTags('dosing')
@Controller()
export class RecordDoseHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_DOSE_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordDose(@Param() path: SubjectPathParams, @Body() body: RecordDoseRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordDose'> = { type: 'RecordDose', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordDoseCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
