import type { AuditTrailReview } from '../review/review.types';
import { personInWords } from '@trial-ledger/domain';
import { html, type Html } from './html';

const cell = (value: unknown): string => (value === null || value === undefined ? '—' : String(value));

/**
 * The "review" section of the printable report: the risk-based audit-trail review's verdict, a table
 * per indicator that fired (with the event ids a reviewer opens), and the per-user figures.
 */
export const reviewSection = (review: AuditTrailReview | null, problem: string | null): Html => html`
  <section id="review"><h2>Audit-trail review (risk-based)</h2>
  ${review === null
    ? html`<p class="muted">Not available: ${problem}</p>`
    : html`<p><strong>${review.verdict}</strong> Read through log position ${review.position}; data cuts: ${review.dataCuts.length === 0 ? 'none given' : review.dataCuts.map((c) => `${c.cutoff} read at ${c.analysedAt}`).join('; ')}.</p>
  <table><thead><tr><th>Indicator</th><th>Definition</th><th>Findings</th></tr></thead><tbody>
  ${review.indicators.map((i) => html`<tr><td>${i.title}</td><td>${i.definition}</td><td class="num">${i.findings.length}</td></tr>`)}
  </tbody></table>
  ${review.indicators.filter((i) => i.findings.length > 0).map(
    (i) => html`<h3>${i.title}</h3>
    <table><thead><tr><th>Recorded (UTC)</th><th>Subject</th><th>User</th><th>Finding</th><th>Events (position: id)</th></tr></thead><tbody>
    ${i.findings.map((f) => html`<tr><td class="when">${cell(f.recordedAt)}</td><td>${cell(f.subjectId)}</td><td>${cell(f.username)}</td><td>${f.summary}</td>
      <td class="hash">${f.eventIds.map((id, k) => `#${f.positions[k]}: ${id}`).join('; ')}</td></tr>`)}
    </tbody></table>`,
  )}
  <h3>Per user</h3>
  <table><thead><tr><th>User</th><th>Role</th><th>Entries</th><th>Corrections</th><th>Voids</th><th>Entry lag, days (median / p90 / max)</th><th>Findings</th></tr></thead><tbody>
  ${review.users.map((u) => html`<tr><td>${personInWords({ fullName: u.fullName, username: u.username })}</td><td>${u.role}</td><td class="num">${u.entries}</td><td class="num">${u.corrections} (${cell(u.correctionRatePercent)} %)</td>
    <td class="num">${u.voids} (${cell(u.voidRatePercent)} %)</td><td class="num">${cell(u.lagMedianDays)} / ${cell(u.lagP90Days)} / ${cell(u.lagMaxDays)}</td><td class="num">${u.findings}</td></tr>`)}
  </tbody></table>`}
  </section>`;
