import type { Actor, IsoDate } from '@trial-ledger/domain';
import type { MedianSurvival, SurvivalAtDay } from '@trial-ledger/survival';
import type { PfsRule } from '../pfs.types';

/**
 * Endpoint provenance: two PFS analyses of one study side by side — two knowledge times (an interim
 * and the final analysis), two log positions, or two data cuts at one knowledge time — and, per
 * subject whose row moved, the recorded facts that moved it.
 */
export interface PfsDiffOptions {
  readonly fromKnownAt?: string | null;
  readonly toKnownAt?: string | null;
  readonly fromPosition?: number | null;
  readonly toPosition?: number | null;
  /** One data cutoff for both sides. */
  readonly cutoff?: IsoDate | null;
  /** Two data cuts (combine with one knowledge time). */
  readonly fromCutoff?: IsoDate | null;
  readonly toCutoff?: IsoDate | null;
}

/** One side of the comparison: what the ledger knew (up to `position`) and the clinical cutoff applied. */
export interface PfsDiffSide {
  readonly asKnownAt: string | null;
  readonly position: number;
  readonly cutoff: IsoDate | null;
  /**
   * False for a first side that lies before the study was registered: its analysis is empty (no
   * subjects, n = 0), so every subject of the second side entered the analysis.
   */
  readonly studyRegistered: boolean;
}

/** The ADTTE values of one subject on one side. */
export interface PfsRowSnapshot {
  readonly startDate: IsoDate;
  readonly adt: IsoDate;
  readonly aval: number;
  readonly cnsr: number;
  readonly rule: PfsRule;
  readonly evntdesc: string;
  readonly cnsdtdsc: string | null;
  /** The ledger event ADT was taken from. */
  readonly sourceEventId: string;
  readonly sourceEventType: string;
  /** Every ledger event the row rests on: ADT's source, a disregarded progression or death, the therapy (CNSR 2) or withdrawal (CNSR 5). */
  readonly restsOn: readonly string[];
}

/**
 * What kind of recorded fact moved a row: a correction, a void, an entry recorded after the first
 * side although dated on or before it (late entry), an ordinary new entry, an entry that only the
 * later data cut includes, or a protocol amendment (horizon, assessment interval).
 */
export type PfsCauseKind = 'correction' | 'void' | 'late-entry' | 'new-entry' | 'dated-between-cutoffs' | 'protocol-amendment';

export const PFS_CAUSE_WORDS: Readonly<Record<PfsCauseKind, readonly [string, string]>> = {
  correction: ['correction', 'corrections'],
  void: ['void', 'voids'],
  'late-entry': ['late entry', 'late entries'],
  'new-entry': ['new entry', 'new entries'],
  'dated-between-cutoffs': ['entry dated between the cutoffs', 'entries dated between the cutoffs'],
  'protocol-amendment': ['protocol amendment', 'protocol amendments'],
};

/** One event behind a change, as the audit trail shows it (ALCOA+: who, when, what, why). */
export interface PfsCause {
  readonly kind: PfsCauseKind;
  readonly eventId: string;
  readonly eventType: string;
  readonly position: number;
  readonly recordedAt: string;
  readonly user: Actor;
  readonly reason: string | null;
  /** The clinical date of the entry (for a correction or void: of the entry it targets, after the change). */
  readonly clinicalDate: IsoDate | null;
  /** Corrections and voids: the entry they change. */
  readonly target: { readonly eventId: string; readonly eventType: string } | null;
  /** Corrections: the changed fields before → after; voids: null → null. */
  readonly before: Readonly<Record<string, unknown>> | null;
  readonly after: Readonly<Record<string, unknown>> | null;
  /** True when the event is, or changes, the entry ADT was taken from on either side. */
  readonly decisive: boolean;
}

export type PfsDiffField = 'AVAL' | 'CNSR' | 'ADT' | 'EVNTDESC' | 'CNSDTDSC';

export interface SubjectPfsChange {
  readonly subjectId: string;
  readonly subjectNumber: number | null;
  /** `entered`/`left`: the subject is in only one of the two analyses. */
  readonly change: 'changed' | 'entered' | 'left';
  readonly changedFields: readonly PfsDiffField[];
  readonly before: PfsRowSnapshot | null;
  readonly after: PfsRowSnapshot | null;
  readonly causes: readonly PfsCause[];
}

export interface PfsFigures {
  readonly n: number;
  readonly events: number;
  readonly censored: number;
  readonly median: MedianSurvival;
  /** The Kaplan–Meier curve falls to 0: a median CI limit R reports as NA is then NE, not NR (`medianInWords`). */
  readonly curveEndsAtZero: boolean;
  readonly rates: readonly SurvivalAtDay[];
}

export interface PfsDiff {
  readonly studyId: string;
  readonly from: PfsDiffSide;
  readonly to: PfsDiffSide;
  readonly verdict: string;
  readonly subjects: readonly SubjectPfsChange[];
  /** Study-level causes between the two sides (protocol amendments). */
  readonly studyCauses: readonly PfsCause[];
  /**
   * The two sides derive rows under different rules (assessment interval or window, missed assessments for
   * censoring, analysis horizon): an amendment between them can move a row that no event of its subject touched.
   */
  readonly rowRulesAmended: boolean;
  readonly before: PfsFigures;
  readonly after: PfsFigures;
  readonly delta: {
    readonly n: number;
    readonly events: number;
    readonly censored: number;
    /** Change of the median estimate in days; null when either side has no median. */
    readonly median: number | null;
    readonly rates: ReadonlyArray<{ readonly day: number; readonly survival: number | null }>;
  };
}
