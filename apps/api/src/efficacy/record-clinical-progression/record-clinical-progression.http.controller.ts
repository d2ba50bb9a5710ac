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
import { RecordClinicalProgressionCommand } from './record-clinical-progression.command-handler';
import { RecordClinicalProgressionRequestDto } from './record-clinical-progression.request.dto';

export const RECORD_CLINICAL_PROGRESSION_ROUTE = defineRoute({
  operation: 'RecordClinicalProgression',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/clinical-progressions',
  roles: COMMAND_ROLES.RecordClinicalProgression,
  summary: 'Record clinical (non-radiological) progression (ClinicalProgressionRecorded)',
});

@ApiTags('efficacy')
@Controller()
export class RecordClinicalProgressionHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_CLINICAL_PROGRESSION_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordClinicalProgression(@Param() path: SubjectPathParams, @Body() body: RecordClinicalProgressionRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordClinicalProgression'> = { type: 'RecordClinicalProgression', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordClinicalProgressionCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
