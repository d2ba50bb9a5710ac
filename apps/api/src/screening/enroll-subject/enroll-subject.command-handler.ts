import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class EnrollSubjectCommand extends LedgerCommand<DomainCommandOf<'EnrollSubject'>> {}

@CommandHandler(EnrollSubjectCommand)
export class EnrollSubjectCommandHandler extends PipelineCommandHandler<EnrollSubjectCommand> {}
