import type { KeyObject } from 'node:crypto';
import {
  hashEvent,
  verifyStore,
  type ChainDamage,
  type ChainFault,
  type EventStore,
  type StoredEvent,
} from '@trial-ledger/event-store';
import { checkCheckpointSignature, type SignedCheckpoint } from './signed-checkpoint';

/**
 * What verification found at the first bad position. Besides the chain verifier's kinds
 * (content-altered, chain-broken, position-gap, …) the diagnosis names what most likely happened:
 * an event inserted, removed (and the rest renumbered) or events reordered; and, with checkpoints,
 * a rewritten log (`checkpoint-mismatch`), a truncated tail (`truncated`) or a checkpoint whose
 * signature does not verify under the trusted public key (`checkpoint-forged`).
 */
export type LedgerDamage = ChainDamage | 'event-inserted' | 'event-removed' | 'events-reordered' | 'checkpoint-forged';

export interface LedgerFault {
  /** The first bad position. */
  readonly position: number;
  readonly damage: LedgerDamage;
  readonly message: string;
  readonly eventId?: string;
  /**
   * For a rewritten log found only by a checkpoint: the damage lies somewhere in `from`..`position`
   * (after the last checkpoint that still matches); the chain itself cannot say where.
   */
  readonly from?: number;
}

export interface CheckpointSummary {
  readonly total: number;
  /** Checkpoints with a valid signature whose hash was compared with the log. */
  readonly matched: number;
  readonly forged: number;
  /** The latest checkpoint that verified and matched: everything up to it is proven unchanged. */
  readonly latestMatched: SignedCheckpoint | null;
}

export interface LedgerVerification {
  readonly ok: boolean;
  readonly store: string;
  readonly eventsChecked: number;
  readonly headPosition: number;
  readonly headHash: string;
  /** The first fault by position, or null when the ledger is intact. */
  readonly fault: LedgerFault | null;
  /** Every fault found (the chain stops at its first; each forged checkpoint is listed). */
  readonly faults: readonly LedgerFault[];
  readonly checkpoints: CheckpointSummary | null;
}

export interface VerifyLedgerOptions {
  /** Signed checkpoints kept outside the ledger (e.g. a regulator's copy). */
  readonly checkpoints?: readonly SignedCheckpoint[];
  /** The public key the verifier trusts; required when checkpoints are given. */
  readonly publicKey?: KeyObject;
  /**
   * Called every 10,000 events with the last verified position (progress bars). Without it the store
   * may verify natively (the SQLite store checks ranges of the file in parallel worker threads).
   */
  readonly onProgress?: (position: number) => void;
}

/** How far around a bad position the diagnosis looks for an event's original place. */
const DIAGNOSIS_WINDOW = 16;

/** The position an event's stored hash was computed for, if it lies near where it now stands. */
const originalPosition = (event: StoredEvent): number | null => {
  for (let d = 1; d <= DIAGNOSIS_WINDOW; d += 1) {
    for (const candidate of [event.globalPosition + d, event.globalPosition - d]) {
      if (candidate >= 1 && hashEvent({ ...event, globalPosition: candidate }) === event.hash) return candidate;
    }
  }
  return null;
};

const eventAt = async (store: EventStore, position: number): Promise<StoredEvent | null> => {
  for await (const event of store.readAll({ afterPosition: position - 1, toPosition: position, batchSize: 1 })) return event;
  return null;
};

/**
 * Turns "content does not match its hash" at `p` into what happened, by finding where the events from
 * `p` on were originally written (each stored hash commits to the event's original global position):
 * all moved down by d → d events removed at p; the one at p came from p − d → d events were inserted
 * at p − d (with forged but self-consistent hashes); any other pattern → events reordered.
 */
