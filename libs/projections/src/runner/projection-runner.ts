import type { EventStore, StoredEvent, Subscription } from '@trial-ledger/event-store';
import { toProjected } from '../projected-event';
import { applyChanges, type Projection, type ProjectionState } from '../projection';
import type { ProjectionStore } from '../store/projection-store.port';

export interface ProjectionRunnerOptions {
  /** Save after this many events even before catching up (bounds the work redone after a crash). */
  readonly flushEvery?: number;
  readonly onError?: (error: unknown) => void;
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
  private checkpoint = 0;
  private pending = 0;
  private subscription: Subscription | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushEvery: number;

  constructor(
    private readonly events: EventStore,
    private readonly store: ProjectionStore,
    private readonly projection: Projection<Doc>,
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.flushEvery = options.flushEvery ?? 500;
  }

  /** Resumes from the saved checkpoint; a state saved by another projection version is rebuilt from 0. */
  async start(): Promise<void> {
    if (this.subscription) return;
    let loaded = await this.store.load<Doc>(this.projection.name);
    if (loaded.version !== null && loaded.version !== this.projection.version) {
      await this.store.reset(this.projection.name);
      loaded = { checkpoint: 0, version: null, documents: {} };
    }
    this.state = { ...loaded.documents };
    this.dirty = new Set();
    this.position = loaded.checkpoint;
    this.checkpoint = loaded.checkpoint;
    this.subscription = this.events.subscribe({
      afterPosition: this.position,
      onEvent: async (event) => {
        this.apply(event);
        if (this.pending >= this.flushEvery) await this.flush();
      },
      onCaughtUp: () => {
        this.flush().catch((error: unknown) => this.options.onError?.(error));
      },
      onError: this.options.onError,
    });
  }

  private apply(event: StoredEvent): void {
    const changes = this.projection.evolve(this.state, toProjected(event));
    if (applyChanges(this.state, changes)) for (const key of Object.keys(changes!)) this.dirty.add(key);
    this.position = event.globalPosition;
    this.pending += 1;
  }

  /** Saves the rows changed since the last save, with the checkpoint, in one transaction. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.persist());
    return this.flushing;
  }

  private async persist(): Promise<void> {
    if (this.position === this.checkpoint) return;
    const position = this.position;
    const saving = this.dirty;
    const changed: Record<string, Doc> = {};
    for (const key of saving) changed[key] = this.state[key];
    this.dirty = new Set();
    try {
      await this.store.save(this.projection.name, this.projection.version, position, changed);
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

  /** Folds and saves up to the current head of the log. */
  async catchUp(): Promise<void> {
    await this.waitFor((await this.events.head()).position);
  }

  /** Stops following the log and saves what was folded. */
  async stop(): Promise<void> {
    if (!this.subscription) return;
    const subscription = this.subscription;
    this.subscription = null;
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
