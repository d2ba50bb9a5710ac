import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class WithdrawSubjectCommand extends LedgerCommand<DomainCommandOf<'WithdrawSubject'>> {}

@CommandHandler(WithdrawSubjectCommand)
export class WithdrawSubjectCommandHandler extends PipelineCommandHandler<WithdrawSubjectCommand> {}
