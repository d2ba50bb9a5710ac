import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordMissedDoseCommand extends LedgerCommand<DomainCommandOf<'RecordMissedDose'>> {}

@CommandHandler(RecordMissedDoseCommand)
export class RecordMissedDoseCommandHandler extends PipelineCommandHandler<RecordMissedDoseCommand> {}
