import type Database from 'better-sqlite3';
import type { AppendRequest, AppendResult } from '../event-store.port';
import { StoreWriteError } from '../event-store.errors';
import { mapSqliteWriteError } from './sqlite-write-errors';

interface PendingAppend {
  readonly request: AppendRequest;
  readonly resolve: (result: AppendResult) => void;
  readonly reject: (error: unknown) => void;
}

type Outcome = { readonly ok: true; readonly result: AppendResult } | { readonly ok: false; readonly error: unknown };

export interface GroupCommitHooks {
  /**
   * Runs before every write transaction, outside it; throwing refuses the whole batch with that error and
   * writes nothing. The one place for checks that must precede a write (e.g. that the file is still the
   * one that was opened).
   */
  readonly beforeWriteTransaction?: () => void;
  /**
   * Wraps every write transaction (the check before it included): where a store guards its file, maps
   * storage errors to its own codes and keeps its write health. Whatever it throws refuses the batch.
   */
  readonly aroundWriteTransaction?: <T>(write: () => T) => T;
  /** Runs after a commit that wrote at least one event, with the head position it committed. */
  readonly afterCommit?: (headPosition: number) => void;
  /**
   * Whether a batch's failure is a write lock another connection holds (SQLite's SQLITE_BUSY, as
   * `aroundWriteTransaction` passes it on): the batch is then tried again, after a pause in which the
   * event loop runs, until `lockWaitMs` has passed since its first attempt.
   */
  readonly isLockWait?: (error: unknown) => boolean;
  /** How long a batch keeps trying for a write lock held elsewhere (0: refused at the first attempt). */
  readonly lockWaitMs?: number;
}

/** The pause between two attempts at a write lock held by another connection. */
const LOCK_RETRY_MS = 25;

/**
 * Group commit for the SQLite store: the appends submitted during one event-loop turn are written in
 * one `BEGIN IMMEDIATE … COMMIT`, so one fsync (`synchronous=FULL`) acknowledges all of them. Each
 * append runs in its own savepoint and is planned against the batch's running state (the head and
 * stream versions it reads include the appends before it in the batch), so each keeps its own
 * expected-version checks and idempotent repeat, a refusal rolls back that append only, and positions
 * and the hash chain stay gapless in commit order. No promise settles before the COMMIT returned: a
 * crash loses only appends that were never acknowledged.
 */
export class SqliteGroupCommitWriter {
  private pending: PendingAppend[] = [];
  private scheduled: NodeJS.Immediate | null = null;
  /** While batches meet a write lock held elsewhere: when the first attempt met it, and the next attempt. */
  private lockedSince: number | null = null;
  private retry: NodeJS.Timeout | null = null;
  /**
   * The batch's `BEGIN IMMEDIATE … COMMIT` and each append's savepoint, made once: better-sqlite3 builds
   * four wrappers for every `db.transaction(fn)`, which per append was garbage on the command path. A
   * transaction function called inside a transaction runs as a SAVEPOINT (decided at each call).
   */
  private readonly writeBatch: (batch: readonly PendingAppend[]) => Outcome[];
  private readonly writeOneInSavepoint: (request: AppendRequest) => AppendResult;

  constructor(
    private readonly db: Database.Database,
    /** Plans and writes one append inside the open transaction; throws to refuse it. */
    private readonly writeOne: (request: AppendRequest) => AppendResult,
    private readonly hooks: GroupCommitHooks = {},
  ) {
    this.writeBatch = db.transaction((batch: readonly PendingAppend[]) => batch.map((item) => this.writeInSavepoint(item.request))).immediate;
    this.writeOneInSavepoint = db.transaction((request: AppendRequest) => this.writeOne(request));
  }

  submit(request: AppendRequest): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      this.pending.push({ request, resolve, reject });
      // While waiting for a lock held elsewhere, the next attempt takes it along.
      if (this.retry === null) this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Writes whatever is pending now; `closing`: the last attempt (before the store closes), never put off. */
  flush(closing = false): void {
    if (this.scheduled !== null) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    let outcomes: Outcome[];
    try {
      const write = (): Outcome[] => {
        this.hooks.beforeWriteTransaction?.();
        return this.writeBatch(batch);
      };
      outcomes = this.hooks.aroundWriteTransaction ? this.hooks.aroundWriteTransaction(write) : write();
    } catch (error) {
      if (!closing && this.hooks.isLockWait?.(error) === true) {
        this.lockedSince ??= Date.now();
        if (Date.now() - this.lockedSince < (this.hooks.lockWaitMs ?? 0)) {
          // Tried again later with whatever else arrives meanwhile, in submission order.
          this.pending = [...batch, ...this.pending];
          this.retry = setTimeout(() => this.flush(), LOCK_RETRY_MS);
          return;
        }
      }
      this.lockedSince = null;
      for (const item of batch) item.reject(error);
      return;
    }
    this.lockedSince = null;
    const written = outcomes.flatMap((o) => (o.ok && !o.result.repeated ? [o.result.lastPosition] : []));
    if (written.length > 0) this.hooks.afterCommit?.(Math.max(...written));
    outcomes.forEach((outcome, i) => (outcome.ok ? batch[i].resolve(outcome.result) : batch[i].reject(outcome.error)));
  }

  private writeInSavepoint(request: AppendRequest): Outcome {
    try {
      return { ok: true, result: this.writeOneInSavepoint(request) };
    } catch (error) {
      // An error that ended the whole transaction (disk full, I/O error) must fail the batch, not be
      // mistaken for this append's own refusal while the others would go on outside any transaction. So must
      // one of the storage that leaves the transaction open: a file SQLite could open for reading only (an
      // immutable file, no write permission) answers its first INSERT SQLITE_READONLY, which no append survives.
      if (!this.db.inTransaction || mapSqliteWriteError(error) instanceof StoreWriteError) throw error;
      return { ok: false, error };
    }
  }
}
