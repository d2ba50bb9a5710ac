import type { StoredEvent } from './event-envelope';
import { InvalidAppendError } from './event-store.errors';
import type { EventStore, IdempotencyRecord, LogHead } from './event-store.port';
import { ChainVerifier } from './hash-chain';
import { isStorableName } from './append/append-request';

/**
 * Optional capability of a store: take events that were already recorded by another ledger, with
 * their ids, positions, `recordedAt` and hashes unchanged (moving a trial from SQLite to PostgreSQL
 * must not re-stamp or re-chain its audit trail, or every signed checkpoint a regulator holds would
 * stop verifying). The store re-verifies the chain as it writes and refuses anything that does not
 * extend its own log exactly.
 */
export interface LedgerImporter {
  importEvents(events: readonly StoredEvent[]): Promise<void>;
}

/**
 * Optional capability of a store: list the idempotency records kept in a side table (rows written
 * by earlier versions, before records were derived from the events), for `inspectStore` to check.
 */
export interface IdempotencyRecordSource {
  /** Where the records are kept (a table, a stream), for reports. */
  readonly idempotencyRecordTable: string;
  readIdempotencyRecords(): AsyncIterable<IdempotencyRecord>;
}

export const isLedgerImporter = (store: EventStore): store is EventStore & LedgerImporter =>
  typeof (store as Partial<LedgerImporter>).importEvents === 'function';

export const isIdempotencyRecordSource = (store: EventStore): store is EventStore & IdempotencyRecordSource =>
  typeof (store as Partial<IdempotencyRecordSource>).readIdempotencyRecords === 'function';

/**
 * Refuses, before any I/O, an event whose stream id, event id, type or idempotency key no append may
 * store (`isStorableName`): a ledger an earlier version wrote may hold one, and the target would fail on
 * it with a database error, or keep U+FFFD beside the hashed name.
 */
export const checkImportNames = (events: readonly StoredEvent[]): void => {
  for (const event of events) {
    const names: Array<[string, string | null | undefined]> = [
      ['stream id', event.streamId], ['event id', event.eventId], ['event type', event.type], ['idempotency key', event.metadata.idempotencyKey],
    ];
    for (const [what, name] of names) {
      if (typeof name === 'string' && !isStorableName(name)) {
        throw new InvalidAppendError(`Import refused at position ${event.globalPosition}: its ${what} ${JSON.stringify(name)} holds U+0000 or an unpaired surrogate, which no store keeps as text`);
      }
    }
  }
};

/**
 * Checks that `events` extend the log whose head is `head`: gapless positions, links and hashes that
 * recompute, stream versions continuing from what the target holds (`storedStreamVersion`), and
 * `recordedAt` never going back. Called by importers inside their write transaction; throws
 * `InvalidAppendError` naming the first fault.
 */
export const checkImportBatch = (head: LogHead, events: readonly StoredEvent[], storedStreamVersion: (streamId: string) => number): void => {
  checkImportNames(events);
  const verifier = new ChainVerifier({ position: head.position, hash: head.hash });
  const firstSeen = new Set<string>();
  let previousRecordedAt = head.recordedAt;
  for (const event of events) {
    if (!verifier.push(event)) {
      const fault = verifier.result().fault;
      throw new InvalidAppendError(`Import refused at position ${fault?.position ?? event.globalPosition}: ${fault?.message ?? 'chain fault'}`);
    }
    if (!firstSeen.has(event.streamId)) {
      firstSeen.add(event.streamId);
      const stored = storedStreamVersion(event.streamId);
      if (event.streamVersion !== stored + 1) {
        throw new InvalidAppendError(
          `Import refused at position ${event.globalPosition}: stream ${event.streamId} is at version ${stored} here, the event has version ${event.streamVersion}`,
        );
      }
    }
    if (previousRecordedAt !== null && event.metadata.recordedAt < previousRecordedAt) {
      throw new InvalidAppendError(`Import refused at position ${event.globalPosition}: recordedAt goes back in time`);
    }
    previousRecordedAt = event.metadata.recordedAt;
  }
};
