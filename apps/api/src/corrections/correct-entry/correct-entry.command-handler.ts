import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class CorrectEntryCommand extends LedgerCommand<DomainCommandOf<'CorrectEntry'>> {}

@CommandHandler(CorrectEntryCommand)
export class CorrectEntryCommandHandler extends PipelineCommandHandler<CorrectEntryCommand> {}
