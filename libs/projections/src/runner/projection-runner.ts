import type { EventStore, StoredEvent, Subscription } from '@trial-ledger/event-store';
import { toProjected } from '../projected-event';
import { applyChanges, type Projection, type ProjectionState } from '../projection';
import type { ProjectionStore } from '../store/projection-store.port';
import { savedOnThisLog } from '../store/event-at';

export interface ProjectionRunnerOptions {
  /** Save after this many events even before catching up (bounds the work redone after a crash). */
  readonly flushEvery?: number;
  /**
   * After catching up, save at most this often (ms): under a stream of appends the read model is kept
   * in memory at once and persisted in batches, so commands never queue behind a save per event.
   */
  readonly flushDelayMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Called when the saved rows' seal did not match (altered outside the server): they are dropped and rebuilt from the log. */
  readonly onAltered?: (projection: string) => void;
}

/**
 * Keeps one projection current: loads its saved state and checkpoint, follows the store's checkpointed
 * catch-up subscription from there, folds each event with the projection's pure `evolve`, and saves
 * the changed documents together with the new checkpoint. The log is the source of truth: the
 * in-process event bus may wake a reader, but never feeds a read model.
 */
export class ProjectionRunner<Doc> {
  /** Owned by the runner and changed in place; `dirty` names the rows not saved yet. */
  private state: Record<string, Doc> = {};
  private dirty = new Set<string>();
  private position = 0;
  /** The hash of the event at `position`, saved with the checkpoint (what log the saved rows belong to). */
  private anchor: string | null = null;
  private checkpoint = 0;
  private pending = 0;
  private subscription: Subscription | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  private readonly flushEvery: number;

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    private readonly projection: Projection<Doc>,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.flushEvery = options.flushEvery ?? 500;
  }

  /** Resumes from the saved checkpoint; a state saved by another projection version, or altered outside the server, is rebuilt from 0. */
  async start(): Promise<void> {
    if (this.subscription) return;
    let loaded = await this.store.load<Doc>(this.projection.name);
    // A seal says the server wrote these rows, not that they fold this log: rows saved on another log
    // (a server on a ledger of the same name shares the key) are refused by the event their checkpoint stands on.
    // Rows saved before checkpoints named their event (no anchor) are rebuilt once, without an alarm.
    const unanchored = !loaded.altered && loaded.checkpoint > 0 && loaded.anchor == null;
    const foreign = !loaded.altered && !unanchored && !(await savedOnThisLog(this.events, loaded));
    if (loaded.altered || foreign) this.options.onAltered?.(this.projection.name);
    if (loaded.altered || foreign || unanchored || (loaded.version !== null && loaded.version !== this.projection.version)) {
      await this.store.reset(this.projection.name);
      loaded = { checkpoint: 0, version: null, documents: {} };
    }
    this.state = { ...loaded.documents };
    this.dirty = new Set();
    this.position = loaded.checkpoint;
    this.anchor = loaded.anchor ?? null;
    this.checkpoint = loaded.checkpoint;
    this.subscription = this.events.subscribe({
      afterPosition: this.position,
      onEvent: async (event) => {
        this.apply(event);
        if (this.pending >= this.flushEvery) await this.flush();
      },
      onCaughtUp: () => this.scheduleFlush(),
      onError: this.options.onError,
    });
  }

  private scheduleFlush(): void {
    const delay = this.options.flushDelayMs ?? 0;
    const run = (): void => {
      this.flushTimer = null;
      this.flush().catch((error: unknown) => this.options.onError?.(error));
    };
    if (delay === 0) return run();
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(run, delay);
    this.flushTimer.unref();
  }

  private apply(event: StoredEvent): void {
    const changes = this.projection.evolve(this.state, toProjected(event));
    if (applyChanges(this.state, changes)) for (const key of Object.keys(changes!)) this.dirty.add(key);
    this.position = event.globalPosition;
    this.anchor = event.hash;
    this.pending += 1;
  }

  /**
   * Saves the rows changed since the last save, with the checkpoint, in one transaction. Saves run one
   * after another; a failed save rejects its own callers only, so the next save tries again (a freed
   * disk is written to without a restart of the process).
   */
  flush(): Promise<void> {
    const save = this.flushing.catch(() => undefined).then(() => this.persist());
    this.flushing = save;
    return save;
  }

  private async persist(): Promise<void> {
    if (this.position === this.checkpoint) return;
    const position = this.position;
    const options = { anchor: this.anchor ?? undefined, layout: this.projection.layout };
    const saving = this.dirty;
    const changed: Record<string, Doc> = {};
    for (const key of saving) changed[key] = this.state[key];
    this.dirty = new Set();
    try {
      await this.store.save(this.projection.name, this.projection.version, position, changed, options);
    } catch (error) {
      for (const key of saving) this.dirty.add(key);
      throw error;
    }
    this.checkpoint = position;
    this.pending = 0;
  }

  /** Resolves once everything up to `position` is folded and saved. */
  async waitFor(position: number): Promise<void> {
    if (!this.subscription) throw new Error(`Projection ${this.projection.name} is not running`);
    await this.subscription.waitFor(position);
    await this.flush();
  }

  /**
   * Resolves true once everything up to `position` is folded into the in-memory state (saved or not),
   * false if that takes longer than `timeoutMs`: a query that must see its client's own write waits for
   * that write only, and only so long.
   */
  async waitUntilFolded(position: number, timeoutMs: number): Promise<boolean> {
    if (position <= this.position) return true;
    if (!this.subscription) throw new Error(`Projection ${this.projection.name} is not running`);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), timeoutMs);
    });
    try {
      return await Promise.race([this.subscription.waitFor(position).then(() => true as const), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Folds and saves up to the current head of the log. */
  async catchUp(): Promise<void> {
    await this.waitFor((await this.events.head()).position);
  }

  /** Stops following the log and saves what was folded. */
  async stop(): Promise<void> {
    if (!this.subscription) return;
    const subscription = this.subscription;
    this.subscription = null;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await subscription.stop();
    await this.flush();
  }

  /** Drops the saved read model and folds the whole log again from position 0. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.store.reset(this.projection.name);
    await this.start();
    await this.catchUp();
  }

  /** The current in-memory state (at `currentPosition`); it changes in place as events are folded. */
  get documents(): ProjectionState<Doc> {
    return this.state;
  }

  get currentPosition(): number {
    return this.position;
  }

  get savedCheckpoint(): number {
    return this.checkpoint;
  }
}
