import { CommandHandler } from '@nestjs/cqrs';
import { LedgerCommand, type DomainCommandOf } from '../../shared/commands/ledger-command';
import { PipelineCommandHandler } from '../../shared/commands/pipeline.command-handler';

export class AmendProtocolCommand extends LedgerCommand<DomainCommandOf<'AmendProtocol'>> {}

@CommandHandler(AmendProtocolCommand)
export class AmendProtocolCommandHandler extends PipelineCommandHandler<AmendProtocolCommand> {}
