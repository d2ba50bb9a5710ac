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
import { DiscontinueTreatmentCommand } from './discontinue-treatment.command-handler';
import { DiscontinueTreatmentRequestDto } from './discontinue-treatment.request.dto';

export const DISCONTINUE_TREATMENT_ROUTE = defineRoute({
  operation: 'DiscontinueTreatment',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/treatment-discontinuation',
  roles: COMMAND_ROLES.DiscontinueTreatment,
  summary: 'Discontinue study treatment (TreatmentDiscontinued; follow-up continues)',
});

@ApiTags('disposition')
@Controller()
export class DiscontinueTreatmentHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(DISCONTINUE_TREATMENT_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  discontinueTreatment(@Param() path: SubjectPathParams, @Body() body: DiscontinueTreatmentRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'DiscontinueTreatment'> = { type: 'DiscontinueTreatment', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new DiscontinueTreatmentCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
