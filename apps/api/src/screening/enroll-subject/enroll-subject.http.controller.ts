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
import { EnrollSubjectCommand } from './enroll-subject.command-handler';
import { EnrollSubjectRequestDto } from './enroll-subject.request.dto';

export const ENROLL_SUBJECT_ROUTE = defineRoute({
  operation: 'EnrollSubject',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/enrollment',
  roles: COMMAND_ROLES.EnrollSubject,
  summary: 'Enroll an eligible subject (SubjectEnrolled with its subject number; the enrollment cap holds under concurrent requests)',
});

@ApiTags('screening')
@Controller()
export class EnrollSubjectHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(ENROLL_SUBJECT_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  enrollSubject(@Param() path: SubjectPathParams, @Body() body: EnrollSubjectRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'EnrollSubject'> = { type: 'EnrollSubject', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new EnrollSubjectCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
