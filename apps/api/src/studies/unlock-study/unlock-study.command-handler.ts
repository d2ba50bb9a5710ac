import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class UnlockStudyCommand extends LedgerCommand<DomainCommandOf<'UnlockStudy'>> {}

@CommandHandler(UnlockStudyCommand)
export class UnlockStudyCommandHandler extends PipelineCommandHandler<UnlockStudyCommand> {}
