import type { QueryOrigin, QueryResponseCategory, QueryTarget, Role } from '@trial-ledger/domain';

/** Who did something, as shown beside it (Part 11 §11.10(e)). */
export interface ActorView {
  readonly username: string;
  readonly fullName: string;
  readonly role: Role;
}

/**
 * A query's status as monitors read it. `closed-modified` (OpenClinica 4's term) is derived: the query
 * was closed and its target was corrected or voided afterwards.
 */
export type QueryStatus = 'open' | 'answered' | 'closed' | 'closed-modified' | 'cancelled';
export const QUERY_STATUSES: readonly QueryStatus[] = ['open', 'answered', 'closed', 'closed-modified', 'cancelled'];

/** One step of a query's thread: its own events and the changes to its target, in log order. */
export interface QueryThreadItem {
  readonly kind: 'opened' | 'responded' | 'closed' | 'reopened' | 'cancelled' | 'target-corrected' | 'target-voided';
  readonly eventId: string;
  readonly position: number;
  readonly recordedAt: string;
  readonly by: ActorView;
  readonly text: string | null;
  readonly category: QueryResponseCategory | null;
  /** For a change to the target: the correction's or void's reason, and whether the query was open then (linked). */
  readonly reason: string | null;
  readonly whileOpen: boolean | null;
}

export interface QueryView {
  readonly queryId: string;
  readonly studyId: string;
  readonly subjectId: string;
  readonly target: QueryTarget;
  readonly origin: QueryOrigin;
  readonly deviationEventId: string | null;
  readonly status: QueryStatus;
  readonly openedAt: string;
  readonly openedBy: ActorView;
  /** When it was last closed or cancelled; null while open or answered. */
  readonly resolvedAt: string | null;
  /** Whole days from opening to resolution (or to now while it is open or answered). */
  readonly ageDays: number;
  /** Corrections and voids of the target made while the query was open: the query is linked to them. */
  readonly linkedChangeIds: readonly string[];
  readonly thread: readonly QueryThreadItem[];
}

/** Source data verification of one entry: verified, not yet, or revoked by a later correction or void. */
export type SdvStatus = 'not-verified' | 'verified' | 'revoked';

export interface EntrySdvView {
  readonly targetEventId: string;
  readonly targetType: string;
  readonly status: SdvStatus;
  readonly verifiedAt: string | null;
  readonly verifiedBy: ActorView | null;
  /** "SDV revoked by correction at …": the change that revoked the latest verification. */
  readonly revokedBy: { readonly kind: 'correction' | 'void'; readonly eventId: string; readonly recordedAt: string } | null;
}

export interface SubjectSdvProgress {
  readonly studyId: string;
  readonly subjectId: string;
  /** Entries subject to SDV: every live clinical entry recorded by a person (not the system's derived deviations). */
  readonly entries: number;
  readonly verified: number;
  readonly revoked: number;
  readonly percentVerified: number | null;
  readonly items: readonly EntrySdvView[];
}

/** The queries and SDV state of one entry, for the casebook and the report. */
export interface EntryMonitoring {
  readonly targetEventId: string;
  readonly sdv: EntrySdvView;
  readonly queries: readonly QueryView[];
}
