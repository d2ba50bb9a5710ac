import type { EventStore, StoredEvent, Subscription } from '@trial-ledger/event-store';
import { AUDIT_INDEX_VERSION, type AuditIndexRow, type AuditTrailIndexStore } from './audit-trail-index.port';
import { auditIndexRow } from './audit-trail-index.projection';
import { eventAt } from '../store/event-at';

export interface AuditTrailIndexerOptions {
  /** Save after this many rows even before catching up (bounds the work redone after a crash). */
  readonly flushEvery?: number;
  /** After catching up, save at most this often (ms), so appends never queue behind a save per event. */
  readonly flushDelayMs?: number;
  readonly onError?: (error: unknown) => void;
  /** Called when the saved rows' seal did not match (altered outside the server): they are dropped and rebuilt from the log. */
  readonly onAltered?: () => void;
}

/**
 * Keeps the audit-trail index current: from its saved checkpoint it follows the store's catch-up
 * subscription, maps each event to its row (`auditIndexRow`, O(1) per event) and appends the rows with
 * the new checkpoint in one transaction. An index of another version is rebuilt from position 0.
 */
export class AuditTrailIndexer {
  private pending: AuditIndexRow[] = [];
  private position = 0;
  private saved = 0;
  private subscription: Subscription | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | null = null;
  /** Query streams' subjects seen since start (earlier ones are looked up in the index once). */
  private readonly querySubjects = new Map<string, string | null>();

  constructor(
    private readonly events: EventStore,
    readonly index: AuditTrailIndexStore,
    private readonly options: AuditTrailIndexerOptions = {},
  ) {}

  async start(): Promise<void> {
    if (this.subscription) return;
    let saved = await this.index.checkpoint();
    // A seal says the server wrote these rows, not that they index this log: rows sealed for another
    // ledger (a server on a ledger of the same name shares the key) are refused by the event they end on.
    const foreign = saved !== null && !saved.altered && saved.position > 0 && !(await this.endsOnLog(saved.position));
    if (saved?.altered || foreign) this.options.onAltered?.();
    if (saved !== null && (saved.altered || foreign || saved.version !== AUDIT_INDEX_VERSION)) {
      await this.index.reset();
      saved = null;
    }
    this.position = saved?.position ?? 0;
    this.saved = this.position;
    this.pending = [];
    this.querySubjects.clear();
    this.subscription = this.events.subscribe({
      afterPosition: this.position,
      onEvent: async (event) => {
        await this.apply(event);
        if (this.pending.length >= (this.options.flushEvery ?? 1000)) await this.flush();
      },
      onCaughtUp: () => this.scheduleFlush(),
      onError: this.options.onError,
    });
  }

  /** True when the index row at `position` names the event the log holds there. */
  private async endsOnLog(position: number): Promise<boolean> {
    const [row] = await this.index.find({ afterPosition: position - 1, throughPosition: position }, 1, 'oldest-first');
    return row !== undefined && row.eventId === (await eventAt(this.events, position))?.eventId;
  }

  private async apply(event: StoredEvent): Promise<void> {
    const s = event.streamId;
    if (s.startsWith('query-') && event.type !== 'QueryOpened' && !this.querySubjects.has(s)) {
      this.querySubjects.set(s, this.pending.find((r) => r.streamId === s)?.subjectId ?? (await this.index.subjectOfStream(s)));
    }
    const row = auditIndexRow(event, { querySubject: (streamId) => this.querySubjects.get(streamId) ?? null });
    if (event.type === 'QueryOpened') this.querySubjects.set(s, row.subjectId);
    this.pending.push(row);
    this.position = event.globalPosition;
  }

  private scheduleFlush(): void {
    const run = (): void => {
      this.flushTimer = null;
      this.flush().catch((error: unknown) => this.options.onError?.(error));
    };
    const delay = this.options.flushDelayMs ?? 0;
    if (delay === 0) return run();
    if (this.flushTimer !== null) return;
    this.flushTimer = setTimeout(run, delay);
    this.flushTimer.unref();
  }

  /** Saves the rows mapped since the last save; saves run one after another, a failed one is retried by the next. */
  flush(): Promise<void> {
    const save = this.flushing.catch(() => undefined).then(() => this.persist());
    this.flushing = save;
    return save;
  }

  private async persist(): Promise<void> {
    if (this.position === this.saved) return;
    const rows = this.pending;
    const position = this.position;
    this.pending = [];
    try {
      await this.index.append(rows, position, AUDIT_INDEX_VERSION);
    } catch (error) {
      this.pending = [...rows, ...this.pending];
      throw error;
    }
    this.saved = position;
  }

  /**
   * Resolves true once every event up to `position` is indexed and saved (a page reads saved rows),
   * false if folding takes longer than `timeoutMs`.
   */
  async readyAt(position: number, timeoutMs: number): Promise<boolean> {
    if (position > this.position) {
      if (!this.subscription) throw new Error('The audit-trail index is not running');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      try {
        if (!(await Promise.race([this.subscription.waitFor(position).then(() => true as const), timeout]))) return false;
      } finally {
        clearTimeout(timer);
      }
    }
    if (position > this.saved) await this.flush();
    return true;
  }

  /** Indexes and saves up to the current head of the log. */
  async catchUp(): Promise<void> {
    const head = (await this.events.head()).position;
    if (!this.subscription) throw new Error('The audit-trail index is not running');
    await this.subscription.waitFor(head);
    await this.flush();
  }

  async stop(): Promise<void> {
    if (!this.subscription) return;
    const subscription = this.subscription;
    this.subscription = null;
    if (this.flushTimer !== null) clearTimeout(this.flushTimer);
    this.flushTimer = null;
    await subscription.stop();
    await this.flush();
  }

  /** Drops the index and builds it again from position 0. */
  async rebuild(): Promise<void> {
    await this.stop();
    await this.index.reset();
    await this.start();
    await this.catchUp();
  }

  get indexedPosition(): number {
    return this.position;
  }

  get savedPosition(): number {
    return this.saved;
  }
}
