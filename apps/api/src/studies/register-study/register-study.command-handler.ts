import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class RegisterStudyCommand extends LedgerCommand<DomainCommandOf<'RegisterStudy'>> {}

@CommandHandler(RegisterStudyCommand)
export class RegisterStudyCommandHandler extends PipelineCommandHandler<RegisterStudyCommand> {}
