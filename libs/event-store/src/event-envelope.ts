import type { Actor } from '@trial-ledger/domain';

/** Where a command came from; part of every event's metadata (Part 11 §11.10(e)). */
export type EventSource = 'api' | 'cli' | 'import' | 'system';

/** Metadata supplied by the command pipeline; the store adds `recordedAt`. */
export interface EventMetadataInput {
  readonly actor: Actor;
  /** Reason for the change, where one applies (corrections, voids, amendments, lock/unlock). */
  readonly reason: string | null;
  readonly correlationId: string;
  readonly causationId: string | null;
  /** The client's idempotency key, scoped to `actor.userId`: the same key from another user is another key. */
  readonly idempotencyKey: string | null;
  /**
   * Fingerprint of the request that carried the idempotency key (stamped by the store from the
   * append request). With the key and the actor it makes the idempotency record derivable from the
   * chained events alone. Absent on events without a key and on events recorded before it was kept.
   */
  readonly requestHash?: string | null;
  readonly source: EventSource;
  /** Version of the protocol document in force when the event was recorded. */
  readonly protocolVersion: number | null;
}

export interface EventMetadata extends EventMetadataInput {
  /** Server UTC instant of recording, ms precision; never supplied by a client; non-decreasing along the log. */
  readonly recordedAt: string;
}

/** An event on its way into the store. */
export interface NewEvent {
  /** UUID v7, time-ordered; assigned by the pipeline. */
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadataInput;
}

/**
 * An event as stored: immutable, positioned and chained (SPEC §2, §4).
 * `hash = SHA-256(prevHash ‖ JCS(envelope without hash))`.
 */
export interface StoredEvent {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly streamId: string;
  /** 1-based position of the event inside its stream. */
  readonly streamVersion: number;
  /** 1-based, gapless position in the whole log. */
  readonly globalPosition: number;
  readonly data: Record<string, unknown>;
  readonly metadata: EventMetadata;
  readonly prevHash: string;
  readonly hash: string;
}

/** The hash that precedes position 1. */
export const GENESIS_HASH = '0'.repeat(64);
