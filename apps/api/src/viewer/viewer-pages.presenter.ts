import { eventTypeInWords } from '@trial-ledger/audit';
import { notFound, invalid, personInWords, signatureMeaningInWords, signatureScopeInWords } from '@trial-ledger/domain';
import { deriveSubjectPfs, pfsFigureTexts, renderKmSvg, summarisePfs, type PfsAnalysis, type SubjectPfs } from '@trial-ledger/pfs';
import { getCasebook, recistIssueInWords, getStudyContext, getStudyOverview, type CasebookEntry, type CasebookMonitoring, type EntryMonitoring, type SubjectCasebook, type StudyOverview } from '@trial-ledger/projections';
import type { ViewerState } from './viewer-read-models';
import { fieldLabel, shown, utc } from './viewer-format';
import { studyDigests } from './viewer-study-digest';

/** Study dashboard data, all from the one state the page stands at. */
export const studyPageModel = (state: ViewerState, studyId: string) => {
  const overview = requireOverview(state, studyId);
  const digests = studyDigests(state.documents, studyId);
  const protocol = getStudyContext(state.documents, studyId)?.protocol ?? null;
  const rows = digests.map((d) => d.pfs).filter((row): row is SubjectPfs => row !== null);
  rows.sort((a, b) => (a.subjectNumber ?? 0) - (b.subjectNumber ?? 0) || a.subjectId.localeCompare(b.subjectId));
  const pfs: PfsAnalysis | null =
    protocol === null || rows.length === 0 ? null : summarisePfs({ studyId, protocol, cutoff: null, asOf: { position: state.position, asKnownAt: state.asKnownAt }, subjects: rows });
  const pfsUnavailable = pfs === null ? 'No enrolled subject yet: no PFS to show.' : '';
  return {
    overview,
    statusCounts: Object.entries(overview.statusCounts),
    signatures: {
      valid: digests.reduce((n, d) => n + d.validSignatures, 0),
      superseded: digests.reduce((n, d) => n + d.supersededSignatures, 0),
      unsigned: digests.filter((d) => d.enrolled && !d.casebookSigned).length,
    },
    pfs,
    pfsFigures: pfs === null ? null : pfsFigureTexts(pfs),
    pfsUnavailable,
    // The SVG is built by xmlbuilder2 from numbers and escaped text; the XML prolog has no place inside HTML.
    kmSvg: pfs === null ? '' : renderKmSvg(pfs).replace(/^<\?xml[^>]*>\s*/, ''),
  };
};

const requireOverview = (state: ViewerState, studyId: string): StudyOverview =>
  getStudyOverview(state.documents, studyId) ?? notFound('STUDY.NOT_FOUND', `No study ${studyId} as of position ${state.position}`, { studyId });

export const SUBJECT_SORTS = ['subjectId', 'subjectNumber', 'status', 'enrollmentDate', 'dosesAdministered', 'nextDoseDueOn', 'deviations', 'openQueries'] as const;
export type SubjectSort = (typeof SUBJECT_SORTS)[number];
const SORT_LABELS: Readonly<Record<SubjectSort, string>> = {
  subjectId: 'Subject',
  subjectNumber: 'Number',
  status: 'Status',
  enrollmentDate: 'Enrolled on',
  dosesAdministered: 'Doses given',
  nextDoseDueOn: 'Next dose due',
  deviations: 'Deviations',
  openQueries: 'Open queries',
};

export const parseSort = (sort: unknown, order: unknown): { sort: SubjectSort; order: 'asc' | 'desc' } => {
  const key = sort === undefined || sort === '' ? 'subjectId' : sort;
  if (typeof key !== 'string' || !(SUBJECT_SORTS as readonly string[]).includes(key)) {
    return invalid('VIEWER.INVALID_SORT', `sort must be one of ${SUBJECT_SORTS.join(', ')}`, { sort: String(sort) });
  }
  const direction = order === undefined || order === '' ? 'asc' : order;
  if (direction !== 'asc' && direction !== 'desc') return invalid('VIEWER.INVALID_SORT', 'order must be asc or desc', { order: String(order) });
  return { sort: key as SubjectSort, order: direction };
};

