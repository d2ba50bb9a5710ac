import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RecordDeathCommand extends LedgerCommand<DomainCommandOf<'RecordDeath'>> {}

@CommandHandler(RecordDeathCommand)
export class RecordDeathCommandHandler extends PipelineCommandHandler<RecordDeathCommand> {}
