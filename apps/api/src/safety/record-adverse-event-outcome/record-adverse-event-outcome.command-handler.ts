import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordAdverseEventOutcomeCommand extends LedgerCommand<DomainCommandOf<'RecordAdverseEventOutcome'>> {}

@CommandHandler(RecordAdverseEventOutcomeCommand)
export class RecordAdverseEventOutcomeCommandHandler extends PipelineCommandHandler<RecordAdverseEventOutcomeCommand> {}
