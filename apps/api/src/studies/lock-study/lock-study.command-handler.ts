import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class LockStudyCommand extends LedgerCommand<DomainCommandOf<'LockStudy'>> {}

@CommandHandler(LockStudyCommand)
export class LockStudyCommandHandler extends PipelineCommandHandler<LockStudyCommand> {}
