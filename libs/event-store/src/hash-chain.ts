import { createHash } from 'node:crypto';
import { canonicalize } from 'json-canonicalize';
import { GENESIS_HASH, type EventMetadata, type StoredEvent } from './event-envelope';

/** The envelope fields that are hashed: everything but the hash itself. */
export type HashableEvent = Omit<StoredEvent, 'hash'>;

/** RFC 8785 (JCS) canonical JSON of the envelope without its hash. */
export const canonicalEventJson = (event: HashableEvent): string =>
  canonicalize({
    eventId: event.eventId,
    type: event.type,
    schemaVersion: event.schemaVersion,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    globalPosition: event.globalPosition,
    data: event.data,
    metadata: event.metadata,
    prevHash: event.prevHash,
  });

/**
 * An event exactly as its store holds it: data and metadata as the canonical (RFC 8785) JSON text
 * written at append time. Verifying from these bytes needs no parsing, and any altered byte — even
 * one that leaves the JSON meaning unchanged — breaks the hash.
 */
export interface RawEventRecord {
  readonly globalPosition: number;
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  readonly streamVersion: number;
  /** Canonical JSON of `data`. */
  readonly dataJson: string;
  /** Canonical JSON of `metadata`, `recordedAt` included. */
  readonly metadataJson: string;
  /** The indexed copy of `metadata.recordedAt` that as-known-at queries use; must agree with the hashed one. */
  readonly recordedAt: string;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * The canonical JSON of a raw record, assembled from its already-canonical parts in JCS key order
 * (data, eventId, globalPosition, metadata, prevHash, schemaVersion, streamId, streamVersion, type):
 * equal to `canonicalEventJson` of the parsed event whenever the stored texts are canonical.
 */
export const canonicalJsonFromRaw = (r: RawEventRecord): string =>
  `{"data":${r.dataJson},"eventId":${JSON.stringify(r.eventId)},"globalPosition":${r.globalPosition},"metadata":${r.metadataJson},` +
  `"prevHash":${JSON.stringify(r.prevHash)},"schemaVersion":${r.schemaVersion},"streamId":${JSON.stringify(r.streamId)},` +
  `"streamVersion":${r.streamVersion},"type":${JSON.stringify(r.type)}}`;

/**
 * The event a raw record stands for, parsed from its stored bytes (`recordedAt` from its indexed column,
 * as the stores read it back): what a store keeps of a row it has just written, and what `migrate` copies
 * of a source record it verified.
 */
export const storedEventOf = (raw: RawEventRecord): StoredEvent => ({
  eventId: raw.eventId,
  type: raw.type,
  schemaVersion: raw.schemaVersion,
  streamId: raw.streamId,
  streamVersion: raw.streamVersion,
  globalPosition: raw.globalPosition,
  data: JSON.parse(raw.dataJson) as Record<string, unknown>,
  metadata: { ...(JSON.parse(raw.metadataJson) as EventMetadata), recordedAt: raw.recordedAt },
  prevHash: raw.prevHash,
  hash: raw.hash,
});

/** SHA-256(previous hash ‖ canonical JSON), hex. */
export const chainHash = (prevHash: string, canonicalJson: string): string =>
  createHash('sha256').update(prevHash, 'utf8').update(canonicalJson, 'utf8').digest('hex');

export const hashEvent = (event: HashableEvent): string => chainHash(event.prevHash, canonicalEventJson(event));

/** What kind of damage verification found at the first bad position. */
export type ChainDamage =
  | 'content-altered' // the stored hash does not match the recomputed content hash
  | 'chain-broken' // prevHash does not match the previous event's hash (inserted, removed or reordered)
  | 'position-gap' // a global position is missing (event removed)
  | 'position-disorder' // positions not strictly increasing
  | 'stream-version-gap' // a stream skips or repeats a version
  | 'checkpoint-mismatch' // a signed checkpoint names a different hash at its position
  | 'truncated'; // the log ends before a signed checkpoint's position

export interface ChainFault {
  readonly position: number;
  readonly damage: ChainDamage;
  readonly message: string;
  readonly eventId?: string;
}

export interface ChainVerification {
  readonly ok: boolean;
  readonly eventsChecked: number;
  readonly headPosition: number;
  readonly headHash: string;
  readonly fault: ChainFault | null;
}

/**
 * Incremental verifier: feed events in global order; it recomputes every hash and checks the links,
 * the gapless positions and the per-stream version sequence. Memory stays bounded by the number of
 * streams, not events.
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private expectedPosition = 1;
  private checked = 0;
  private fault: ChainFault | null = null;
  private readonly streamVersions = new Map<string, number>();
  /** Started mid-log: a stream's first version seen cannot be checked against its predecessors. */
  private readonly partial: boolean;

