import {
  IDENTITY_STREAM_ID,
  decideIdentity,
  evolveIdentity,
  initialIdentityState,
  type IdentityCommand,
  type IdentityEvent,
  type IdentityRules,
  type IdentityState,
} from '@trial-ledger/domain';
import { IdempotencyKeyReusedError, systemClock, type EventStore, type StoredEvent } from '@trial-ledger/event-store';
import { handleCommand, type CommandEnvelope, type CommandOutcome, type CommandPlan, type PipelineOptions } from '../handle-command';
import { toRecorded } from '../to-recorded';

/** Folds the identity stream from the start; a caller that keeps a cache passes its own fold. */
export const foldIdentityStream = (events: readonly StoredEvent[]): IdentityState =>
  events.reduce((state, e) => evolveIdentity(state, toRecorded<IdentityEvent>(e)), initialIdentityState());

/**
 * An identity command, or how to build it from the state it will be decided on: password work that
 * depends on the account (the no-reuse rule, verifying the current password) is done against the
 * very state the decider sees, so each command reads the identity stream once.
 */
export type IdentityCommandSource = IdentityCommand | ((state: IdentityState) => IdentityCommand | Promise<IdentityCommand>);

export interface IdentityPlanOptions {
  readonly rules: IdentityRules;
  readonly fold?: (events: readonly StoredEvent[]) => IdentityState;
}

/** The plan's view of its last decision: the state decided on, for the caller to evolve with what was written. */
export interface IdentityCommandPlan extends CommandPlan {
  decidedOn(): IdentityState;
}

/** Every identity command reads and writes the one `identity` stream. */
export const identityCommandPlan = (source: IdentityCommandSource, options: IdentityPlanOptions): IdentityCommandPlan => {
  const fold = options.fold ?? foldIdentityStream;
  let decidedOn: IdentityState = initialIdentityState();
  return {
    primaryStream: IDENTITY_STREAM_ID,
    readStreams: [],
    decidedOn: () => decidedOn,
    decide: async (streams, metadata) => {
      decidedOn = fold(streams.get(IDENTITY_STREAM_ID) ?? []);
      const command = typeof source === 'function' ? await source(decidedOn) : source;
      return {
        writes: [{ streamId: IDENTITY_STREAM_ID, events: decideIdentity(command, decidedOn, { ...metadata, rules: options.rules }) }],
        protocolVersion: null,
      };
    },
  };
};

export interface IdentityCommandResult {
  readonly outcome: CommandOutcome;
  /** The events this command recorded (none when it decided nothing). */
  readonly events: readonly IdentityEvent[];
  /**
   * The identity state after them: the state decided on, evolved with what was written; for an
   * idempotent repeat, the state the first request left (the stream up to its events).
   */
  readonly state: IdentityState;
  /** When the answer stands: the server's time now, or for an idempotent repeat when the first request was recorded. */
  readonly answeredAt: string;
}

/**
 * Runs one identity command through the pipeline; answers with the recorded events and the state they
 * lead to. Under an idempotency key (`envelope.idempotencyKey`, `envelope.requestHash`) a repeat is
 * answered by the pipeline from the chained events, as every command is; its state is the identity
 * stream as the first request left it, so the answer is the first answer again.
 */
export const executeIdentityCommand = async (
  store: EventStore,
  source: IdentityCommandSource,
  envelope: CommandEnvelope,
  options: IdentityPlanOptions & PipelineOptions,
): Promise<IdentityCommandResult> => {
  const plan = identityCommandPlan(source, options);
  const outcome = await handleCommand(store, plan, envelope, options);
  const events = outcome.events.map((e) => toRecorded<IdentityEvent>(e));
  if (!outcome.repeated) return { outcome, events, state: events.reduce(evolveIdentity, plan.decidedOn()), answeredAt: (options.clock ?? systemClock).now() };
  // A key first used for a command on another stream (recorded before fingerprints were kept) does
  // not answer an identity command.
  if (outcome.events.some((e) => e.streamId !== IDENTITY_STREAM_ID)) throw new IdempotencyKeyReusedError(envelope.idempotencyKey ?? '');
  const last = outcome.events[outcome.events.length - 1];
  const before = (await store.readStream(IDENTITY_STREAM_ID)).filter((e) => e.streamVersion <= last.streamVersion);
  return { outcome, events, state: foldIdentityStream(before), answeredAt: last.metadata.recordedAt };
};
