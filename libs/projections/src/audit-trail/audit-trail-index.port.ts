/**
 * The audit-trail index: one row per event of the log with the columns the trail is filtered by, kept
 * incrementally by `AuditTrailIndexer` so a page of the trail is an indexed range read (newest first by
 * global position) instead of a pass over the log. The rows carry no clinical values: a page reads its
 * few events from the ledger by position and renders them.
 */
export interface AuditIndexRow {
  readonly position: number;
  readonly eventId: string;
  readonly streamId: string;
  readonly eventType: string;
  /** Server UTC instant of recording (non-decreasing along the log). */
  readonly recordedAt: string;
  readonly userId: string;
  readonly username: string;
  readonly role: string;
  /** The study the event belongs to (by its stream; null for identity and ledger-wide events). */
  readonly studyId: string | null;
  /** The subject it concerns: by its stream, or the subject a study-stream event or a query names. */
  readonly subjectId: string | null;
  /** A change of what was recorded before (corrections, voids: 21 CFR 11.10(e)). */
  readonly isChange: boolean;
}

/** What a trail page or download asks for; every given condition must hold. */
export interface AuditIndexQuery {
  /** Only this study's events; undefined = the whole ledger. */
  readonly studyId?: string;
  readonly subjectId?: string;
  /** A user id or a username. */
  readonly user?: string;
  readonly role?: string;
  /** One of these event types. */
  readonly types?: readonly string[];
  readonly changesOnly?: boolean;
  /** Recorded at or after / at or before (ISO 8601 UTC with ms, as `recordedAt` is stored). */
  readonly from?: string;
  readonly to?: string;
  /** Positions strictly before (newest-first paging) / strictly after (oldest-first iteration). */
  readonly beforePosition?: number;
  readonly afterPosition?: number;
  /** Positions at or before (the log as known at a position; a download's bound). */
  readonly throughPosition?: number;
}

export const AUDIT_INDEX_VERSION = 1;

/** Where the index rows and their checkpoint are kept: SQLite beside the other read models, or memory. */
export interface AuditTrailIndexStore {
  /**
   * The last position indexed and the index version it was written with (null: never written);
   * `altered` when the rows do not match their seal (changed outside the server): the index must be rebuilt.
   */
  checkpoint(): Promise<{ readonly position: number; readonly version: number; readonly altered?: boolean } | null>;
  /** Appends rows (ascending positions after the checkpoint) and moves the checkpoint, atomically. */
  append(rows: readonly AuditIndexRow[], checkpoint: number, version: number): Promise<void>;
  /** Up to `limit` matching rows, newest first or oldest first, after skipping the first `offset` (default 0) of them. */
  find(query: AuditIndexQuery, limit: number, order: 'newest-first' | 'oldest-first', offset?: number): Promise<AuditIndexRow[]>;
  /** The subject an earlier row of this stream names (a query stream's `QueryOpened`), or null. */
  subjectOfStream(streamId: string): Promise<string | null>;
  /** The distinct streams whose rows concern this subject of this study, at or before a position. */
  streamsOfSubject(studyId: string, subjectId: string, throughPosition: number): Promise<string[]>;
  /**
   * Throws `ReadModelsAlteredError` when the rows no longer match their seal (checked again only if
   * another connection has written since the last check), as every read would: lets a caller fall back
   * before it starts reading.
   */
  assertIntact(): Promise<void>;
  /** Drops every row and the checkpoint (before a rebuild from position 0). */
  reset(): Promise<void>;
  close(): Promise<void>;
}
