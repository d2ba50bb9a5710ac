import { Body, Controller, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { COMMAND_ROLES, loadDefaultProtocol, type ProtocolDocument } from '@trial-ledger/domain';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { DomainCommandOf } from '../../shared/commands/ledger-command';
import type { HttpResponse } from '../../shared/http/http.types';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { defineRoute } from '../../shared/routing/route-rule';
import { RegisterStudyCommand } from './register-study.command-handler';
import { RegisterStudyRequestDto } from './register-study.request.dto';

export const REGISTER_STUDY_ROUTE = defineRoute({
  operation: 'RegisterStudy',
  method: 'POST',
  path: 'api/v1/studies',
  roles: COMMAND_ROLES.RegisterStudy,
  summary: 'Register a study with its protocol document (StudyRegistered)',
});

@ApiTags('studies')
@Controller()
export class RegisterStudyHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(REGISTER_STUDY_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  registerStudy(@Body() body: RegisterStudyRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const protocol = (body.protocol ?? loadDefaultProtocol()) as ProtocolDocument;
    const studyId = body.studyId ?? (typeof protocol.studyId === 'string' ? protocol.studyId : '');
    const command: DomainCommandOf<'RegisterStudy'> = { type: 'RegisterStudy', studyId, payload: { protocol } };
    return this.sender.send(new RegisterStudyCommand(command, envelopeFor(context, command, body.idempotencyKey)), response, `/api/v1/studies/${studyId}`);
  }
}
