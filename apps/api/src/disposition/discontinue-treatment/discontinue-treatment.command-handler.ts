import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class DiscontinueTreatmentCommand extends LedgerCommand<DomainCommandOf<'DiscontinueTreatment'>> {}

@CommandHandler(DiscontinueTreatmentCommand)
export class DiscontinueTreatmentCommandHandler extends PipelineCommandHandler<DiscontinueTreatmentCommand> {}
