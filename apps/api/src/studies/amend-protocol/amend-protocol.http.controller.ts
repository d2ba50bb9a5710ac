import { Body, Controller, Param, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { COMMAND_ROLES, type ProtocolDocument } from '@trial-ledger/domain';
import { CommandAcceptedResponse } from '../../shared/commands/command-accepted.response';
import { CommandContext, envelopeFor, type HttpCommandContext } from '../../shared/commands/command-context';
import { HttpCommandSender } from '../../shared/commands/http-command.sender';
import type { DomainCommandOf } from '../../shared/commands/ledger-command';
import type { HttpResponse } from '../../shared/http/http.types';
import { LedgerRoute } from '../../shared/routing/ledger-route.decorator';
import { StudyPathParams } from '../../shared/routing/path-params.dto';
import { defineRoute } from '../../shared/routing/route-rule';
import { AmendProtocolCommand } from './amend-protocol.command-handler';
import { AmendProtocolRequestDto } from './amend-protocol.request.dto';

export const AMEND_PROTOCOL_ROUTE = defineRoute({
  operation: 'AmendProtocol',
  method: 'POST',
  path: 'api/v1/studies/:studyId/protocol-amendments',
  roles: COMMAND_ROLES.AmendProtocol,
  summary: 'Amend the protocol document (ProtocolAmended, versioned, reason required)',
});

@ApiTags('studies')
@Controller()
export class AmendProtocolHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(AMEND_PROTOCOL_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  amendProtocol(@Param() path: StudyPathParams, @Body() body: AmendProtocolRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'AmendProtocol'> = {
      type: 'AmendProtocol',
      studyId: path.studyId,
      payload: { protocol: body.protocol as unknown as ProtocolDocument, reason: body.reason },
    };
    return this.sender.send(new AmendProtocolCommand(command, envelopeFor(context, command, body.idempotencyKey, body.reason)), response);
  }
}
