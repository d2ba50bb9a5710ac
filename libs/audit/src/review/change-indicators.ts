import { clinicalDateOf, compareDates, signatureStatus, sourceVerificationStreamId, studyStreamId, visibleLength, withoutHiddenCharacters } from '@trial-ledger/domain';
import { toRecorded } from '@trial-ledger/command-pipeline';
import type { StoredEvent } from '@trial-ledger/event-store';
import { groupBy } from './access-indicators';
import { finding, inWindow, isChange, isClinicalWrite, reasonOf, subjectOf, targetOf, type ReviewLedger } from './review-ledger';
import type { ReviewFinding } from './review.types';

const who = (e: StoredEvent): string => e.metadata.actor.username;

/**
 * The events after which a record is "reviewed": a change recorded later is a change after sign-off.
 * `covers` says whether the sign-off covered an entry. Signatures are on the entry's subject stream;
 * source-data verifications (`RecordSourceVerified`) on the subject's `sdv-{studyId}-{subjectId}` stream.
 */
export interface SignOffKind {
  readonly kind: 'signature' | 'source-data verification';
  readonly covers: (signOff: StoredEvent, entry: StoredEvent) => boolean;
}
export const SIGN_OFF_EVENTS: ReadonlyMap<string, SignOffKind> = new Map<string, SignOffKind>([
  ['CasebookSigned', { kind: 'signature', covers: (s, entry) => entry.streamId === s.streamId && entry.streamVersion <= Number(s.data.signedThroughVersion) }],
  ['RecordSigned', { kind: 'signature', covers: (s, entry) => entry.streamId === s.streamId && entry.eventId === s.data.targetEventId }],
  ['RecordSourceVerified', { kind: 'source-data verification', covers: (s, entry) => entry.eventId === s.data.targetEventId }],
]);

/** The streams whose events may sign off an entry: its subject stream and the subject's SDV stream. */
const signOffStreams = (ledger: ReviewLedger, entry: StoredEvent): StoredEvent[] => {
  const subjectId = subjectOf(ledger, entry);
  const sdv = subjectId === null ? [] : (ledger.byStream.get(sourceVerificationStreamId(ledger.studyId, subjectId)) ?? []);
  return [...(ledger.byStream.get(entry.streamId) ?? []), ...sdv];
};

/** Corrections and voids of this study's subjects recorded in the window. */
export const changesInWindow = (ledger: ReviewLedger): StoredEvent[] =>
  ledger.events.filter((e) => isChange(e) && inWindow(ledger, e) && subjectOf(ledger, e) !== null);

/** A correction or void of an entry that a signature (or SDV) recorded before it had covered. */
export const signOffFindings = (ledger: ReviewLedger, changes: readonly StoredEvent[]): ReviewFinding[] =>
  changes.flatMap((change) => {
    const target = targetOf(ledger, change);
    if (!target) return [];
    const signOffs = signOffStreams(ledger, target).filter((s) => {
      const kind = SIGN_OFF_EVENTS.get(s.type);
      return kind !== undefined && s.globalPosition < change.globalPosition && kind.covers(s, target);
    }).sort((a, b) => a.globalPosition - b.globalPosition);
    if (signOffs.length === 0) return [];
    const kinds = [...new Set(signOffs.map((s) => `${SIGN_OFF_EVENTS.get(s.type)?.kind} by ${s.metadata.actor.username}`))].join(', ');
    const verb = change.type === 'EntryCorrected' ? 'corrected' : 'voided';
    return [finding('change-after-sign-off', [change, ...signOffs], `${target.type} ${verb} by ${who(change)} after ${kinds}`, { subjectId: subjectOf(ledger, change), username: who(change) })];
  });

