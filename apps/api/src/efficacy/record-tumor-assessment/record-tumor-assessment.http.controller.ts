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
import { RecordTumorAssessmentCommand } from './record-tumor-assessment.command-handler';
import { RecordTumorAssessmentRequestDto } from './record-tumor-assessment.request.dto';

export const RECORD_TUMOR_ASSESSMENT_ROUTE = defineRoute({
  operation: 'RecordTumorAssessment',
  method: 'POST',
  path: 'api/v1/studies/:studyId/subjects/:subjectId/tumor-assessments',
  roles: COMMAND_ROLES.RecordTumorAssessment,
  summary: 'Record a CT/MRI tumour assessment (TumorAssessmentRecorded with the derived RECIST 1.1 response)',
});

@ApiTags('efficacy')
@Controller()
export class RecordTumorAssessmentHttpController {
  constructor(private readonly sender: HttpCommandSender) {}

  @LedgerRoute(RECORD_TUMOR_ASSESSMENT_ROUTE)
  @ApiCreatedResponse({ type: CommandAcceptedResponse })
  recordTumorAssessment(@Param() path: SubjectPathParams, @Body() body: RecordTumorAssessmentRequestDto, @CommandContext() context: HttpCommandContext, @Res({ passthrough: true }) response: HttpResponse) {
    const command: DomainCommandOf<'RecordTumorAssessment'> = { type: 'RecordTumorAssessment', studyId: path.studyId, subjectId: path.subjectId, payload: toPayload(body) };
    return this.sender.send(new RecordTumorAssessmentCommand(command, envelopeFor(context, command, body.idempotencyKey)), response);
  }
}
