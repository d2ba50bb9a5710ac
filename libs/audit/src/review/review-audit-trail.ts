import type { EventStore, StoredEvent } from '@trial-ledger/event-store';
import { verifyLedger, type LedgerVerification } from '../verification/ledger.verifier';
import { accessFindings, integrityFindings } from './access-indicators';
import { changesInWindow, concentrationFindings, derivedSignOffFindings, dataCutFindings, entriesInWindow, lockFindings, rateFindings, ratePercent, reasonFindings, signOffFindings, tallies } from './change-indicators';
import { criticalEditFindings } from './critical-edit-indicators';
import { backDatingFindings, burstFindings, commandsInWindow, entryLagFindings, entryLagOf, offHoursFindings } from './entry-indicators';
import { loadReviewLedger, subjectOf, type ReviewLedger } from './review-ledger';
import type { AuditTrailReview, IndicatorResult, ReviewFinding, ReviewIndicatorId, ReviewOptions, SubjectReviewRow, UserReviewRow } from './review.types';

/** Title and definition of each indicator; the README's "Audit-trail review" section says the same. */
export const INDICATOR_DEFINITIONS: Readonly<Record<ReviewIndicatorId, { readonly title: string; readonly definition: string }>> = {
  'entry-lag': { title: 'Entry lag', definition: 'A clinical entry (not voided) recorded more than entryLagDays after its clinical date as corrected (the sites\' day of recordedAt, in siteHours.timeZone, − clinical date).' },
  'back-dating': { title: 'Back-dating', definition: 'A correction that moves a clinical date earlier, or moves a dose or tumour-assessment date across a protocol window boundary.' },
  'change-after-sign-off': { title: 'Changes after sign-off', definition: 'A correction or void of an entry that an electronic signature (casebook or record) or a source data verification recorded before it covered.' },
  'derived-change-after-sign-off': { title: 'Signatures superseded through derived data', definition: 'A correction, void or late entry that a signature never covered but that changes what the signed record derives from (a dose\'s window from the dose of the cycle before; a scan\'s RECIST response from the baseline and the scans before it), so the signature is superseded.' },
  'change-after-lock': { title: 'Changes after lock/unlock', definition: 'Clinical writes recorded after the study was unlocked following a lock, until the next lock.' },
  'change-after-data-cut': { title: 'Changes after a data cut', definition: 'A write recorded after an analysis read the ledger (--data-cut CUTOFF@INSTANT) that changes data dated on or before its cutoff.' },
  'correction-rate': { title: 'Correction and void rates', definition: 'Corrections (voids) per clinical entry of a user or subject above correctionRatePercent (voidRatePercent), once it has minEntriesForRate entries.' },
  'change-concentration': { title: 'Changes held by one user', definition: 'One user made more than dominantSharePercent of all corrections and voids (of at least minChangesForShare).' },
  'reason-quality': { title: 'Reasons for change', definition: 'A correction or void without a reason or with one shorter than minReasonLength characters; the same reason verbatim on more than repeatedReasonCount changes.' },
  'off-hours': { title: 'Entries outside site hours', definition: 'A clinical write recorded outside siteHours (start–end in its time zone) or on a Saturday or Sunday unless weekends are allowed.' },
  burst: { title: 'Bursts', definition: 'More than burst.writes clinical commands by one user within burst.minutes.' },
  'critical-data-edit': { title: 'Critical-data edits', definition: 'A correction of a progression date, death date, RECIST measurement or response (or a void of such an entry), or any other correction or void that moves the subject\'s PFS, with how it moved it.' },
  access: { title: 'Access signals', definition: 'failedLogins or more failed password entries per account; lockouts; refused requests; a role change within accessWindowMinutes of the user\'s clinical writes; an admin password reset followed by the user\'s change and a signature within the window; activity after deactivation; an account created under the printed name of an active account (with the reason given).' },
  'trail-integrity': { title: 'Trail integrity', definition: 'The hash chain verdict, whether a signed checkpoint anchors the log, and recordedAt never decreasing along the log.' },
};

const percentile = (sorted: readonly number[], p: number): number | null => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]);