/**
 * Signatures superseded only through what the signed record derives from (SPEC §5, `judgeSignature`): a
 * correction or void of an entry the signature never covered, or an entry recorded late, that moves a signed
 * dose's window or a signed scan's RECIST response. `change-after-sign-off` names the direct changes alone, so
 * without this a reviewer would read a superseded signature as untouched. One finding per superseding event in the
 * window, naming it and every signature it supersedes this way; a signature it also changed directly is left to
 * `change-after-sign-off`.
 */
const isSignature = (e: StoredEvent): boolean => SIGN_OFF_EVENTS.get(e.type)?.kind === 'signature';

export const derivedSignOffFindings = (ledger: ReviewLedger): ReviewFinding[] => {
  const bySuperseding = new Map<string, StoredEvent[]>();
  for (const [streamId, events] of ledger.byStream) {
    if (events.length === 0 || subjectOf(ledger, events[0]) === null || !events.some((e) => isSignature(e))) continue;
    const signatures = new Map(events.filter((e) => isSignature(e)).map((e) => [e.eventId, e]));
    for (const state of signatureStatus(events.map((e) => toRecorded(e)))) {
      const signature = signatures.get(state.signatureEventId);
      if (!signature) continue;
      for (const id of state.supersededBy) {
        const by = ledger.byId.get(id);
        if (!by || by.streamId !== streamId || !inWindow(ledger, by)) continue;
        const target = isChange(by) ? targetOf(ledger, by) : null;
        if (target && SIGN_OFF_EVENTS.get(signature.type)?.covers(signature, target)) continue;
        bySuperseding.set(id, [...(bySuperseding.get(id) ?? []), signature]);
      }
    }
  }
  return [...bySuperseding]
    .map(([id, signatures]) => ({ by: ledger.byId.get(id)!, signatures }))
    .sort((a, b) => a.by.globalPosition - b.by.globalPosition)
    .map(({ by, signatures }) => {
      const target = isChange(by) ? targetOf(ledger, by) : null;
      const what = by.type === 'EntryCorrected' ? `${target?.type ?? 'entry'} corrected` : by.type === 'EntryVoided' ? `${target?.type ?? 'entry'} voided` : `${by.type} recorded late`;
      const signed = signatures
        .map((s) => `the signature by ${who(s)} (${String(s.data.meaning)}) of ${s.type === 'RecordSigned' ? `${ledger.byId.get(String(s.data.targetEventId))?.type ?? 'record'} ${String(s.data.targetEventId)}` : `the casebook through version ${String(s.data.signedThroughVersion)}`}`)
        .join('; ');
      return finding('derived-change-after-sign-off', [by, ...signatures], `${what} by ${who(by)} supersedes, through what it derives from, ${signed}`, { subjectId: subjectOf(ledger, by), username: who(by) });
    });
};

/** Clinical writes while the study was re-opened: after a `StudyUnlocked` that followed a lock, until the next lock. */
export const lockFindings = (ledger: ReviewLedger): ReviewFinding[] => {
  const study = studyStreamId(ledger.studyId);
  const found: ReviewFinding[] = [];
  let wasLocked = false;
  let unlock: StoredEvent | null = null;
  let writes: StoredEvent[] = [];
  const close = () => {
    if (unlock && writes.length > 0) {
      const reason = reasonOf(unlock);
      found.push(finding('change-after-lock', [unlock, ...writes], `${writes.length} write(s) after the study was unlocked at ${unlock.metadata.recordedAt} by ${who(unlock)}${reason ? ` ("${reason}")` : ''}`));
    }
    unlock = null;
    writes = [];
  };
  for (const e of ledger.events) {
    if (e.streamId === study && e.type === 'StudyLocked') {
      close();
      wasLocked = true;
    } else if (e.streamId === study && e.type === 'StudyUnlocked' && wasLocked) {
      close();
      unlock = e;
    } else if (unlock && isClinicalWrite(ledger, e) && inWindow(ledger, e)) {
      writes.push(e);
    }
  }
  close();
  return found;
};

