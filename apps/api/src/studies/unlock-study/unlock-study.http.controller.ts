import { Body, Controller, Param, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { COMMAND_ROLES } from '@trial-ledger/domain';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { DomainCommandOf } from '../../shared/commands/ledger-command';
import type { HttpResponse } from '../../shared/http/http.types';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { UnlockStudyCommand } from './unlock-study.command-handler';
import { UnlockStudyRequestDto } from './unlock-study.request.dto';

export const UNLOCK_STUDY_ROUTE = defineRoute({
  operation: 'UnlockStudy',
  method: 'POST',
  path: 'api/v1/studies/:studyId/unlock',
  roles: COMMAND_ROLES.UnlockStudy,
  summary: 'Unlock the study database (StudyUnlocked), e.g. to resolve a query after lock',
});

@ApiTags('studies')
@Controller()
export class UnlockStudyHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(UNLOCK_STUDY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse, description: 'StudyUnlocked recorded.' })
  @ApiOkResponse({ type: CommandAcceptedResponse, description: 'Already unlocked: nothing recorded.' })
  unlockStudy(@Param() path: StudyPathParams, @Body() body: UnlockStudyRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'UnlockStudy'> = { type: 'UnlockStudy', studyId: path.studyId, payload: { reason: body.reason } };
    return this.sender.send(new UnlockStudyCommand(command, envelopeFor(context, command, body.idempotencyKey, body.reason)), response);
  }
}
