import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordNewAnticancerTherapyCommand extends LedgerCommand<DomainCommandOf<'RecordNewAnticancerTherapy'>> {}

@CommandHandler(RecordNewAnticancerTherapyCommand)
export class RecordNewAnticancerTherapyCommandHandler extends PipelineCommandHandler<RecordNewAnticancerTherapyCommand> {}
