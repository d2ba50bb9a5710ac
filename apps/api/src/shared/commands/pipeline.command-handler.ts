import { Inject, Injectable } from '@nestjs/common';
import type { ICommandHandler } from '@nestjs/cqrs';
import { executeCommand, type CommandOutcome } from '@trial-ledger/command-pipeline';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { API_OPTIONS, CLOCK, EVENT_STORE, type ApiModuleOptions } from '../tokens';
import type { LedgerCommand } from './ledger-command';

/**
 * A thin `@CommandHandler` (STYLE.md): no rule lives here. It hands the command to the one pipeline
 * (read → fold → decide → append with the expected version → retry or refuse), the same path the
 * CLI and the bulk import take, so every entry point refuses the same way.
 */
@Injectable()
export abstract class PipelineCommandHandler<M extends LedgerCommand> implements ICommandHandler<LedgerCommand, CommandOutcome> {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(API_OPTIONS) protected readonly options: ApiModuleOptions,
  ) {}

  execute(message: M): Promise<CommandOutcome> {
    return executeCommand(this.store, message.command, message.envelope, { clock: this.clock, maxAttempts: this.options.maxCommandAttempts });
  }
}
