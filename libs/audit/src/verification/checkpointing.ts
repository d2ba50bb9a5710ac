import { existsSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import {
  ChainVerifier,
  systemClock,
  type Clock,
  type EventStore,
  type StoredEvent,
  type Subscription,
} from '@trial-ledger/event-store';
import { DomainError } from '@trial-ledger/domain';
import type { LedgerSigningKey } from './ledger-key';
import {
  appendCheckpoint,
  assertCheckpointFileSafe,
  checkCheckpointSignature,
  readCheckpointFile,
  signTreeHeadCheckpoint,
  type SignedCheckpoint,
} from './signed-checkpoint';
import { eventLeafHash, storedRoot } from '@trial-ledger/merkle';
import { storeTree, trustedRangeAt } from '../transparency/store-tree';

/** The latest checkpoint in a file that verifies under `publicKey` (forged lines are ignored). */
export const latestValidCheckpoint = (checkpoints: readonly SignedCheckpoint[], publicKey: KeyObject): SignedCheckpoint | null =>
  checkpoints
    .filter((c) => checkCheckpointSignature(c, publicKey) === 'valid')
    .reduce<SignedCheckpoint | null>((latest, c) => (latest === null || c.position >= latest.position ? c : latest), null);

/**
 * Signs the current head as a signed tree head, but only after verifying the chain and recomputing
 * the Merkle tree from the latest valid checkpoint in the file (or from genesis): a checkpoint must
 * never bless a log — or a stored tree — that was already tampered with.
 * Appends the checkpoint to `file` and returns it.
 */
export const createCheckpoint = async (
  store: EventStore,
  key: LedgerSigningKey,
  file: string,
  clock: Clock = systemClock,
): Promise<SignedCheckpoint> => {
  assertCheckpointFileSafe(file);
  const previous = existsSync(file) ? latestValidCheckpoint(readCheckpointFile(file), key.publicKey) : null;
  let start: { position: number; hash: string } | undefined;
  if (previous && previous.position > 0) {
    const [atPrevious] = await collect(store.readAll({ afterPosition: previous.position - 1, toPosition: previous.position }));
    if (!atPrevious || atPrevious.hash !== previous.hash) {
      throw new DomainError('LEDGER.TAMPERED', `The log no longer matches the checkpoint at position ${previous.position}; run verify`, 'conflict', {
        position: previous.position,
      });
    }
    start = { position: previous.position, hash: previous.hash };
  }
  const range = await trustedRangeAt(store, start?.position ?? 0, previous?.treeHead?.rootHash);
  const verifier = new ChainVerifier(start);
  for await (const event of store.readAll({ afterPosition: start?.position ?? 0, batchSize: 2000 })) {
    if (!verifier.push(event)) break;
    range.append(eventLeafHash(event.hash));
  }
  const result = verifier.result();
  if (result.fault) {
    throw new DomainError('LEDGER.TAMPERED', `Refusing to sign: ${result.fault.message}`, 'conflict', { position: result.fault.position, damage: result.fault.damage });
  }
  const root = range.root();
  if (!(await storedRoot(storeTree(store), result.headPosition)).equals(root)) {
    throw new DomainError('LEDGER.TAMPERED', 'Refusing to sign: the stored Merkle tree does not match the events; run verify', 'conflict', {
      position: result.headPosition,
    });
  }
  const checkpoint = signTreeHeadCheckpoint(key, { position: result.headPosition, hash: result.headHash, root }, clock.now());
  appendCheckpoint(file, checkpoint);
  return checkpoint;
};

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

export interface AutoCheckpointOptions {
  readonly key: LedgerSigningKey;
  /** The server's checkpoint file (JSON lines, appended to). */
  readonly file: string;
  /** Sign a checkpoint whenever the global position reaches a multiple of `every` (default 1000). */
  readonly every?: number;
  readonly clock?: Clock;
  /** Called with each checkpoint written. */
  readonly onCheckpoint?: (checkpoint: SignedCheckpoint) => void;
  /** Called once if the chain does not verify; no further checkpoints are signed. */
  readonly onTamper?: (message: string, position: number) => void;
  readonly onError?: (error: unknown) => void;
}

/**
 * Automatic checkpoints: a catch-up subscription that verifies each new event as it arrives (the same
 * incremental `ChainVerifier` the `verify` command uses), folds it into the Merkle tree, and signs a
 * tree head every `every` events.
 * It resumes after the latest valid checkpoint in the file, so restarts neither re-sign nor skip.
 *
 * Usage (the API's bootstrap or `trial-ledger serve`):
 * ```ts
 * const files = ledgerFiles(storeUrl);
 * const subscription = await startAutoCheckpoints(store, { key: ensureLedgerKey(files.keyFile), file: files.checkpointFile, every: 1000 });
 * // on shutdown
 * await subscription.stop();
 * ```
 */
export const startAutoCheckpoints = async (store: EventStore, options: AutoCheckpointOptions): Promise<Subscription> => {
  const every = options.every ?? 1000;
  if (!Number.isSafeInteger(every) || every < 1) throw new DomainError('CHECKPOINT.INVALID_INTERVAL', 'every must be a positive integer', 'validation');
  const clock = options.clock ?? systemClock;
  // Refused before the server starts serving, not at the first checkpoint an hour later.
  assertCheckpointFileSafe(options.file);
  const previous = existsSync(options.file) ? latestValidCheckpoint(readCheckpointFile(options.file), options.key.publicKey) : null;
  const start = previous && previous.position > 0 ? { position: previous.position, hash: previous.hash } : undefined;
  const verifier = new ChainVerifier(start);
  // The tree is folded here from the verified events, so what is signed never depends on stored nodes beyond the start.
  const range = await trustedRangeAt(store, start?.position ?? 0, previous?.treeHead?.rootHash);
  let broken = false;
  const follow = (event: Pick<StoredEvent, 'globalPosition' | 'hash'>, intact: boolean): void => {
    if (broken) return;
    if (!intact) {
      broken = true;
      const fault = verifier.result().fault;
      options.onTamper?.(fault?.message ?? 'chain does not verify', fault?.position ?? event.globalPosition);
      return;
    }
    range.append(eventLeafHash(event.hash));
    if (event.globalPosition % every === 0) {
      const checkpoint = signTreeHeadCheckpoint(options.key, { position: event.globalPosition, hash: event.hash, root: range.root() }, clock.now());
      appendCheckpoint(options.file, checkpoint);
      options.onCheckpoint?.(checkpoint);
    }
  };
  const afterPosition = start?.position ?? 0;
  // Over the stored bytes where the store has them, as `verify` checks them: no event is parsed (and
  // re-serialised to its canonical form) only to be hashed, which was most of what a first start of a
  // server allocated.
  if (store.subscribeRaw) {
    return store.subscribeRaw({ afterPosition, onEvent: (record) => follow(record, !broken && verifier.pushRaw(record)), onError: options.onError });
  }
  return store.subscribe({ afterPosition, onEvent: (event) => follow(event, !broken && verifier.push(event)), onError: options.onError });
};
