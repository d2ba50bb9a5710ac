import type { AppendRequest, AppendResult, IdempotencyRecord, LogHead } from '../event-store.port';
import { checkExpectedVersions } from './expected-versions';
import { extendChain, type ChainExtension } from './extend-chain';
import { answerRepeat, type EarlierRequest } from './idempotent-repeat';

/** What an adapter read under its append lock (or at its conditional write's revision) to decide an append. */
export interface AppendSnapshot {
  readonly head: LogHead;
  /** A stream's current version (0 when it does not exist), for every stream of `streamsOf(request)`. */
  readonly versionOf: (streamId: string) => number;
  /** The earlier request with this append's idempotency key, if any. */
  readonly earlier: EarlierRequest | null;
}

/** What the adapter must do: answer a repeat (write nothing), or write the chain extension. */
export type AppendPlan =
  | { readonly kind: 'repeat'; readonly result: AppendResult }
  | { readonly kind: 'write'; readonly extension: ChainExtension; readonly idempotency: IdempotencyRecord | null; readonly result: AppendResult };

/**
 * The append algorithm, written once for every store (SPEC §4): an idempotent repeat first, then the
 * read-set and expected-version checks, then the chain extended from the head. Pure: the adapter
 * supplies what it read and performs the writes, inside whatever makes the two atomic for it (a
 * transaction, an advisory lock, a conditional write).
 */
export const planAppend = (request: AppendRequest, snapshot: AppendSnapshot, clockNow: string, dataJson?: ReadonlyMap<string, string>): AppendPlan => {
  const key = request.idempotencyKey ?? null;
  const requestHash = request.requestHash ?? null;
  if (key !== null && snapshot.earlier) return { kind: 'repeat', result: answerRepeat(snapshot.earlier, requestHash) };
  const start = checkExpectedVersions(request, snapshot.versionOf);
  const extension = extendChain(request, snapshot.head, clockNow, start, dataJson);
  const idempotency: IdempotencyRecord | null =
    key === null
      ? null
      : {
          key,
          requestHash,
          eventIds: extension.events.map((e) => e.eventId),
          streamVersions: extension.streamVersions,
          lastPosition: extension.lastPosition,
          recordedAt: extension.recordedAt,
        };
  return {
    kind: 'write',
    extension,
    idempotency,
    result: { events: extension.events, streamVersions: extension.streamVersions, lastPosition: extension.lastPosition, repeated: false },
  };
};
