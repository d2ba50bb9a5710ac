import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordClinicalProgressionCommand extends LedgerCommand<DomainCommandOf<'RecordClinicalProgression'>> {}

@CommandHandler(RecordClinicalProgressionCommand)
export class RecordClinicalProgressionCommandHandler extends PipelineCommandHandler<RecordClinicalProgressionCommand> {}
