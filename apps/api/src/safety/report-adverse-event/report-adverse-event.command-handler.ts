import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class ReportAdverseEventCommand extends LedgerCommand<DomainCommandOf<'ReportAdverseEvent'>> {}

@CommandHandler(ReportAdverseEventCommand)
export class ReportAdverseEventCommandHandler extends PipelineCommandHandler<ReportAdverseEventCommand> {}