  constructor(start?: { position: number; hash: string }) {
    this.partial = start !== undefined && start.position > 0;
    if (start) {
      this.prevHash = start.hash;
      this.expectedPosition = start.position + 1;
    }
  }

  /** Returns false once a fault has been found (the first one is kept). */
  push(event: StoredEvent): boolean {
    return this.check(event, () => hashEvent(event) === event.hash);
  }

  /** The fast path over stored bytes; also checks that the indexed `recordedAt` is the hashed one. */
  pushRaw(record: RawEventRecord): boolean {
    return this.check(
      record,
      () =>
        chainHash(record.prevHash, canonicalJsonFromRaw(record)) === record.hash &&
        record.metadataJson.includes(`"recordedAt":${JSON.stringify(record.recordedAt)}`),
    );
  }

  private check(
    event: Pick<StoredEvent, 'globalPosition' | 'eventId' | 'streamId' | 'streamVersion' | 'prevHash' | 'hash'>,
    contentIntact: () => boolean,
  ): boolean {
    if (this.fault) return false;
    const at = (damage: ChainDamage, message: string): false => {
      this.fault = { position: event.globalPosition, damage, message, eventId: event.eventId };
      return false;
    };
    if (event.globalPosition !== this.expectedPosition) {
      if (event.globalPosition > this.expectedPosition) {
        this.fault = {
          position: this.expectedPosition,
          damage: 'position-gap',
          message: `position ${this.expectedPosition} is missing (next stored is ${event.globalPosition})`,
        };
        return false;
      }
      return at('position-disorder', `position ${event.globalPosition} appears where ${this.expectedPosition} was expected`);
    }
    if (!contentIntact()) {
      return at('content-altered', `content of the event at position ${event.globalPosition} does not match its hash`);
    }
    if (event.prevHash !== this.prevHash) {
      return at('chain-broken', `event at position ${event.globalPosition} does not link to the hash of position ${event.globalPosition - 1}`);
    }
    const lastVersion = this.streamVersions.get(event.streamId);
    const versionOk = lastVersion === undefined ? this.partial || event.streamVersion === 1 : event.streamVersion === lastVersion + 1;
    if (!versionOk) {
      return at('stream-version-gap', `stream ${event.streamId} goes from version ${lastVersion ?? 0} to ${event.streamVersion}`);
    }
    this.streamVersions.set(event.streamId, event.streamVersion);
    this.prevHash = event.hash;
    this.expectedPosition += 1;
    this.checked += 1;
    return true;
  }

  result(): ChainVerification {
    return {
      ok: this.fault === null,
      eventsChecked: this.checked,
      headPosition: this.expectedPosition - 1,
      headHash: this.prevHash,
      fault: this.fault,
    };
  }
}

/** Called every 10,000 verified events with the position reached. */
export type VerificationProgress = (position: number) => void;

const PROGRESS_EVERY = 10_000;

/** Verify a whole log given as an (async) iterable in global order. */
export const verifyChain = async (events: AsyncIterable<StoredEvent> | Iterable<StoredEvent>, onProgress?: VerificationProgress): Promise<ChainVerification> => {
  const verifier = new ChainVerifier();
  let n = 0;
  for await (const event of events) {
    if (!verifier.push(event)) break;
    if (onProgress && ++n % PROGRESS_EVERY === 0) onProgress(event.globalPosition);
  }
  return verifier.result();
};

/** Verify a log of raw records (see `EventStore.readAllRaw`). */
export const verifyRawChain = async (records: AsyncIterable<RawEventRecord> | Iterable<RawEventRecord>, onProgress?: VerificationProgress): Promise<ChainVerification> => {
  const verifier = new ChainVerifier();
  let n = 0;
  for await (const record of records) {
    if (!verifier.pushRaw(record)) break;
    if (onProgress && ++n % PROGRESS_EVERY === 0) onProgress(record.globalPosition);
  }
  return verifier.result();
};
