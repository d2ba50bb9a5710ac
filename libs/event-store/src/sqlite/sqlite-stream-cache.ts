import type { StoredEvent } from '../event-envelope';

/**
 * The SQLite store's read-through, write-through cache of whole streams, parsed and frozen. Stored
 * events never change, and every event this store's connection commits is added to the streams
 * already cached (`committed`), so a cached stream is the whole stream as the file holds it for as long
 * as no other connection commits: another process's append, or someone altering the file behind the
 * triggers' back, changes SQLite's `data_version`, and the store hands that to `checkDataVersion`
 * before every cached read, which empties the cache. A read of a cached stream is then one pragma and
 * no query. Bounded by events (least recently used streams are dropped first).
 */
export class SqliteStreamCache {
  private readonly streams = new Map<string, StoredEvent[]>();
  private events = 0;
  private dataVersion: number | null = null;

  constructor(readonly limit: number) {}

  /** Empties the cache when the connection's `data_version` moved: another connection committed. */
  checkDataVersion(dataVersion: number): void {
    if (dataVersion === this.dataVersion) return;
    this.clear();
    this.dataVersion = dataVersion;
  }

  /** The whole stream, if cached (and marked most recently used). */
  get(streamId: string): readonly StoredEvent[] | undefined {
    const events = this.streams.get(streamId);
    if (events === undefined) return undefined;
    this.streams.delete(streamId);
    this.streams.set(streamId, events);
    return events;
  }

  /**
   * Keeps a stream read whole from the file. A stream with no events is not kept: every new subject's
   * stream is read empty once, and an entry per name read would grow the cache without bound.
   */
  keep(streamId: string, events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.drop(streamId);
    this.streams.set(streamId, [...events]);
    this.events += events.length;
    this.evictBeyondLimit(streamId);
  }

  /**
   * Rows this connection has just committed, in position order: each is added (as `toEvent` makes it)
   * to its stream if that stream is cached and ends just before it; rows of streams not cached are not
   * converted at all. A cached stream that does not end just before its row (which would mean it missed
   * a write) is dropped, to be read again.
   */
  committed<R extends { readonly streamId: string; readonly streamVersion: number }>(rows: readonly R[], toEvent: (row: R) => StoredEvent): void {
    for (const row of rows) {
      const cached = this.streams.get(row.streamId);
      if (cached === undefined) continue;
      if ((cached.at(-1)?.streamVersion ?? 0) !== row.streamVersion - 1) {
        this.drop(row.streamId);
        continue;
      }
      cached.push(toEvent(row));
      this.events += 1;
    }
    this.evictBeyondLimit(null);
  }

  /** The streams held, least recently used first. */
  get streamIds(): string[] {
    return [...this.streams.keys()];
  }

  clear(): void {
    this.streams.clear();
    this.events = 0;
  }

  private drop(streamId: string): void {
    const events = this.streams.get(streamId);
    if (events === undefined) return;
    this.streams.delete(streamId);
    this.events -= events.length;
  }

  private evictBeyondLimit(keep: string | null): void {
    for (const [oldest, evicted] of this.streams) {
      if (this.events <= this.limit) return;
      if (oldest === keep) continue;
      this.streams.delete(oldest);
      this.events -= evicted.length;
    }
  }
}
