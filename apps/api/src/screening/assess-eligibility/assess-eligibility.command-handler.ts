import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class AssessEligibilityCommand extends LedgerCommand<DomainCommandOf<'AssessEligibility'>> {}

@CommandHandler(AssessEligibilityCommand)
export class AssessEligibilityCommandHandler extends PipelineCommandHandler<AssessEligibilityCommand> {}
