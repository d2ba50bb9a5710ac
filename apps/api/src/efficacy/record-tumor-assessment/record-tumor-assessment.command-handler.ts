import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordTumorAssessmentCommand extends LedgerCommand<DomainCommandOf<'RecordTumorAssessment'>> {}

@CommandHandler(RecordTumorAssessmentCommand)
export class RecordTumorAssessmentCommandHandler extends PipelineCommandHandler<RecordTumorAssessmentCommand> {}
