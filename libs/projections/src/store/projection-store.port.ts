import type { DocumentLayout } from './document-lists';

/**
 * Where read models are kept between runs: their documents and the checkpoint (the last global
 * position folded in), saved together so a restart resumes exactly where the saved state stands.
 * Kept apart from the append-only `events` table: read models are disposable, the ledger is not.
 */
export interface StoredProjection<Doc> {
  /** Last global position folded into `documents`; 0 for a projection never run. */
  readonly checkpoint: number;
  /** The projection's version when saved; null for a projection never run. */
  readonly version: number | null;
  readonly documents: Record<string, Doc>;
  /**
   * The hash of the log's event at `checkpoint`, as it was when saved: the documents are those of the log
   * that holds this event there (a reader checks it against its log); null when saved without one.
   */
  readonly anchor?: string | null;
  /** True when saved rows were found but their seal did not match: they were altered outside the server and are not used. */
  readonly altered?: boolean;
}

export interface SaveOptions {
  /** The hash of the log's event at the checkpoint. */
  readonly anchor?: string;
  /** Which lists of each document are kept in rows of their own (the projection's `layout`); a store may save documents whole. */
  readonly layout?: DocumentLayout;
}

export interface ProjectionStore {
  load<Doc>(projection: string): Promise<StoredProjection<Doc>>;
  /** Atomically writes the changed documents and moves the checkpoint. */
  save<Doc>(projection: string, version: number, checkpoint: number, changed: Readonly<Record<string, Doc>>, options?: SaveOptions): Promise<void>;
  /** Drops the projection's documents and checkpoint (before a rebuild from position 0). */
  reset(projection: string): Promise<void>;
  getDocument<Doc>(projection: string, key: string): Promise<Doc | null>;
  close(): Promise<void>;
}
