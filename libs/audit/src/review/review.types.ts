import type { KeyObject } from 'node:crypto';
import type { ReviewThresholds } from '@trial-ledger/domain';
import type { SignedCheckpoint } from '../verification/signed-checkpoint';

/** The indicators of the risk-based audit-trail review (README "Audit-trail review" defines each). */
export const REVIEW_INDICATORS = [
  'entry-lag',
  'back-dating',
  'change-after-sign-off',
  'derived-change-after-sign-off',
  'change-after-lock',
  'change-after-data-cut',
  'correction-rate',
  'change-concentration',
  'reason-quality',
  'off-hours',
  'burst',
  'critical-data-edit',
  'access',
  'trail-integrity',
] as const;
export type ReviewIndicatorId = (typeof REVIEW_INDICATORS)[number];

/** One thing a reviewer should open: what, whose, and the events behind it (ids and log positions). */
export interface ReviewFinding {
  readonly indicator: ReviewIndicatorId;
  readonly subjectId: string | null;
  /** The user the finding is about (username), when there is one. */
  readonly username: string | null;
  /** Recording instant of the latest event behind the finding. */
  readonly recordedAt: string | null;
  readonly summary: string;
  readonly eventIds: readonly string[];
  readonly positions: readonly number[];
}

/**
 * A data cut used by an analysis: the clinical cutoff and the recording instant the analysis read
 * the ledger at. The ledger does not record analyses, so the reviewer names them (`--data-cut`).
 */
export interface DataCut {
  readonly cutoff: string;
  readonly analysedAt: string;
}

export interface ReviewOptions {
  /** Default: the first study registered in the ledger. */
  readonly studyId?: string;
  /** Only findings about events recorded in [from, to] (ISO date or instant); context is read from the whole log. */
  readonly from?: string;
  readonly to?: string;
  readonly dataCuts?: readonly DataCut[];
  /** Signed checkpoints for the trail-integrity indicator (anchoring); without them the trail is reported unanchored. */
  readonly checkpoints?: readonly SignedCheckpoint[];
  readonly publicKey?: KeyObject;
}

/** Per user: how much they wrote, changed, how late and when (the distribution behind entry lag). */
export interface UserReviewRow {
  readonly username: string;
  readonly fullName: string;
  readonly role: string;
  readonly entries: number;
  readonly corrections: number;
  readonly voids: number;
  readonly correctionRatePercent: number | null;
  readonly voidRatePercent: number | null;
  readonly lagMedianDays: number | null;
  readonly lagP90Days: number | null;
  readonly lagMaxDays: number | null;
  readonly findings: number;
}

export interface SubjectReviewRow {
  readonly subjectId: string;
  readonly entries: number;
  readonly corrections: number;
  readonly voids: number;
  readonly correctionRatePercent: number | null;
  readonly voidRatePercent: number | null;
  readonly findings: number;
}

export interface IndicatorResult {
  readonly id: ReviewIndicatorId;
  readonly title: string;
  readonly definition: string;
  readonly findings: readonly ReviewFinding[];
}

export interface AuditTrailReview {
  readonly studyId: string;
  readonly from: string | null;
  readonly to: string | null;
  /** The log position the review read through (one consistent prefix). */
  readonly position: number;
  readonly thresholds: ReviewThresholds;
  readonly dataCuts: readonly DataCut[];
  /** "7 findings in 5 indicators" — information for a reviewer, never an error. */
  readonly verdict: string;
  readonly indicators: readonly IndicatorResult[];
  readonly users: readonly UserReviewRow[];
  readonly subjects: readonly SubjectReviewRow[];
}
