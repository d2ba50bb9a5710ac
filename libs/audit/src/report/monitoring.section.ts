import { personInWords } from '@trial-ledger/domain';
import { entryMonitoringOf, subjectSdvProgress, type MonitoringState } from '@trial-ledger/projections';
import { eventTypeInWords } from '../trail/event-words';
import { html, type Html } from './html';

/**
 * The report's "Queries and source data verification" part of a subject: SDV coverage, then each
 * entry with queries or an SDV state — every query with its status, age and thread, and SDV as
 * verified (by whom, when) or revoked by a later correction or void.
 */
export const monitoringSection = (state: MonitoringState, subjectId: string, now: string): Html => {
  const progress = subjectSdvProgress(state, subjectId);
  const entries = [...entryMonitoringOf(state, subjectId, now).values()].filter((m) => m.queries.length > 0 || m.sdv.status !== 'not-verified');
  const sdvLine = (m: (typeof entries)[number]): Html | string => {
    if (m.sdv.status === 'not-verified') return 'not verified';
    const verified = `verified by ${m.sdv.verifiedBy ? personInWords(m.sdv.verifiedBy) : '?'} at ${m.sdv.verifiedAt ?? '?'}`;
    return m.sdv.revokedBy ? html`<strong>SDV revoked by ${m.sdv.revokedBy.kind} at ${m.sdv.revokedBy.recordedAt}</strong> (was ${verified})` : verified;
  };
  return html`<h3>Queries and source data verification</h3>
  <p>SDV: ${progress.verified} of ${progress.entries} entries verified${progress.percentVerified === null ? '' : ` (${progress.percentVerified} %)`}; ${progress.revoked} to verify again (a correction or void after the verification).</p>
  ${entries.length === 0
    ? html`<p class="muted">No queries and no verified entries.</p>`
    : html`<table><thead><tr><th>Entry</th><th>SDV</th><th>Queries</th></tr></thead><tbody>
  ${entries.map(
    (m) => html`<tr><td>${eventTypeInWords(m.sdv.targetType)} ${m.targetEventId}</td><td>${sdvLine(m)}</td><td>${m.queries.map(
      (q) => html`<div><strong>${q.status}</strong> ${q.target.fieldPath ?? '(whole entry)'}, ${q.ageDays} d, ${q.origin}: ${q.thread.map((t) => `${t.kind} ${personInWords(t.by)} ${t.recordedAt}${t.text ? `: ${t.text}` : ''}${t.reason ? `: ${t.reason}` : ''}`).join(' · ')}</div>`,
    )}</td></tr>`,
  )}</tbody></table>`}`;
};
