import type { IsoDate, ProtocolDocument, SubjectStatus } from '@trial-ledger/domain';
import type { ProjectedEvent } from '../projected-event';
import type { SubjectCasebook } from '../casebook/subject-casebook.types';

/** What the study stream (`study-{studyId}`) says: the protocol in force, the roster, the lock state. */
export interface StudyContext {
  readonly studyId: string;
  readonly protocol: ProtocolDocument | null;
  readonly locked: boolean;
  /** The enrollment roster: the entries that make the hard cap hold (SPEC §1). */
  readonly roster: ReadonlyArray<{ subjectId: string; subjectNumber: number; enrollmentDate: IsoDate }>;
  readonly lastPosition: number;
}

export interface DeviationTally {
  readonly category: string;
  readonly major: number;
  readonly minor: number;
  readonly total: number;
}

/** The sponsor's and monitor's dashboard for one study. */
export interface StudyOverview extends StudyContext {
  readonly title: string | null;
  readonly protocolVersion: number | null;
  readonly enrollment: {
    readonly target: number | null;
    readonly enrolled: number;
    readonly remaining: number | null;
    /** enrolled / target × 100, one decimal. */
    readonly percentOfTarget: number | null;
  };
  readonly screened: number;
  readonly statusCounts: Readonly<Record<SubjectStatus, number>>;
  /**
   * Dosing compliance: a dose given inside its window counts as compliant; a missed dose and a dose
   * outside its window do not. `compliancePercent` = within window / (administered + missed).
   */
  readonly dosing: {
    readonly administered: number;
    readonly withinWindow: number;
    readonly outsideWindow: number;
    readonly missed: number;
    readonly compliancePercent: number | null;
  };
  /** Protocol deviations by category and severity (ICH E3 §10.2; GCP deviation log), live ones only. */
  readonly deviations: {
    readonly total: number;
    readonly detected: number;
    readonly recorded: number;
    readonly bySeverity: { readonly major: number; readonly minor: number };
    readonly byCategory: readonly DeviationTally[];
  };
  readonly adverseEvents: { readonly total: number; readonly serious: number; readonly grade3OrHigher: number };
  readonly subjects: ReadonlyArray<{
    subjectId: string;
    subjectNumber: number | null;
    status: SubjectStatus;
    enrollmentDate: IsoDate | null;
    dosesAdministered: number;
    nextDoseDueOn: IsoDate | null;
    deviations: number;
  }>;
}

export const initialStudyContext = (studyId: string): StudyContext => ({ studyId, protocol: null, locked: false, roster: [], lastPosition: 0 });

/** Folds one event of the study stream; idempotent by position like every projection here. */
export const evolveStudyContext = (context: StudyContext, event: ProjectedEvent): StudyContext => {
  if (event.globalPosition <= context.lastPosition) return context;
  const moved = { ...context, lastPosition: event.globalPosition };
  const data = event.data as Record<string, unknown>;
  switch (event.type) {
    case 'StudyRegistered':
    case 'ProtocolAmended':
      return { ...moved, protocol: data.protocol as ProtocolDocument };
    case 'StudyLocked':
      return { ...moved, locked: true };
    case 'StudyUnlocked':
      return { ...moved, locked: false };
    case 'SubjectAddedToRoster':
      return {
        ...moved,
        roster: [
          ...moved.roster,
          { subjectId: String(data.subjectId), subjectNumber: Number(data.subjectNumber), enrollmentDate: String(data.enrollmentDate) },
        ],
      };
    default:
      return moved;
  }
};

/** The domain's statuses, in the order a subject passes through them. */
const STATUSES: readonly SubjectStatus[] = ['new', 'screened', 'screen-failed', 'eligible', 'enrolled', 'withdrawn', 'dead'];

const percent = (part: number, whole: number): number | null => (whole === 0 ? null : Math.round((part * 1000) / whole) / 10);

/** The overview is a pure function of the study context and the study's casebooks. */
export const deriveStudyOverview = (context: StudyContext, casebooks: readonly SubjectCasebook[]): StudyOverview => {
  const sorted = [...casebooks].sort((a, b) => a.subjectId.localeCompare(b.subjectId));
  const statusCounts = Object.fromEntries(STATUSES.map((s) => [s, 0])) as Record<SubjectStatus, number>;
  for (const c of sorted) statusCounts[c.status] += 1;
  const target = context.protocol?.targetEnrollment ?? null;
  const enrolled = sorted.filter((c) => c.enrollment !== null).length;

  const doses = sorted.flatMap((c) => c.doses);
  const missed = sorted.reduce((n, c) => n + c.missedDoses.length, 0);
  const withinWindow = doses.filter((d) => d.withinWindow === true).length;

  const deviations = sorted.flatMap((c) => c.deviations);
  const categories = new Map<string, { major: number; minor: number }>();
  for (const d of deviations) {
    const tally = categories.get(d.category) ?? { major: 0, minor: 0 };
    tally[d.severity] += 1;
    categories.set(d.category, tally);
  }
  const adverseEvents = sorted.flatMap((c) => c.adverseEvents);

  return {
    ...context,
    title: context.protocol?.title ?? null,
    protocolVersion: context.protocol?.version ?? null,
    enrollment: {
      target,
      enrolled,
      remaining: target === null ? null : Math.max(0, target - enrolled),
      percentOfTarget: target === null ? null : percent(enrolled, target),
    },
    screened: sorted.filter((c) => c.screening !== null).length,
    statusCounts,
    dosing: {
      administered: doses.length,
      withinWindow,
      outsideWindow: doses.filter((d) => d.withinWindow === false).length,
      missed,
      compliancePercent: percent(withinWindow, doses.length + missed),
    },
    deviations: {
      total: deviations.length,
      detected: deviations.filter((d) => d.source === 'detected').length,
      recorded: deviations.filter((d) => d.source === 'recorded').length,
      bySeverity: {
        major: deviations.filter((d) => d.severity === 'major').length,
        minor: deviations.filter((d) => d.severity === 'minor').length,
      },
      byCategory: [...categories.entries()]
        .map(([category, t]) => ({ category, major: t.major, minor: t.minor, total: t.major + t.minor }))
        .sort((a, b) => b.total - a.total || a.category.localeCompare(b.category)),
    },
    adverseEvents: {
      total: adverseEvents.length,
      serious: adverseEvents.filter((a) => a.serious).length,
      grade3OrHigher: adverseEvents.filter((a) => a.ctcaeGrade >= 3).length,
    },
    subjects: sorted.map((c) => ({
      subjectId: c.subjectId,
      subjectNumber: c.enrollment?.subjectNumber ?? null,
      status: c.status,
      enrollmentDate: c.enrollment?.enrollmentDate ?? null,
      dosesAdministered: c.doses.length,
      nextDoseDueOn: c.nextDose?.dueOn ?? null,
      deviations: c.deviations.length,
    })),
  };
};
