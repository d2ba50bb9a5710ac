import { CommandHandler } from '@nestjs/cqrs';
import { attestationOnDamagedLedger } from '@trial-ledger/audit';
import type { CommandOutcome } from '@trial-ledger/command-pipeline';
import type { MonitoringCommand } from '@trial-ledger/domain';
import { LedgerCommand } from '../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../shared/commands/pipeline.command-handler';

/** Queries and source data verification: one message type, decided by the monitoring plan of the pipeline. */
export class MonitoringLedgerCommand extends LedgerCommand<MonitoringCommand> {}

@CommandHandler(MonitoringLedgerCommand)
export class MonitoringCommandHandler extends PipelineCommandHandler<MonitoringLedgerCommand> {
  /**
   * SDV attests that an entry matches its source, and a query step questions or settles an entry as the store
   * holds it: once the server has found damage in its ledger, neither is recorded (409 `LEDGER.TAMPERED`).
   */
  override async execute(message: MonitoringLedgerCommand): Promise<CommandOutcome> {
    const damage = this.options.ledgerIntegrity?.damage;
    if (damage) throw attestationOnDamagedLedger(damage, message.command.type === 'VerifySource' ? 'source data verification' : 'a step of a monitor query');
    return super.execute(message);
  }
}
