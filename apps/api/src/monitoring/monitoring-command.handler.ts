import { CommandHandler } from '@nestjs/cqrs';
import type { MonitoringCommand } from '@trial-ledger/domain';
import { LedgerCommand } from '../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../shared/commands/pipeline.command-handler';

/** Queries and source data verification: one message type, decided by the monitoring plan of the pipeline. */
export class MonitoringLedgerCommand extends LedgerCommand<MonitoringCommand> {}

@CommandHandler(MonitoringLedgerCommand)
export class MonitoringCommandHandler extends PipelineCommandHandler<MonitoringLedgerCommand> {}
