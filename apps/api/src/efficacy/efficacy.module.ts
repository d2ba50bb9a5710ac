import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { RecordTumorAssessmentCommandHandler } from './record-tumor-assessment/record-tumor-assessment.command-handler';
import { RecordTumorAssessmentHttpController } from './record-tumor-assessment/record-tumor-assessment.http.controller';
import { RecordClinicalProgressionCommandHandler } from './record-clinical-progression/record-clinical-progression.command-handler';
import { RecordClinicalProgressionHttpController } from './record-clinical-progression/record-clinical-progression.http.controller';
import { RecordNewAnticancerTherapyCommandHandler } from './record-new-anticancer-therapy/record-new-anticancer-therapy.command-handler';
import { RecordNewAnticancerTherapyHttpController } from './record-new-anticancer-therapy/record-new-anticancer-therapy.http.controller';

const httpControllers = [RecordTumorAssessmentHttpController, RecordClinicalProgressionHttpController, RecordNewAnticancerTherapyHttpController];
const commandHandlers = [RecordTumorAssessmentCommandHandler, RecordClinicalProgressionCommandHandler, RecordNewAnticancerTherapyCommandHandler];

/** The facts behind the PFS endpoint: RECIST 1.1 assessments, clinical progression, new anticancer therapy. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers] })
export class EfficacyModule {}