/** An entry's data as it stood just before `change`: its first value with every earlier correction applied. */
const dataBefore = (ledger: ReviewLedger, target: StoredEvent, change: StoredEvent): Record<string, unknown> => {
  let data: Record<string, unknown> = { ...target.data };
  for (const e of ledger.byStream.get(target.streamId) ?? []) {
    if (e.globalPosition >= change.globalPosition) break;
    if (e.type === 'EntryCorrected' && e.data.targetEventId === target.eventId) data = { ...data, ...((e.data.after as Record<string, unknown> | undefined) ?? {}) };
  }
  return data;
};

/**
 * The clinical date an event is about: its own, or (for a correction or void) its target's as it stood
 * before the change and as the change leaves it — the earlier of the two. "Before" is the entry as
 * corrected so far, not as first typed: an analysis read that value.
 */
const dateTouched = (ledger: ReviewLedger, e: StoredEvent): string | null => {
  if (!isChange(e)) return clinicalDateOf(e.type, e.data);
  const target = targetOf(ledger, e);
  if (!target) return null;
  const after = (e.data.after as Record<string, unknown> | undefined) ?? {};
  const current = dataBefore(ledger, target, e);
  const before = clinicalDateOf(target.type, current);
  const moved = clinicalDateOf(target.type, { ...current, ...after });
  // Either date inside the cut means the analysed data changed.
  if (before === null || moved === null) return before ?? moved;
  return compareDates(before, moved) <= 0 ? before : moved;
};

/** Writes recorded after an analysis read the ledger that change data on or before that analysis's cutoff. */
export const dataCutFindings = (ledger: ReviewLedger): ReviewFinding[] =>
  ledger.dataCuts.flatMap((cut) =>
    ledger.events.flatMap((e) => {
      if (!isClinicalWrite(ledger, e) || !inWindow(ledger, e) || e.metadata.recordedAt <= cut.analysedAt) return [];
      const date = dateTouched(ledger, e);
      if (date === null || compareDates(date, cut.cutoff) > 0) return [];
      return [finding('change-after-data-cut', [e], `${e.type} (data dated ${date}) recorded by ${who(e)} after the analysis of the ${cut.cutoff} data cut read the ledger at ${cut.analysedAt}`, { subjectId: subjectOf(ledger, e), username: who(e) })];
    }),
  );

/** Clinical entries (not corrections, voids or signatures) in the window. */
export const entriesInWindow = (ledger: ReviewLedger): StoredEvent[] =>
  ledger.events.filter((e) => isClinicalWrite(ledger, e) && inWindow(ledger, e) && !isChange(e) && !SIGN_OFF_EVENTS.has(e.type));

interface Tally {
  entries: number;
  corrections: StoredEvent[];
  voids: StoredEvent[];
}

/** Entries, corrections and voids per key (user or subject). */
export const tallies = (entries: readonly StoredEvent[], changes: readonly StoredEvent[], key: (e: StoredEvent) => string | null): Map<string, Tally> => {
  const map = new Map<string, Tally>();
  const of = (k: string): Tally => map.get(k) ?? (map.set(k, { entries: 0, corrections: [], voids: [] }).get(k) as Tally);
  for (const e of entries) {
    const k = key(e);
    if (k !== null) of(k).entries += 1;
  }
  for (const c of changes) {
    const k = key(c);
    if (k === null) continue;
    (c.type === 'EntryCorrected' ? of(k).corrections : of(k).voids).push(c);
  }
  return map;
};

export const ratePercent = (count: number, entries: number): number | null => (entries === 0 ? null : Math.round((count / entries) * 1000) / 10);

/**
 * Whether `count` of `total` is more than `limitPercent` %, judged on the exact fraction (never on a
 * rounded figure: 81 of 404 is 20.05 %, above 20 %, though it rounds to 20.0), and the percentage as
 * shown beside the threshold — with as many decimals as it takes not to read as the threshold itself.
 */