const userRows = (ledger: ReviewLedger, entries: readonly StoredEvent[], changes: readonly StoredEvent[], findings: readonly ReviewFinding[]): UserReviewRow[] => {
  const people = new Map(ledger.events.map((e) => [e.metadata.actor.username, e.metadata.actor]));
  const counts = tallies(entries, changes, (e) => e.metadata.actor.username);
  return [...counts].map(([username, t]) => {
    const lags = entries.filter((e) => e.metadata.actor.username === username).flatMap((e) => entryLagOf(ledger, e)?.days ?? []).sort((a, b) => a - b);
    const actor = people.get(username);
    return {
      username,
      fullName: actor?.fullName ?? username,
      role: actor?.role ?? '',
      entries: t.entries,
      corrections: t.corrections.length,
      voids: t.voids.length,
      correctionRatePercent: ratePercent(t.corrections.length, t.entries),
      voidRatePercent: ratePercent(t.voids.length, t.entries),
      lagMedianDays: percentile(lags, 50),
      lagP90Days: percentile(lags, 90),
      lagMaxDays: lags.at(-1) ?? null,
      findings: findings.filter((f) => f.username === username).length,
    };
  });
};

const subjectRows = (ledger: ReviewLedger, entries: readonly StoredEvent[], changes: readonly StoredEvent[], findings: readonly ReviewFinding[]): SubjectReviewRow[] =>
  [...tallies(entries, changes, (e) => subjectOf(ledger, e))]
    .map(([subjectId, t]) => ({
      subjectId,
      entries: t.entries,
      corrections: t.corrections.length,
      voids: t.voids.length,
      correctionRatePercent: ratePercent(t.corrections.length, t.entries),
      voidRatePercent: ratePercent(t.voids.length, t.entries),
      findings: findings.filter((f) => f.subjectId === subjectId).length,
    }))
    .sort((a, b) => a.subjectId.localeCompare(b.subjectId));

/**
 * Risk-based audit-trail review (EMA 2023 §6.2.2): computes every indicator over one snapshot of the
 * log, with the thresholds of the study's protocol document, and names the events behind each
 * finding. Findings are information for a reviewer, not errors.
 */
export const reviewAuditTrail = async (
  store: EventStore,
  options: ReviewOptions & { readonly verification?: LedgerVerification } = {},
): Promise<AuditTrailReview> => {
  const ledger = await loadReviewLedger(store, options);
  const verification =
    options.verification ?? (await verifyLedger(store, options.checkpoints && options.publicKey ? { checkpoints: options.checkpoints, publicKey: options.publicKey } : {}));
  const commands = commandsInWindow(ledger);
  const changes = changesInWindow(ledger);
  const entries = entriesInWindow(ledger);
  const byIndicator: Record<ReviewIndicatorId, ReviewFinding[]> = {
    'entry-lag': entryLagFindings(ledger),
    'back-dating': backDatingFindings(ledger),
    'change-after-sign-off': signOffFindings(ledger, changes),
    'derived-change-after-sign-off': derivedSignOffFindings(ledger),
    'change-after-lock': lockFindings(ledger),
    'change-after-data-cut': dataCutFindings(ledger),
    'correction-rate': rateFindings(ledger, entries, changes),
    'change-concentration': concentrationFindings(ledger, changes),
    'reason-quality': reasonFindings(ledger, changes),
    'off-hours': offHoursFindings(ledger, commands),
    burst: burstFindings(ledger, commands),
    'critical-data-edit': criticalEditFindings(ledger, changes),
    access: accessFindings(ledger),
    'trail-integrity': integrityFindings(ledger, verification),
  };
  const indicators: IndicatorResult[] = (Object.keys(INDICATOR_DEFINITIONS) as ReviewIndicatorId[]).map((id) => ({ id, ...INDICATOR_DEFINITIONS[id], findings: byIndicator[id] }));
  const all = indicators.flatMap((i) => i.findings);
  const firing = indicators.filter((i) => i.findings.length > 0).length;
  return {
    studyId: ledger.studyId,
    from: ledger.from,
    to: ledger.to,
    position: ledger.position,
    thresholds: ledger.thresholds,
    dataCuts: ledger.dataCuts,
    verdict: all.length === 0 ? 'No findings: no indicator fired.' : `${all.length} finding${all.length === 1 ? '' : 's'} in ${firing} of ${indicators.length} indicators.`,
    indicators,
    users: userRows(ledger, entries, changes, all),
    subjects: subjectRows(ledger, entries, changes, all),
  };
};
