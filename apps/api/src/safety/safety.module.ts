import { Module } from '@nestjs/common';
import { HttpCommandSender } from '../shared/commands/http-command.sender';
import { ReportAdverseEventCommandHandler } from './report-adverse-event/report-adverse-event.command-handler';
import { ReportAdverseEventHttpController } from './report-adverse-event/report-adverse-event.http.controller';
import { RecordAdverseEventOutcomeCommandHandler } from './record-adverse-event-outcome/record-adverse-event-outcome.command-handler';
import { RecordAdverseEventOutcomeHttpController } from './record-adverse-event-outcome/record-adverse-event-outcome.http.controller';
import { RecordDeviationCommandHandler } from './record-deviation/record-deviation.command-handler';
import { RecordDeviationHttpController } from './record-deviation/record-deviation.http.controller';

const httpControllers = [ReportAdverseEventHttpController, RecordAdverseEventOutcomeHttpController, RecordDeviationHttpController];
const commandHandlers = [ReportAdverseEventCommandHandler, RecordAdverseEventOutcomeCommandHandler, RecordDeviationCommandHandler];

/** Adverse events (CTCAE) and their outcomes, and deviations reported by site staff. */
@Module({ controllers: [...httpControllers], providers: [HttpCommandSender, ...commandHandlers] })
export class SafetyModule {}
