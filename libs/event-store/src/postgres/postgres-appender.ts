import type { Pool } from 'pg';
import { GENESIS_HASH } from '../event-envelope';
import { ConcurrencyError, IdempotencyKeyReusedError, InvalidAppendError, StoreWriteError } from '../event-store.errors';
import type { AppendRequest, AppendResult, LogHead } from '../event-store.port';
import { streamsOf } from '../append/append-request';
import { planAppend, type AppendSnapshot } from '../append/plan-append';
import type { ChainExtension } from '../append/extend-chain';
import { frontierFromState, type PostgresMerkleNodes, type TreeNodeColumns } from '../merkle/postgres-merkle-nodes';
import { APPEND_CALL_SQL } from './postgres-append-function';
import { APPEND_CHANNEL } from './postgres-append-notifier';
import { appendLocked, duplicateEventIdAsInvalid, headAfter, type LockedAppend } from './postgres-append';
import { inAppendTransaction, mapPostgresError } from './postgres-connection';
import { rowColumns, toStoredEvent, type EventRow } from './postgres-rows';

/**
 * Conditional writes tried before falling back to the locked read: the first on the remembered head,
 * the others on the state the function returned. Another process appending between two of them is what
 * makes one fail; after three the locked read is certain to finish.
 */
const CONDITIONAL_ATTEMPTS = 3;

/** What `ledger_append` returns when an assumption failed: the log as it found it under the lock. */
interface FoundState {
  readonly position: number;
  readonly hash: string | null;
  readonly recordedAt: string | null;
  readonly versions: Record<string, number> | null;
  readonly seen: EventRow[] | null;
  readonly frontier: { level: number; index: number; hash: string }[] | null;
  readonly tail: { position: number; hash: string }[] | null;
}

/** A state read under the lock, with the Merkle frontier of its head. */
interface Found extends AppendSnapshot {
  readonly frontier: ReadonlyMap<string, Buffer>;
}

/**
 * The append in one round trip. Appends of one process run one at a time (in submission order); each
 * is planned by `planAppend` against the head this process last saw and the versions the request
 * expects, and sent whole to `ledger_append`, which inserts only if the log is still exactly that
 * (head position and hash, every stream's version, the events already carrying the key). When it is
 * not — another process appended, a version conflict, a repeated key — the function returns what it
 * found and the append is planned again on that, so a refusal or an idempotent answer is still decided
 * by `planAppend` on a state read under the lock. The first append of a process, and one whose
 * conditional writes kept losing to other writers, take the locked read (`appendLocked`).
 *
 * Why one at a time: the head the next plan starts from is the one the previous append committed.
 * Concurrent plans in one process would start from the same head and all but one would be sent back;
 * the server serialises appends under its lock anyway, now held only for the checks, the insert and
 * the commit's flush instead of three round trips.
 */
export class PostgresAppender {
  /** The head after the last append this process wrote or saw; null when unknown (start, or a failed write). */
  private head: LogHead | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  /**
   * Lock waits given up so far (`STORE.LOCKED`): an append that was queued while one was given up is
   * refused without waiting again, so N appends queued behind a stuck lock holder are answered after
   * one wait, not N waits in a row.
   */
  private lockWaitsGivenUp = 0;

  constructor(
    private readonly pool: Pool,
    private readonly tree: PostgresMerkleNodes,
    /** False: every append reads under the lock first (four round trips), as before schema 4. */
    private readonly oneRoundTrip: boolean,
    /** How long an append waits for the append lock another session holds. */
    private readonly lockWaitMs: number,
  ) {}

