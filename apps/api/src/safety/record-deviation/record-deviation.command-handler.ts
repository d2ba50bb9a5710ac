import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordDeviationCommand extends LedgerCommand<DomainCommandOf<'RecordDeviation'>> {}

@CommandHandler(RecordDeviationCommand)
export class RecordDeviationCommandHandler extends PipelineCommandHandler<RecordDeviationCommand> {}