/** Nulls last whatever the direction: a subject not yet enrolled has no date to sort by. */
const compare = (a: unknown, b: unknown): number => {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
};

/** Subjects per page of the table when `?pageSize=` is not given, and the most one page may hold. */
export const SUBJECTS_PAGE_SIZE = 100;
export const MAX_SUBJECTS_PAGE_SIZE = 1000;

export interface SubjectsPaging {
  readonly page: number;
  readonly pageSize: number;
}

/** A whole number from 1 to `max` in decimal digits, or the default when absent or empty; anything else is VIEWER.INVALID_PAGE. */
const pagingNumber = (name: 'page' | 'pageSize', value: unknown, fallback: number, max: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    return invalid('VIEWER.INVALID_PAGE', `${name} must be one whole number from 1${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`, { field: name });
  }
  return n;
};

export const parsePaging = (page: unknown, pageSize: unknown): SubjectsPaging => ({
  page: pagingNumber('page', page, 1, Number.MAX_SAFE_INTEGER),
  pageSize: pagingNumber('pageSize', pageSize, SUBJECTS_PAGE_SIZE, MAX_SUBJECTS_PAGE_SIZE),
});

/**
 * The subjects table, sorted on the server with the subject id breaking ties — a total order, so every
 * subject is on exactly one page — and cut into pages: a study of thousands of subjects is not one page.
 * Links keep the sort, the page size and the as-known-at instant (`asOfParam`); a new sort starts at page 1.
 */
export const subjectsPageModel = (state: ViewerState, studyId: string, sort: SubjectSort, order: 'asc' | 'desc', paging: SubjectsPaging, base: string, asOfParam: string) => {
  const overview = requireOverview(state, studyId);
  const sorted = [...overview.subjects].sort((a, b) => {
    const c = compare(a[sort], b[sort]);
    const directed = order === 'desc' && a[sort] !== null && b[sort] !== null ? -c : c;
    return directed || a.subjectId.localeCompare(b.subjectId);
  });
  const { page, pageSize } = paging;
  const pageCount = Math.max(1, Math.ceil(sorted.length / pageSize));
  const rows = sorted.slice((page - 1) * pageSize, page * pageSize);
  const sizeParam = pageSize === SUBJECTS_PAGE_SIZE ? '' : `&pageSize=${pageSize}`;
  const pageHref = (n: number): string => `${base}?sort=${sort}&order=${order}&page=${n}${sizeParam}${asOfParam}`;
  const columns = SUBJECT_SORTS.map((key) => {
    const next = key === sort && order === 'asc' ? 'desc' : 'asc';
    return { key, label: SORT_LABELS[key], href: `${base}?sort=${key}&order=${next}${sizeParam}${asOfParam}` };
  });
  return {
    rows,
    total: sorted.length,
    page,
    pageCount,
    // Past the last page, "previous" leads back to the last one.
    prevHref: page > 1 ? pageHref(Math.min(page - 1, pageCount)) : null,
    nextHref: page < pageCount ? pageHref(page + 1) : null,
    columns,
    sort,
    order,
    sortLabel: SORT_LABELS[sort],
  };
};

/** One recorded value with its history: the original, every correction before → after, the current value. */
interface FieldHistory {
  readonly label: string;
  readonly original: string;
  readonly current: string;
  readonly changes: ReadonlyArray<{ before: string; after: string; by: string; at: string; reason: string }>;
}

const entryFields = (casebook: SubjectCasebook, entry: CasebookEntry): FieldHistory[] => {
  const original = entry.recorded.data as unknown as Record<string, unknown>;
  const current = entry.current.data as unknown as Record<string, unknown>;
  const corrections = casebook.corrections.filter((c) => c.targetEventId === entry.eventId);
  const names = [...new Set([...Object.keys(original), ...Object.keys(current)])].filter((name) => name !== 'subjectId' && name !== 'studyId');
  return names.map((name) => ({
    label: fieldLabel(name),
    original: shown(original[name]),
    current: shown(current[name]),
    changes: corrections
      .filter((c) => Object.hasOwn(c.after, name) || Object.hasOwn(c.before, name))
      .map((c) => ({ before: shown(c.before[name]), after: shown(c.after[name]), by: personInWords(c.recordedBy), at: utc(c.recordedAt), reason: c.reason })),
  }));
};