  append(request: AppendRequest, now: () => string, dataJson: ReadonlyMap<string, string>): Promise<AppendResult> {
    const queuedAfter = this.lockWaitsGivenUp;
    const run = this.queue.then(() => {
      if (this.lockWaitsGivenUp !== queuedAfter) {
        throw new StoreWriteError('STORE.LOCKED', 'Another session holds the append lock: the append before this one waited for it in vain; this one was not tried, nothing was written');
      }
      return this.appendNext(request, now(), dataJson);
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async appendNext(request: AppendRequest, clockNow: string, dataJson: ReadonlyMap<string, string>): Promise<AppendResult> {
    try {
      if (this.oneRoundTrip && this.head !== null) {
        const written = await this.appendConditionally(request, this.head, clockNow, dataJson);
        if (written !== null) return written;
      }
      const locked: LockedAppend = await inAppendTransaction(this.pool, this.lockWaitMs, (client) => appendLocked(client, request, clockNow, dataJson, this.tree));
      this.head = locked.head;
      return locked.result;
    } catch (error) {
      // A refusal leaves the log as it was; after any other failure the outcome may be unknown
      // (a lost connection after COMMIT): the next append reads the head again under the lock.
      const refusal = error instanceof ConcurrencyError || error instanceof IdempotencyKeyReusedError || error instanceof InvalidAppendError;
      if (!refusal) this.head = null;
      if (error instanceof StoreWriteError && error.code === 'STORE.LOCKED') this.lockWaitsGivenUp += 1;
      throw error;
    }
  }

  /** The conditional writes; null when they kept meeting another state and the locked read must decide. */
  private async appendConditionally(request: AppendRequest, head: LogHead, clockNow: string, dataJson: ReadonlyMap<string, string>): Promise<AppendResult | null> {
    const streams = streamsOf(request);
    let snapshot: AppendSnapshot | Found = assumedSnapshot(request, head);
    for (let attempt = 0; attempt < CONDITIONAL_ATTEMPTS; attempt += 1) {
      let plan;
      try {
        plan = planAppend(request, snapshot, clockNow, dataJson);
      } catch (error) {
        // Assumed versions cannot refuse (a request that contradicts itself): let the locked read decide.
        if (attempt === 0 && error instanceof ConcurrencyError) return null;
        throw error;
      }
      if (plan.kind === 'repeat') return plan.result;
      const found = await this.writeIfUnchanged(request, streams, snapshot, plan.extension);
      if (found === null) {
        this.head = headAfter(plan.result);
        return plan.result;
      }
      snapshot = found;
      this.head = found.head;
    }
    return null;
  }

  /** One call of `ledger_append`: null when it wrote, else the state it found under the lock. */
  private async writeIfUnchanged(
    request: AppendRequest,
    streams: readonly string[],
    snapshot: AppendSnapshot | Found,
    extension: ChainExtension,
  ): Promise<Found | null> {
    const key = request.idempotencyKey ?? null;
    let state: FoundState | null;
    let nodes: TreeNodeColumns;
    try {
      // The Merkle nodes these rows complete: from the range kept after this process's last write, else
      // from the frontier a refusal returned, else (the first plan after a failure) read.
      nodes = await this.tree.nodesFor(this.pool, extension.rows, 'frontier' in snapshot ? snapshot.frontier : undefined);
      const result = await this.pool.query<{ state: FoundState | null }>({
        name: 'trial-ledger.append-one-round-trip',
        text: APPEND_CALL_SQL,
        values: [
          snapshot.head.position,
          snapshot.head.hash,
          streams,
          streams.map((s) => snapshot.versionOf(s)),
          key,
          snapshot.keyCandidates.length,
          ...rowColumns(extension.rows),
          nodes.levels,
          nodes.indices,
          nodes.hashes,
          APPEND_CHANNEL,
          String(Math.max(0, Math.trunc(this.lockWaitMs))),
        ],
      });
      state = result.rows[0].state;
    } catch (error) {
      throw mapPostgresError(duplicateEventIdAsInvalid(error));
    }
    if (state === null) {
      nodes.keep();
      return null;
    }
    const versions = new Map(Object.entries(state.versions ?? {}));
    return {
      head: { position: state.position, hash: state.hash ?? GENESIS_HASH, recordedAt: state.recordedAt },
      versionOf: (streamId) => versions.get(streamId) ?? 0,
      keyCandidates: (state.seen ?? []).map(toStoredEvent),
      frontier: frontierFromState(state.position, state.frontier ?? [], state.tail ?? []),
    };
  }
}

/**
 * What the first conditional write assumes: the remembered head, each stream at the version the
 * request expects (a stream written with `'any'` at 0), and no event yet carrying the key. Wrong
 * assumptions cost a second round trip, never a wrong answer: the function checks each one.
 */
const assumedSnapshot = (request: AppendRequest, head: LogHead): AppendSnapshot => {
  const expected = new Map<string, number>();
  for (const check of request.checks ?? []) expected.set(check.streamId, check.expectedVersion);
  for (const write of request.writes) if (write.expectedVersion !== 'any') expected.set(write.streamId, write.expectedVersion);
  return { head, versionOf: (streamId) => expected.get(streamId) ?? 0, keyCandidates: [] };
};
