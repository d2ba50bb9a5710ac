import { Body, Controller, Param, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { COMMAND_ROLES, type ScreenSubjectPayload } from '@trial-ledger/domain';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { toPayload } from '../../shared/commands/command-request.dto';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { DomainCommandOf } from '../../shared/commands/ledger-command';
import type { HttpResponse } from '../../shared/http/http.types';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { ScreenSubjectCommand } from './screen-subject.command-handler';
import { ScreenSubjectRequestDto } from './screen-subject.request.dto';

export const SCREEN_SUBJECT_ROUTE = defineRoute({
  operation: 'ScreenSubject',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects',
  roles: COMMAND_ROLES.ScreenSubject,
  summary: "Screen a subject: opens the subject's stream (SubjectScreened)",
});

@ApiTags('screening')
@Controller()
export class ScreenSubjectHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(SCREEN_SUBJECT_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  screenSubject(@Param() path: StudyPathParams, @Body() body: ScreenSubjectRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const { subjectId, ...payload } = toPayload<ScreenSubjectPayload & { subjectId: string }>(body);
    const command: DomainCommandOf<'ScreenSubject'> = { type: 'ScreenSubject', studyId: path.studyId, subjectId, payload };
    return this.sender.send(new ScreenSubjectCommand(command, envelopeFor(context, command, body.idempotencyKey)), response, `/api/v1/studies/${path.studyId}/subjects/${subjectId}`);
  }
}
