import { Command } from '@nestjs/cqrs';
import type { CommandEnvelope, CommandOutcome } from '@trial-ledger/command-pipeline';
import type { MonitoringCommand, StudyCommand, SubjectCommand } from '@trial-ledger/domain';

export type DomainCommand = SubjectCommand | StudyCommand | MonitoringCommand;
export type DomainCommandOf<T extends DomainCommand['type']> = Extract<DomainCommand, { type: T }>;

/**
 * The CommandBus message of one use case: the domain command (plain data, the same the CLI import
 * builds) plus who sent it and under which If-Match / Idempotency-Key. Each slice subclasses it so
 * the bus routes it to that slice's handler.
 */
export abstract class LedgerCommand<C extends DomainCommand = DomainCommand> extends Command<CommandOutcome> {
  constructor(
    readonly command: C,
    readonly envelope: CommandEnvelope,
  ) {
    super();
  }
}
