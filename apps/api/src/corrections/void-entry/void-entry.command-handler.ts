import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class VoidEntryCommand extends LedgerCommand<DomainCommandOf<'VoidEntry'>> {}

@CommandHandler(VoidEntryCommand)
export class VoidEntryCommandHandler extends PipelineCommandHandler<VoidEntryCommand> {}
