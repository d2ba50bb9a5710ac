import type { StoredEvent } from '../event-envelope';
import type { AppendRequest, AppendResult, LogHead } from '../event-store.port';
import { keyOwnerOf } from './append-request';
import { checkExpectedVersions } from './expected-versions';
import { extendChain, type ChainExtension } from './extend-chain';
import { answerRepeat, deriveEarlierRequest } from './idempotent-repeat';

/** What an adapter read under its append lock (or at its conditional write's revision) to decide an append. */
export interface AppendSnapshot {
  readonly head: LogHead;
  /** A stream's current version (0 when it does not exist), for every stream of `streamsOf(request)`. */
  readonly versionOf: (streamId: string) => number;
  /** The events stored with this append's idempotency key, by the store's index (empty without a key). */
  readonly keyCandidates: readonly StoredEvent[];
}

/** What the adapter must do: answer a repeat (write nothing), or write the chain extension. */
export type AppendPlan =
  | { readonly kind: 'repeat'; readonly result: AppendResult }
  | { readonly kind: 'write'; readonly extension: ChainExtension; readonly result: AppendResult };

/**
 * The append algorithm, written once for every store (SPEC §4): an idempotent repeat first (derived
 * from the chained events that carry the key, never from a side table), then the read-set and
 * expected-version checks, then the chain extended from the head. Pure: the adapter
 * supplies what it read and performs the writes, inside whatever makes the two atomic for it (a
 * transaction, an advisory lock, a conditional write).
 */
export const planAppend = (request: AppendRequest, snapshot: AppendSnapshot, clockNow: string, dataJson?: ReadonlyMap<string, string>): AppendPlan => {
  const key = request.idempotencyKey ?? null;
  if (key !== null) {
    const earlier = deriveEarlierRequest(key, keyOwnerOf(request), snapshot.keyCandidates);
    if (earlier) return { kind: 'repeat', result: answerRepeat(earlier, request.requestHash ?? null) };
  }
  const start = checkExpectedVersions(request, snapshot.versionOf);
  const extension = extendChain(request, snapshot.head, clockNow, start, dataJson);
  return {
    kind: 'write',
    extension,
    result: { events: extension.events, streamVersions: extension.streamVersions, lastPosition: extension.lastPosition, repeated: false },
  };
};
