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
import { AssessEligibilityCommand } from './assess-eligibility.command-handler';
import { AssessEligibilityRequestDto } from './assess-eligibility.request.dto';

export const ASSESS_ELIGIBILITY_ROUTE = defineRoute({
  operation: 'AssessEligibility',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/eligibility-assessments',
  roles: COMMAND_ROLES.AssessEligibility,
  summary: 'Assess eligibility against the protocol criteria (EligibilityConfirmed, or SubjectScreenFailed naming every failed criterion)',
});

@ApiTags('screening')
@Controller()
export class AssessEligibilityHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(ASSESS_ELIGIBILITY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  assessEligibility(@Param() path: SubjectPathParams, @Body() body: AssessEligibilityRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'AssessEligibility'> = { type: 'AssessEligibility', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new AssessEligibilityCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
