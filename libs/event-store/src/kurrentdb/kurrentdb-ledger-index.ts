import { GENESIS_HASH, type StoredEvent } from '../event-envelope';
import type { LogHead } from '../event-store.port';
import { MemoryMerkleTree } from '../merkle/memory-merkle-tree';

/**
 * This process's index of the ledger stream, folded from it in order: per-stream positions (a
 * stream's version is its number of events), event id → position, the positions of the events that
 * carry each idempotency key (read from their hashed metadata), and the head. It only ever moves
 * forward, one position at a time (the RFC 9162 tree over the ledger is folded with it), so a fold that overlaps another is harmless.
 */
export class LedgerIndex {
  head: LogHead = { position: 0, hash: GENESIS_HASH, recordedAt: null };
  readonly streams = new Map<string, number[]>();
  readonly positions = new Map<string, number>();
  readonly keyed = new Map<string, number[]>();
  readonly tree = new MemoryMerkleTree();

  apply(event: StoredEvent): void {
    if (event.globalPosition <= this.head.position) return;
    if (event.globalPosition !== this.head.position + 1) {
      throw new Error(`Ledger stream integrity: position ${event.globalPosition} follows ${this.head.position}; run trial-ledger verify`);
    }
    const stream = this.streams.get(event.streamId) ?? [];
    stream.push(event.globalPosition);
    this.streams.set(event.streamId, stream);
    this.positions.set(event.eventId, event.globalPosition);
    const key = event.metadata.idempotencyKey;
    if (typeof key === 'string') this.keyed.set(key, [...(this.keyed.get(key) ?? []), event.globalPosition]);
    this.tree.append(event.hash);
    this.head = { position: event.globalPosition, hash: event.hash, recordedAt: event.metadata.recordedAt };
  }

  version(streamId: string): number {
    return this.streams.get(streamId)?.length ?? 0;
  }
}
