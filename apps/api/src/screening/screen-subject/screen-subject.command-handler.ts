import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class ScreenSubjectCommand extends LedgerCommand<DomainCommandOf<'ScreenSubject'>> {}

@CommandHandler(ScreenSubjectCommand)
export class ScreenSubjectCommandHandler extends PipelineCommandHandler<ScreenSubjectCommand> {}