const diagnose = async (store: EventStore, fault: ChainFault): Promise<LedgerFault> => {
  if (fault.damage !== 'content-altered') return fault;
  const window: StoredEvent[] = [];
  for await (const event of store.readAll({ afterPosition: fault.position - 1, toPosition: fault.position + DIAGNOSIS_WINDOW, batchSize: DIAGNOSIS_WINDOW + 1 })) {
    window.push(event);
  }
  const first = window[0];
  const origin = first ? originalPosition(first) : null;
  if (!first || origin === null) return fault;
  const shift = origin - first.globalPosition;
  const rest = window.slice(1, 4).map((e) => ({ e, o: hashEvent(e) === e.hash ? e.globalPosition : originalPosition(e) }));
  const uniformShift = rest.length > 0 && rest.every(({ e, o }) => o !== null && o - e.globalPosition === shift);
  if (uniformShift && shift > 0) {
    return {
      position: fault.position,
      damage: 'event-removed',
      eventId: first.eventId,
      message: `${shift} event(s) removed at position ${fault.position}: the event now stored there was written at position ${origin} and later events were renumbered`,
    };
  }
  if (uniformShift && shift < 0) {
    return {
      position: origin,
      damage: 'event-inserted',
      eventId: first.eventId,
      message: `${-shift} event(s) inserted at position ${origin}: the event written at position ${origin} now stands at ${fault.position}`,
    };
  }
  return {
    position: fault.position,
    damage: 'events-reordered',
    eventId: first.eventId,
    message: `events reordered: the event stored at position ${fault.position} was written at position ${origin}`,
  };
};

/**
 * Verifies the whole ledger (Part 11 §11.10(b)(e)): recomputes every hash of the chain from the stored
 * bytes (`verifyStore`: in parallel for a SQLite file, else one streaming pass with memory bounded by
 * the number of streams) and, given signed checkpoints, checks each signature against the trusted
 * public key, compares the log's hash at each checkpoint's position, and detects a tail cut off
 * before the latest checkpoint.
 */
export const verifyLedger = async (store: EventStore, options: VerifyLedgerOptions = {}): Promise<LedgerVerification> => {
  const faults: LedgerFault[] = [];
  const byPosition = new Map<number, SignedCheckpoint[]>();
  let forged = 0;
  const given = options.checkpoints ?? [];
  if (given.length > 0 && !options.publicKey) {
    throw new Error('verifyLedger: checkpoints need the public key to check their signatures');
  }
  for (const checkpoint of given) {
    const check = checkCheckpointSignature(checkpoint, options.publicKey as KeyObject);
    if (check !== 'valid') {
      forged += 1;
      faults.push({
        position: checkpoint.position,
        damage: 'checkpoint-forged',
        message:
          check === 'unknown-key'
            ? `the checkpoint at position ${checkpoint.position} (${checkpoint.time}) is signed by key ${checkpoint.publicKeyFingerprint}, not the trusted ledger key`
            : `the signature of the checkpoint at position ${checkpoint.position} (${checkpoint.time}) does not verify`,
      });
      continue;
    }
    if (checkpoint.position === 0) continue;
    byPosition.set(checkpoint.position, [...(byPosition.get(checkpoint.position) ?? []), checkpoint]);
  }

  const chain = await verifyStore(store, options.onProgress ? { onProgress: options.onProgress } : {});
  if (chain.fault) faults.push(await diagnose(store, chain.fault));
  // Checkpoints are compared in order up to the first chain fault (beyond it the chain already failed).
  const limit = chain.fault ? chain.fault.position - 1 : chain.headPosition;
  let matched = 0;
  let latestMatched: SignedCheckpoint | null = null;
  for (const position of [...byPosition.keys()].sort((a, b) => a - b)) {
    const here = byPosition.get(position) as SignedCheckpoint[];
    if (position > limit) {
      if (!chain.fault) {
        const furthest = Math.max(...byPosition.keys());
        faults.push({
          position: chain.headPosition + 1,
          damage: 'truncated',
          message: `the log ends at position ${chain.headPosition} but a signed checkpoint vouches for position ${furthest}: events ${chain.headPosition + 1}–${furthest} are missing`,
        });
      }
      break;
    }
    const event = await eventAt(store, position);
    const wrong = here.find((c) => c.hash !== event?.hash);
    if (wrong) {
      const from = (latestMatched?.position ?? 0) + 1;
      faults.push({
        position,
        from,
        damage: 'checkpoint-mismatch',
        eventId: event?.eventId,
        message:
          `the log was rewritten: its hash at position ${position} differs from the checkpoint signed at ${wrong.time}; ` +
          `the change lies between positions ${from} and ${position}`,
      });
      break;
    }
    matched += here.length;
    latestMatched = here[here.length - 1];
  }
  faults.sort((a, b) => a.position - b.position);
  return {
    ok: faults.length === 0,
    store: store.description,
    eventsChecked: chain.eventsChecked,
    headPosition: chain.headPosition,
    headHash: chain.headHash,
    fault: faults[0] ?? null,
    faults,
    checkpoints: given.length > 0 ? { total: given.length, matched, forged, latestMatched } : null,
  };
};
