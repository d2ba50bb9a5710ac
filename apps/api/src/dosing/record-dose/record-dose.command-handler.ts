import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordDoseCommand extends LedgerCommand<DomainCommandOf<'RecordDose'>> {}

@CommandHandler(RecordDoseCommand)
export class RecordDoseCommandHandler extends PipelineCommandHandler<RecordDoseCommand> {}