export const percentAbove = (count: number, total: number, limitPercent: number): { above: boolean; shown: number } => {
  const above = total > 0 && count * 100 > limitPercent * total;
  let shown = ratePercent(count, total) ?? 0;
  for (let decimals = 2; above && shown <= limitPercent && decimals <= 6; decimals += 1) shown = Math.round((count / total) * 100 * 10 ** decimals) / 10 ** decimals;
  return { above, shown };
};

/** Correction and void rates per user and per subject above the protocol's thresholds. */
export const rateFindings = (ledger: ReviewLedger, entries: readonly StoredEvent[], changes: readonly StoredEvent[]): ReviewFinding[] => {
  const t = ledger.thresholds;
  const found: ReviewFinding[] = [];
  for (const [scope, key] of [['user', who], ['subject', (e: StoredEvent) => subjectOf(ledger, e)]] as const) {
    for (const [k, tally] of tallies(entries, changes, key)) {
      if (tally.entries < t.minEntriesForRate) continue;
      for (const [what, list, limit] of [['correction', tally.corrections, t.correctionRatePercent], ['void', tally.voids, t.voidRatePercent]] as const) {
        const { above, shown: rate } = percentAbove(list.length, tally.entries, limit);
        if (!above) continue;
        const about = scope === 'user' ? { username: k } : { subjectId: k };
        found.push(finding('correction-rate', list, `${scope} ${k}: ${what} rate ${rate} % (${list.length} of ${tally.entries} entries; threshold ${limit} %)`, about));
      }
    }
  }
  return found;
};

/** One user holding more than the threshold share of all corrections and voids. */
export const concentrationFindings = (ledger: ReviewLedger, changes: readonly StoredEvent[]): ReviewFinding[] => {
  const t = ledger.thresholds;
  if (changes.length < t.minChangesForShare) return [];
  return [...groupBy(changes, who)].flatMap(([username, list]) => {
    const { above, shown: share } = percentAbove(list.length, changes.length, t.dominantSharePercent);
    return above ? [finding('change-concentration', list, `${username} made ${list.length} of ${changes.length} corrections and voids (${share} %; threshold ${t.dominantSharePercent} %)`, { username })] : [];
  });
};

/**
 * A reason as a reader sees it: hidden characters (zero-width spaces and joiners, word joiner, soft hyphen,
 * BOM, blank fillers) dropped, spacing folded, case ignored — so padding cannot make one reason look like another.
 */
const normalisedReason = (reason: string): string => withoutHiddenCharacters(reason).trim().replace(/\s+/g, ' ').toLowerCase();

/** Reasons for change missing, shorter than the threshold, or repeated verbatim on too many changes. */
export const reasonFindings = (ledger: ReviewLedger, changes: readonly StoredEvent[]): ReviewFinding[] => {
  const t = ledger.thresholds;
  const found: ReviewFinding[] = [];
  for (const c of changes) {
    const reason = reasonOf(c)?.trim() ?? '';
    // Judged by the characters a reader sees: padding with invisible ones does not lengthen a reason.
    const length = visibleLength(reason);
    if (length < t.minReasonLength) {
      const shown = normalisedReason(reason) === '' ? 'no reason' : `a reason of ${length} visible characters (spaces not counted) "${withoutHiddenCharacters(reason)}"`;
      found.push(finding('reason-quality', [c], `${c.type} by ${who(c)} with ${shown} (minimum ${t.minReasonLength})`, { subjectId: subjectOf(ledger, c), username: who(c) }));
    }
  }
  const byReason = groupBy(changes, (c) => {
    const reason = normalisedReason(reasonOf(c) ?? '');
    return reason === '' ? null : reason;
  });
  for (const [reason, list] of byReason) {
    if (list.length <= t.repeatedReasonCount) continue;
    const users = [...new Set(list.map(who))].join(', ');
    found.push(finding('reason-quality', list, `the same reason "${reason}" on ${list.length} changes (by ${users}; threshold ${t.repeatedReasonCount})`, { username: users.includes(',') ? null : users }));
  }
  return found;
};
