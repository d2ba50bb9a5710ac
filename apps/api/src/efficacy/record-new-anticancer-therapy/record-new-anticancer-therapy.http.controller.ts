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
import { RecordNewAnticancerTherapyCommand } from './record-new-anticancer-therapy.command-handler';
import { RecordNewAnticancerTherapyRequestDto } from './record-new-anticancer-therapy.request.dto';

export const RECORD_NEW_ANTICANCER_THERAPY_ROUTE = defineRoute({
  operation: 'RecordNewAnticancerTherapy',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/anticancer-therapies',
  roles: COMMAND_ROLES.RecordNewAnticancerTherapy,
  summary: 'Record the start of a new anticancer therapy (NewAnticancerTherapyStarted; censors PFS)',
});

@ApiTags('efficacy')
@Controller()
export class RecordNewAnticancerTherapyHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_NEW_ANTICANCER_THERAPY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordNewAnticancerTherapy(@Param() path: SubjectPathParams, @Body() body: RecordNewAnticancerTherapyRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordNewAnticancerTherapy'> = { type: 'RecordNewAnticancerTherapy', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordNewAnticancerTherapyCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
