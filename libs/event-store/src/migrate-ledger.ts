import type { StoredEvent } from './event-envelope';
import { InvalidAppendError } from './event-store.errors';
import type { EventStore } from './event-store.port';
import { ChainVerifier, storedEventOf, type ChainVerification } from './hash-chain';
import { isLedgerImporter } from './ledger-importer';
import { verifyStore } from './verify-store';

export interface MigrationProgress {
  /** Events the target holds so far (those of an interrupted run it continues included). */
  readonly copied: number;
  /** Events to copy: the source head when the migration started. */
  readonly total: number;
}

export interface MigrationReport {
  /** Events copied by this run. */
  readonly eventsCopied: number;
  /** Events the target already held (0, or what an interrupted migration of this source copied). */
  readonly resumedAfter: number;
  /** The source chain, verified while it was read. */
  readonly source: ChainVerification;
  /** The target chain, verified again from the target after the copy. */
  readonly target: ChainVerification;
}

export class LedgerMigrationError extends Error {
  readonly code = 'STORE.MIGRATION_FAILED';
  constructor(message: string) {
    super(message);
    this.name = 'LedgerMigrationError';
  }
}

/**
 * The source's events up to `total`, each verified by `verifier` before it is yielded; ends at the
 * first fault (the verifier holds it). From the stored bytes where the store offers them, as `verify`
 * checks them: parsed events re-canonicalised would hash the same after an edit that keeps the JSON's
 * meaning (re-spaced data, a `recordedAt` changed in the hashed metadata but not in its column), and
 * the copy would be a clean-looking ledger of a damaged one.
 */
async function* verifiedSourceEvents(from: EventStore, total: number, batchSize: number, verifier: ChainVerifier): AsyncIterable<StoredEvent> {
  if (from.readAllRaw) {
    for await (const record of from.readAllRaw({ toPosition: total, batchSize })) {
      if (!verifier.pushRaw(record)) return;
      yield storedEventOf(record);
    }
    return;
  }
  for await (const event of from.readAll({ toPosition: total, batchSize })) {
    if (!verifier.push(event)) return;
    yield event;
  }
}

/**
 * Copies a whole ledger to another store (SQLite → PostgreSQL when a trial outgrows one machine, or
 * back for an archive copy), event by event with the same ids, positions, `recordedAt` and hashes:
 * signed checkpoints a regulator already holds keep verifying against the new store. Idempotency
 * records travel inside the events' metadata: a client retrying across the migration still gets its
 * first answer.
 *
 * The target must be empty, or hold the start of this very source (what a migration stopped halfway
 * by a full disk or a dropped connection copied: the target's triggers would refuse to empty it), and
 * support `LedgerImporter`; the copy then continues after the target's head, the source still verified
 * from its first event. The target re-verifies the chain as it writes. The
 * source chain is verified as it is read and the copy stops at its first fault (a damaged ledger is
 * not laundered into a clean-looking one). Afterwards the target is verified from its own storage
 * and must end at the same position and hash. Events appended to the source after the migration
 * started are not copied: stop writers first.
 */
export const migrateLedger = async (
  from: EventStore,
  to: EventStore,
  onProgress?: (progress: MigrationProgress) => void,
  options: { batchSize?: number } = {},
): Promise<MigrationReport> => {
  if (!isLedgerImporter(to)) throw new InvalidAppendError(`${to.description} cannot import a ledger`);
  const targetHead = await to.head();
  const sourceHead = await from.head();
  const total = sourceHead.position;
  const resumedAfter = targetHead.position;
  const foreignTarget = (): InvalidAppendError =>
    new InvalidAppendError(
      `The target ${to.description} already holds ${resumedAfter} events that are not the start of ${from.description}: ` +
        'migrate only into an empty store, or into one an interrupted migration of this source left',
    );
  if (resumedAfter > total) throw foreignTarget();
  const batchSize = options.batchSize ?? 1000;
  const verifier = new ChainVerifier();
  let batch: StoredEvent[] = [];
  let copied = 0;
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    await to.importEvents(batch);
    copied += batch.length;
    batch = [];
    onProgress?.({ copied: resumedAfter + copied, total });
  };
  for await (const event of verifiedSourceEvents(from, total, batchSize, verifier)) {
    // The chain hash at the target's head commits to every event before it: equal, the target holds this source's start.
    if (event.globalPosition === resumedAfter && event.hash !== targetHead.hash) throw foreignTarget();
    if (event.globalPosition <= resumedAfter) continue;
    batch.push(event);
    if (batch.length >= batchSize) await flush();
  }
  const fault = verifier.result().fault;
  if (fault) {
    throw new LedgerMigrationError(
      `The source ledger fails verification at position ${fault.position} (${fault.damage}): ` +
        `nothing after it was copied; discard the target (${resumedAfter + copied} events) and investigate the source`,
    );
  }
  await flush();
  const source = verifier.result();
  if (source.headPosition !== total || source.headHash !== sourceHead.hash) {
    throw new LedgerMigrationError(`The source ended at position ${source.headPosition}, not at its head ${total}`);
  }

  const target = await verifyStore(to);
  if (!target.ok || target.headPosition !== total || target.headHash !== sourceHead.hash) {
    throw new LedgerMigrationError(
      `The target does not verify as a copy of the source: ${target.fault?.message ?? `head ${target.headPosition}/${target.headHash}`}`,
    );
  }
  return { eventsCopied: copied, resumedAfter, source, target };
};
