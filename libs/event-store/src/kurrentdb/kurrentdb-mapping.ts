import { ANY, NO_STREAM, type AppendStreamState, type CurrentStreamState } from '@kurrent/kurrentdb-client';
import type { EventMetadata, StoredEvent } from '../event-envelope';
import { ConcurrencyError, StoreUnavailableError } from '../event-store.errors';
import type { ExpectedVersion } from '../event-store.port';

/**
 * Version mapping. Our stream versions are 1-based counts (the number of events the writer saw; 0 =
 * no stream yet); KurrentDB revisions are the 0-based bigint index of the last event, with
 * `NO_STREAM` for a stream that does not exist. So count 0 ↔ NO_STREAM and count n ↔ revision n − 1.
 */
export const toStreamState = (expected: ExpectedVersion): AppendStreamState => {
  if (expected === 'any') return ANY;
  if (!Number.isSafeInteger(expected) || expected < 0) throw new RangeError(`Not a stream version: ${String(expected)}`);
  return expected === 0 ? NO_STREAM : BigInt(expected - 1);
};

/** The version (event count) of a stream whose last revision is `state`. */
export const versionFromRevision = (state: CurrentStreamState): number => (state === NO_STREAM ? 0 : Number(state) + 1);

/** The inverse of `toStreamState`, for error reporting; `stream_exists` has no count and reads as `'any'`. */
export const expectedVersionFromState = (state: AppendStreamState): ExpectedVersion => {
  if (typeof state === 'bigint') return Number(state) + 1;
  if (state === NO_STREAM) return 0;
  return 'any';
};

interface WrongExpectedVersionLike {
  type: 'wrong-expected-version';
  streamName: string;
  expectedState: AppendStreamState;
  actualState: CurrentStreamState;
}

const isWrongExpectedVersion = (error: unknown): error is WrongExpectedVersionLike =>
  typeof error === 'object' && error !== null && (error as { type?: unknown }).type === 'wrong-expected-version';

/** gRPC status codes meaning "the server could not be reached or did not answer" (UNAVAILABLE, DEADLINE_EXCEEDED). */
const UNREACHABLE_GRPC_CODES = new Set([14, 4]);
/** Client error types with the same meaning; a NOT_LEADER answer means the cluster is electing or we hit a follower. */
const UNREACHABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'timeout', 'not-leader']);

/**
 * Maps client errors to the port's errors, so the edge answers the same way whatever the store:
 * a version conflict → `ConcurrencyError` (409/412); no server → `StoreUnavailableError` (503). Reads
 * throw the client's `UnavailableError`, but appends throw a raw gRPC `14 UNAVAILABLE` ServiceError —
 * both are mapped. Anything else is returned unchanged.
 */
export const mapKurrentError = (error: unknown): unknown => {
  if (isWrongExpectedVersion(error)) {
    return new ConcurrencyError(error.streamName, expectedVersionFromState(error.expectedState), versionFromRevision(error.actualState));
  }
  if (typeof error === 'object' && error !== null) {
    const { type, code } = error as { type?: unknown; code?: unknown };
    if ((typeof type === 'string' && UNREACHABLE_TYPES.has(type)) || (typeof code === 'number' && UNREACHABLE_GRPC_CODES.has(code))) {
      const message = error instanceof Error ? error.message : String(error);
      return new StoreUnavailableError(`KurrentDB is unavailable: ${message}`, error);
    }
  }
  return error;
};

/** The parts of a store URL: the client's connection string, and our own options taken out of it. */
export interface KurrentUrl {
  readonly connectionString: string;
  readonly ledgerStream: string;
  /** Prepended to our stream ids to name their KurrentDB link streams (several ledgers in one database). */
  readonly streamPrefix: string;
  /** For logs: no credentials. */
  readonly description: string;
}

export const DEFAULT_LEDGER_STREAM = 'trial-ledger';

/**
 * `kurrentdb://host:2113?tls=false` or the legacy `esdb://…` (rewritten, so the client does not warn);
 * our own `ledgerStream=NAME` and `streamPrefix=P` parameters are removed before the client parses the string.
 */
export const parseKurrentUrl = (url: string): KurrentUrl => {
  const match = /^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\/(.*)$/.exec(url.trim());
  if (!match) throw new RangeError(`Not a KurrentDB URL: ${url.split(':')[0]}://…`);
  const [, , discover = '', rest] = match;
  const [authority, query = ''] = rest.split('?', 2);
  const params = query.split('&').filter((p) => p.length > 0);
  let ledgerStream = DEFAULT_LEDGER_STREAM;
  let streamPrefix = '';
  const kept: string[] = [];
  for (const param of params) {
    const [key, value = ''] = param.split('=', 2);
    if (key.toLowerCase() === 'ledgerstream') ledgerStream = decodeURIComponent(value);
    else if (key.toLowerCase() === 'streamprefix') streamPrefix = decodeURIComponent(value);
    else kept.push(param);
  }
  if (ledgerStream.length === 0 || ledgerStream.startsWith('$')) {
    throw new RangeError('ledgerStream must be a non-empty name that does not start with $ (system streams)');
  }
  const connectionString = `kurrentdb${discover}://${authority}${kept.length > 0 ? `?${kept.join('&')}` : ''}`;
  const hosts = authority.includes('@') ? authority.slice(authority.lastIndexOf('@') + 1) : authority;
  return { connectionString, ledgerStream, streamPrefix, description: `kurrentdb${discover}://${hosts} (ledger stream ${ledgerStream})` };
};

/**
 * What the ledger stream's event metadata carries besides the event's own data: the envelope that
 * places the event in our log and chain, and the idempotency key of the request that wrote it.
 */
export interface LedgerEnvelope {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly globalPosition: number;
  readonly schemaVersion: number;
  readonly metadata: EventMetadata;
  readonly prevHash: string;
  readonly hash: string;
  readonly idempotency?: { readonly key: string; readonly requestHash: string | null };
}

export const toLedgerEnvelope = (event: StoredEvent, idempotency: LedgerEnvelope['idempotency'] | null): LedgerEnvelope => ({
  streamId: event.streamId,
  streamVersion: event.streamVersion,
  globalPosition: event.globalPosition,
  schemaVersion: event.schemaVersion,
  metadata: event.metadata,
  prevHash: event.prevHash,
  hash: event.hash,
  ...(idempotency ? { idempotency } : {}),
});

/**
 * A ledger-stream record back to our event. The record's revision should be its global position − 1;
 * that is not checked here, so a truncated or foreign-written ledger still reads and `verify` names
 * the first bad position instead of the read failing.
 */
export const fromLedgerRecord = (record: { id: string; type: string; revision: bigint; data: unknown; metadata: unknown }): StoredEvent => {
  const envelope = record.metadata as LedgerEnvelope | undefined;
  if (!envelope || typeof envelope.globalPosition !== 'number') {
    throw new Error(`Ledger record at revision ${record.revision} is not a trial-ledger event`);
  }
  return {
    eventId: record.id,
    type: record.type,
    schemaVersion: envelope.schemaVersion,
    streamId: envelope.streamId,
    streamVersion: envelope.streamVersion,
    globalPosition: envelope.globalPosition,
    data: record.data as Record<string, unknown>,
    metadata: envelope.metadata,
    prevHash: envelope.prevHash,
    hash: envelope.hash,
  };
};
