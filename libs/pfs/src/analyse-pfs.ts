import { invalid, isIsoDate, notFound, studyStreamId, subjectStreamId, type IsoDate, type ProtocolDocument } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import {
  asOfInWords,
  casebooksOf,
  clinicalReadModels,
  foldProjection,
  clinicalReadModelsAt,
  getStudyContext,
  studyKey,
  resolveAsOf,
  rosterOf,
  toProjected,
  type ClinicalState,
  type ProjectionStore,
  type ResolvedAsOf,
} from '@trial-ledger/projections';
import { kaplanMeier, medianSurvival, survivalAt, type KaplanMeierRow, type MedianSurvival, type SurvivalAtDay } from '@trial-ledger/survival';
import { deriveSubjectPfs, deriveSubjectPfsFromEvents } from './derive-subject-pfs';
import type { SubjectPfs } from './pfs.types';

export interface PfsAnalysisOptions {
  /** Clinical data cutoff (YYYY-MM-DD): everything dated after it is disregarded. */
  readonly cutoff?: IsoDate | null;
  /** Recording instant: the analysis as the ledger knew it then (bitemporal). */
  readonly asKnownAt?: string | null;
  /** Log position: the analysis as of this position (combined with `asKnownAt`, the earlier wins). */
  readonly toPosition?: number | null;
  /** The server's saved read models: at the head, the PFS inputs are read from them (and the events after their checkpoint). */
  readonly readModels?: ProjectionStore | null;
}

/** The study's PFS rows (ADTTE) with the protocol they were derived under and the point in the log. */
export interface StudyPfs {
  readonly studyId: string;
  readonly protocol: ProtocolDocument;
  readonly cutoff: IsoDate | null;
  readonly asOf: ResolvedAsOf;
  readonly subjects: readonly SubjectPfs[];
}

/** SPEC appendix B, `trial-ledger pfs --json`, exactly. */
export interface PfsAnalysis {
  readonly studyId: string;
  readonly horizonDays: number;
  readonly cutoff: IsoDate | null;
  readonly asKnownAt: string | null;
  readonly subjects: ReadonlyArray<{ subjectId: string; startDate: IsoDate; adt: IsoDate; aval: number; cnsr: number; reason: string }>;
  readonly summary: { readonly n: number; readonly events: number; readonly censored: number };
  readonly km: readonly KaplanMeierRow[];
  readonly median: MedianSurvival;
  readonly rates: readonly SurvivalAtDay[];
}

/**
 * Derives every enrolled subject's PFS from one consistent prefix of the log: the study stream (the
 * protocol in force and the roster) and each rostered subject's stream, cut at the same position —
 * only those streams are folded. At the head, with saved read models, their casebook rows are used.
 */
export const loadStudyPfs = async (store: EventStore, studyId: string, options: PfsAnalysisOptions = {}): Promise<StudyPfs> => {
  const cutoff = options.cutoff ?? null;
  if (cutoff !== null && !isIsoDate(cutoff)) invalid('PFS.INVALID_CUTOFF', `cutoff must be a date YYYY-MM-DD (got ${String(cutoff)})`, { cutoff });
  const asOf = await resolveAsOf(store, { asKnownAt: options.asKnownAt, toPosition: options.toPosition });
  if (options.readModels && (options.asKnownAt ?? null) === null && (options.toPosition ?? null) === null) {
    const { state } = await clinicalReadModelsAt(store, { saved: options.readModels, toPosition: asOf.position });
    return studyPfsOf(state, studyId, { cutoff, asOf });
  }
  const studyEvents = (await store.readStream(studyStreamId(studyId), { toPosition: asOf.position })).map(toProjected);
  const studyState = foldProjection(clinicalReadModels, studyEvents);
  const study = getStudyContext(studyState, studyId);
  if (study === null || study.protocol === null) {
    return notFound('STUDY.NOT_FOUND', `No registered study ${studyId} ${asOfInWords(asOf)}`, { studyId, position: asOf.position });
  }
  const subjectIds = [...new Set(rosterOf(studyState, studyId).map((r) => r.subjectId))];
  // One subject at a time, onto the study's context alone (a casebook depends on its own stream and the
  // protocol in force, never on another subject): what is held is one stream and the PFS rows, not the
  // whole study's events and casebooks (a million events would hold gigabytes).
  const context = { [studyKey(studyId)]: study };
  const subjects: SubjectPfs[] = [];
  for (const subjectId of subjectIds) {
    const events = (await store.readStream(subjectStreamId(studyId, subjectId), { toPosition: asOf.position })).map(toProjected);
    const row = deriveSubjectPfsFromEvents(events, studyId, subjectId, study.protocol, { cutoff }, context);
    if (row !== null) subjects.push(row);
  }
  return studyPfsFrom(studyId, study.protocol, subjects, { cutoff, asOf });
};

