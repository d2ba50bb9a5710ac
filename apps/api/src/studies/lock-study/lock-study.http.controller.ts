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
import { LockStudyCommand } from './lock-study.command-handler';
import { LockStudyRequestDto } from './lock-study.request.dto';

export const LOCK_STUDY_ROUTE = defineRoute({
  operation: 'LockStudy',
  method: 'POST',
  path: 'api/v1/studies/:studyId/lock',
  roles: COMMAND_ROLES.LockStudy,
  summary: 'Lock the study database before analysis (StudyLocked): every clinical command is refused until it is unlocked',
});

@ApiTags('studies')
@Controller()
export class LockStudyHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(LOCK_STUDY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse, description: 'StudyLocked recorded.' })
  @ApiOkResponse({ type: CommandAcceptedResponse, description: 'Already locked: nothing recorded.' })
  lockStudy(@Param() path: StudyPathParams, @Body() body: LockStudyRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'LockStudy'> = { type: 'LockStudy', studyId: path.studyId, payload: { reason: body.reason } };
    return this.sender.send(new LockStudyCommand(command, envelopeFor(context, command, body.idempotencyKey, body.reason)), response);
  }
}
