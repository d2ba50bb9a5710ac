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
import { WithdrawSubjectCommand } from './withdraw-subject.command-handler';
import { WithdrawSubjectRequestDto } from './withdraw-subject.request.dto';

export const WITHDRAW_SUBJECT_ROUTE = defineRoute({
  operation: 'WithdrawSubject',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/withdrawal',
  roles: COMMAND_ROLES.WithdrawSubject,
  summary: 'Withdraw the subject from the study (SubjectWithdrawn)',
});

@ApiTags('disposition')
@Controller()
export class WithdrawSubjectHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(WITHDRAW_SUBJECT_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  withdrawSubject(@Param() path: SubjectPathParams, @Body() body: WithdrawSubjectRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'WithdrawSubject'> = { type: 'WithdrawSubject', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new WithdrawSubjectCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