/** The study's PFS from its subjects' rows, in subject-number order. */
const studyPfsFrom = (studyId: string, protocol: ProtocolDocument, subjects: SubjectPfs[], options: { cutoff: IsoDate | null; asOf: ResolvedAsOf }): StudyPfs => ({
  studyId,
  protocol,
  cutoff: options.cutoff,
  asOf: options.asOf,
  subjects: subjects.sort((a, b) => (a.subjectNumber ?? 0) - (b.subjectNumber ?? 0) || a.subjectId.localeCompare(b.subjectId)),
});

/**
 * The study's PFS rows from clinical read models already folded to `asOf` (the report reads them once
 * for the overview, the casebooks and the PFS alike).
 */
export const studyPfsOf = (state: ClinicalState, studyId: string, options: { cutoff: IsoDate | null; asOf: ResolvedAsOf }): StudyPfs => {
  const protocol = getStudyContext(state, studyId)?.protocol ?? null;
  if (protocol === null) {
    return notFound('STUDY.NOT_FOUND', `No registered study ${studyId} ${asOfInWords(options.asOf)}`, { studyId, position: options.asOf.position });
  }
  const cutoff = options.cutoff;
  if (cutoff !== null && !isIsoDate(cutoff)) invalid('PFS.INVALID_CUTOFF', `cutoff must be a date YYYY-MM-DD (got ${String(cutoff)})`, { cutoff });
  const subjects = casebooksOf(state, studyId)
    .map((casebook) => deriveSubjectPfs(casebook, protocol, { cutoff }))
    .filter((row): row is SubjectPfs => row !== null);
  return studyPfsFrom(studyId, protocol, subjects, { cutoff, asOf: options.asOf });
};

/**
 * Kaplan–Meier on (AVAL, CNSR = 0) with Greenwood variance and log-log 95 % CIs, the median with its
 * CI and the rates at the protocol's landmark days — the figures R's
 * `survfit(Surv(AVAL, CNSR == 0) ~ 1, conf.type = "log-log")` gives (libs/survival is checked against it).
 */
export const summarisePfs = (pfs: StudyPfs): PfsAnalysis => {
  const km = kaplanMeier(pfs.subjects.map((s) => ({ time: s.aval, event: s.cnsr === 0 })));
  const events = pfs.subjects.filter((s) => s.cnsr === 0).length;
  return {
    studyId: pfs.studyId,
    horizonDays: pfs.protocol.endpoint.horizonDays,
    cutoff: pfs.cutoff,
    asKnownAt: pfs.asOf.asKnownAt,
    subjects: pfs.subjects.map((s) => ({ subjectId: s.subjectId, startDate: s.startDate, adt: s.adt, aval: s.aval, cnsr: s.cnsr, reason: s.evntdesc })),
    summary: { n: pfs.subjects.length, events, censored: pfs.subjects.length - events },
    km,
    median: medianSurvival(km),
    rates: pfs.protocol.endpoint.rateDays.map((d) => survivalAt(km, d)),
  };
};

/** The study PFS analysis as the ledger knew it (SPEC appendix B shape). */
export const analysePfs = async (store: EventStore, studyId: string, options: PfsAnalysisOptions = {}): Promise<PfsAnalysis> =>
  summarisePfs(await loadStudyPfs(store, studyId, options));