/** An entry's SDV state in words: verified by whom and when, revoked by which change, or not yet. */
const sdvText = (m: EntryMonitoring | undefined): { readonly status: string; readonly text: string } => {
  const sdv = m?.sdv;
  if (!sdv || sdv.status === 'not-verified') return { status: 'not-verified', text: 'Not source-verified' };
  if (sdv.status === 'verified') return { status: 'verified', text: `Source-verified by ${sdv.verifiedBy ? personInWords(sdv.verifiedBy) : '—'} at ${utc(sdv.verifiedAt)}` };
  const revoked = sdv.revokedBy;
  return { status: 'revoked', text: revoked ? `SDV revoked by ${revoked.kind} at ${utc(revoked.recordedAt)}` : 'SDV revoked' };
};

/** An entry's monitor queries: status, opening text and the thread, in log order. */
const queriesOf = (m: EntryMonitoring | undefined) =>
  (m?.queries ?? []).map((q) => ({
    queryId: q.queryId,
    status: q.status,
    openedAt: utc(q.openedAt),
    openedBy: personInWords(q.openedBy),
    text: q.thread.find((t) => t.kind === 'opened')?.text ?? '',
    thread: q.thread.map((t) => ({ kind: t.kind, at: utc(t.recordedAt), by: personInWords(t.by), text: t.text ?? t.reason ?? '', category: t.category })),
  }));

export const subjectPageModel = (state: ViewerState, studyId: string, subjectId: string, monitoring: CasebookMonitoring | null = null) => {
  const casebook = getCasebook(state.documents, studyId, subjectId) ?? notFound('SUBJECT.NOT_FOUND', `No subject ${subjectId} in study ${studyId} as of position ${state.position}`, { studyId, subjectId });
  const entries = casebook.entries.map((entry) => {
    const voided = casebook.voids.find((v) => v.targetEventId === entry.eventId) ?? null;
    return {
      eventId: entry.eventId,
      type: entry.type,
      position: entry.globalPosition,
      recordedAt: utc(entry.recordedAt),
      recordedBy: personInWords(entry.recordedBy),
      voided: voided === null ? null : { by: personInWords(voided.recordedBy), at: utc(voided.recordedAt), reason: voided.reason },
      fields: entryFields(casebook, entry),
      sdv: sdvText(monitoring?.entries[entry.eventId]),
      queries: queriesOf(monitoring?.entries[entry.eventId]),
    };
  });
  // This subject's derivation only (the same function the study analysis maps over every casebook).
  const protocol = getStudyContext(state.documents, studyId)?.protocol ?? null;
  const pfs: SubjectPfs | null = protocol === null ? null : deriveSubjectPfs(casebook, protocol);
  // What superseded a signature, in words: "correction of DoseAdministered at 2026-… (reason)".
  const changes = new Map<string, string>([
    // A scan recorded after a signature whose derived RECIST response it moves (a late baseline or an earlier scan).
    ...casebook.entries.map((e): [string, string] => [e.eventId, `${e.type} recorded ${utc(e.recordedAt)}`]),
    ...casebook.corrections.map((c): [string, string] => [c.eventId, `correction of ${c.targetType} recorded ${utc(c.recordedAt)} (${c.reason})`]),
    ...casebook.voids.map((v): [string, string] => [v.eventId, `void of ${v.targetType} recorded ${utc(v.recordedAt)} (${v.reason})`]),
  ]);
  const signatures = casebook.signatures.map((s) => ({
    ...s,
    signer: personInWords(s.signedBy),
    meaningInWords: signatureMeaningInWords(s.meaning),
    scopeInWords: signatureScopeInWords(s, eventTypeInWords),
    supersededBy: s.supersededBy.map((id) => changes.get(id) ?? id),
  }));
  return { casebook, entries, pfs, signatures, recistIssue: recistIssueInWords(casebook) };
};
