import type { KeyObject } from 'node:crypto';
import { storeScheme, systemClock, type Clock, type EventStore } from '@trial-ledger/event-store';
import { notFound, personInWords, signatureMeaningInWords, signatureScopeInWords } from '@trial-ledger/domain';
import { pfsFigureTexts, renderKmSvg, studyPfsOf, summarisePfs, type PfsAnalysis } from '@trial-ledger/pfs';
import { clinicalReadModelsAt, getCasebook, getStudyOverview, replayMonitoring, type ProjectionStore, type SubjectCasebook, type StudyOverview } from '@trial-ledger/projections';
import { auditTrail, type AuditTrailRow } from '../trail/audit-trail.query';
import { eventTypeInWords } from '../trail/event-words';
import { redactedData } from '../trail/redaction';
import { verifyLedger, type LedgerVerification } from '../verification/ledger.verifier';
import type { SignedCheckpoint } from '../verification/signed-checkpoint';
import type { TreeVerification } from '@trial-ledger/merkle';
import { verifyTree } from '../transparency/store-tree';
import { html, trusted, type Html } from './html';
import { monitoringSection } from './monitoring.section';
import { reviewAuditTrail } from '../review/review-audit-trail';
import type { AuditTrailReview } from '../review/review.types';
import { reviewSection } from './review-section';

export interface LedgerReportOptions {
  /** Default: the first study registered in the ledger. */
  readonly studyId?: string;
  /** Only this subject's casebook (the overview and verification are always included). */
  readonly subjectId?: string;
  readonly checkpoints?: readonly SignedCheckpoint[];
  readonly publicKey?: KeyObject;
  readonly clock?: Clock;
  /** The server's saved read models, if any: only the events after their checkpoint are folded. */
  readonly readModels?: ProjectionStore | null;
  /**
   * What the verdict rests on (the key and checkpoints checked, anchored or not), as `verify` states it;
   * given the verification, it can say what the checkpoints actually established (none verifying: not anchored).
   */
  readonly trustStatement?: string | ((verification: LedgerVerification) => string);
  /**
   * Damage `verify` finds beyond the chain and the tree, given the verification: under a pinned key, signed
   * checkpoints withdrawn or the log rewritten since the verifier confirmed it. Each sentence makes the verdict DAMAGED.
   */
  readonly findings?: (verification: LedgerVerification) => Promise<readonly string[]>;
}

const show = (value: unknown): string => {
  if (value === null || value === undefined) return '—';
  if (Array.isArray(value)) return value.map(show).join('; ');
  if (typeof value === 'object') return Object.entries(value as Record<string, unknown>).map(([k, v]) => `${k}: ${show(v)}`).join(', ');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return String(value);
};

const utc = (instant: string | null | undefined): string => (instant ? `${instant.replace('T', ' ').replace(/\.\d{3}Z$/, '').replace(/Z$/, '')} UTC` : '—');

const fieldsTable = (values: Record<string, unknown>): Html => html`<dl class="fields">${Object.entries(values).map(
  ([k, v]) => html`<dt>${k}</dt><dd>${show(v)}</dd>`,
)}</dl>`;

const STYLE = `
  :root { --ink: #1b1f24; --muted: #5b6570; --rule: #c9d1d9; --bad: #b42318; --good: #027a48; }
  * { box-sizing: border-box; }
  body { font: 10.5pt/1.4 "DejaVu Sans", Helvetica, Arial, sans-serif; color: var(--ink); margin: 24px; }
  h1 { font-size: 18pt; margin: 0 0 4px; } h2 { font-size: 14pt; border-bottom: 2px solid var(--ink); padding-bottom: 2px; margin-top: 28px; }
  h3 { font-size: 11.5pt; margin: 18px 0 6px; } .muted { color: var(--muted); }
  table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; font-size: 9pt; }
  th, td { border: 1px solid var(--rule); padding: 3px 5px; text-align: left; vertical-align: top; }
  th, td, dt, dd { overflow-wrap: anywhere; white-space: pre-line; } /* a long value without spaces wraps in its cell instead of running off the page; a line break typed in a reason or term stays one */
  th { background: #f3f5f7; } td.when { white-space: nowrap; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .verdict { border: 2px solid; padding: 8px 12px; margin: 10px 0; font-weight: bold; }
  .verdict.ok { border-color: var(--good); color: var(--good); } .verdict.bad { border-color: var(--bad); color: var(--bad); }
  .voided { text-decoration: line-through; color: var(--muted); } .superseded { color: var(--bad); font-weight: bold; }
  .hash { font-family: "DejaVu Sans Mono", monospace; font-size: 8pt; word-break: break-all; }
  dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: 0 8px; margin: 0; } dl.fields dt { color: var(--muted); } dl.fields dd { margin: 0; }
  .signature { border: 1px solid var(--ink); padding: 6px 10px; margin: 6px 0; display: inline-block; min-width: 60%; }
  .km svg { max-width: 100%; height: auto; }
  @page { size: A4; margin: 14mm 12mm; }
  @media print {
    body { margin: 0; }
    .subject { break-before: page; page-break-before: always; }
    thead { display: table-header-group; }
    tr, .signature, .verdict { break-inside: avoid; page-break-inside: avoid; }
    .km { break-inside: avoid; }
  }
`;

/** The stored Merkle tree against the one recomputed from the events (null: the store keeps no tree). */
const treeRow = (tree: TreeVerification | null): Html | string =>
  tree === null
    ? ''
    : html`<tr><th>Merkle tree (RFC 9162)</th><td>${tree.ok
      ? html`intact: ${tree.size} leaves, root <span class="hash">${Buffer.from(tree.root, 'hex').toString('base64')}</span>`
      : html`DAMAGED: ${tree.fault?.message}`}</td></tr>`;

const verificationSection = (v: LedgerVerification, tree: TreeVerification | null, trustStatement: string | undefined, findings: readonly string[]): Html => html`
  <section id="verification"><h2>Ledger verification</h2>
  ${!v.ok
    ? html`<p class="verdict bad">DAMAGED at position ${v.fault?.position}: ${v.fault?.damage} — ${v.fault?.message}</p>`
    : findings.length > 0
      ? findings.map((finding) => html`<p class="verdict bad">DAMAGED: ${finding}</p>`)
      : tree !== null && !tree.ok
      ? html`<p class="verdict bad">DAMAGED: the stored Merkle tree, which proofs and signed tree heads rest on, differs from the one recomputed from the events — ${tree.fault?.message}</p>`
      : html`<p class="verdict ok">INTACT — ${v.eventsChecked} events: every hash of the chain recomputed and linked${tree ? html`, the Merkle tree recomputed` : ''}${v.checkpoints ? html`; ${v.checkpoints.matched} signed checkpoint(s) matched` : ''}.</p>`}
  <table><tbody>
    <tr><th>Store</th><td>${storeScheme(v.store)}</td></tr>
    <tr><th>Head position</th><td>${v.headPosition}</td></tr>
    <tr><th>Head hash (SHA-256 chain)</th><td class="hash">${v.headHash}</td></tr>
    <tr><th>Signed checkpoints</th><td>${v.checkpoints
      ? html`${v.checkpoints.total} read, ${v.checkpoints.matched} matched, ${v.checkpoints.forged} forged${v.checkpoints.latestMatched ? html`; latest matching at position ${v.checkpoints.latestMatched.position}, signed ${utc(v.checkpoints.latestMatched.time)}` : ''}`
      : 'none given (a truncated or recomputed tail would not be detected)'}</td></tr>
    ${treeRow(tree)}
    ${trustStatement ? html`<tr><th>Trust basis</th><td>${trustStatement}</td></tr>` : ''}
  </tbody></table></section>`;

const overviewSection = (o: StudyOverview): Html => html`
  <section id="overview"><h2>Study overview</h2>
  <table><tbody>
    <tr><th>Study</th><td>${o.studyId} — ${o.title ?? ''}</td></tr>
    <tr><th>Protocol version</th><td>${o.protocolVersion ?? '—'}${o.locked ? ' (LOCKED)' : ''}</td></tr>
    <tr><th>Enrollment</th><td>${o.enrollment.enrolled} of ${o.enrollment.target ?? '—'}${o.enrollment.percentOfTarget === null ? '' : ` (${o.enrollment.percentOfTarget} %)`}; ${o.screened} screened</td></tr>
    <tr><th>Subjects by status</th><td>${Object.entries(o.statusCounts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}</td></tr>
    <tr><th>Dosing</th><td>${o.dosing.administered} administered (${o.dosing.withinWindow} within window, ${o.dosing.outsideWindow} outside), ${o.dosing.missed} missed; compliance ${o.dosing.compliancePercent ?? '—'} %</td></tr>
    <tr><th>Protocol deviations</th><td>${o.deviations.total} (major ${o.deviations.bySeverity.major}, minor ${o.deviations.bySeverity.minor})</td></tr>
    <tr><th>Adverse events</th><td>${o.adverseEvents.total} (serious ${o.adverseEvents.serious}, CTCAE grade ≥ 3 ${o.adverseEvents.grade3OrHigher})</td></tr>
  </tbody></table>
  <table><thead><tr><th>Subject</th><th>No.</th><th>Status</th><th>Enrolled</th><th>Doses</th><th>Deviations</th></tr></thead><tbody>
  ${o.subjects.map((s) => html`<tr><td><a href="#subject-${s.subjectId}">${s.subjectId}</a></td><td class="num">${s.subjectNumber ?? '—'}</td><td>${s.status}</td><td>${s.enrollmentDate ?? '—'}</td><td class="num">${s.dosesAdministered}</td><td class="num">${s.deviations}</td></tr>`)}
  </tbody></table></section>`;

/** "85 days (95 % CI 85–NR); PFS at day 182: 50.0 % (95 % CI 0.6 %–91.0 %); …" */
const figureSentence = (analysis: PfsAnalysis): string => {
  const { median, rates } = pfsFigureTexts(analysis);
  return [median, ...rates].join('; ');
};

const pfsSection = (analysis: PfsAnalysis | null, problem: string | null): Html => html`
  <section id="pfs" class="km"><h2>Progression-free survival (Kaplan–Meier)</h2>
  ${analysis
    ? html`<p>n = ${analysis.summary.n}, events ${analysis.summary.events}, censored ${analysis.summary.censored}; median PFS ${figureSentence(analysis)}.</p>
      ${trusted(renderKmSvg(analysis).replace(/^<\?xml[^>]*>\s*/, ''))}`
    : html`<p class="muted">Not available: ${problem}</p>`}
  </section>`;

const casebookEntries = (c: SubjectCasebook): Html => html`
  <h3>Casebook entries (current values; corrections applied, voided entries struck through)</h3>
  <table><thead><tr><th>#</th><th>Entry</th><th>Values</th><th>Recorded</th><th>By</th></tr></thead><tbody>
  ${c.entries.map(
    (e) => html`<tr class="${e.voidedBy ? 'voided' : ''}"><td class="num">${e.streamVersion}</td><td>${eventTypeInWords(e.type)}${e.correctionIds.length > 0 ? ' (corrected)' : ''}${e.voidedBy ? ' (VOIDED)' : ''}</td>
      <td>${fieldsTable(redactedData({ type: e.type, data: { ...e.current.data } }))}</td><td>${utc(e.recordedAt)}</td><td>${personInWords(e.recordedBy)}</td></tr>`,
  )}</tbody></table>`;

const correctionsTable = (c: SubjectCasebook): Html =>
  c.corrections.length === 0 && c.voids.length === 0
    ? html`<h3>Corrections and voids</h3><p class="muted">None.</p>`
    : html`<h3>Corrections and voids</h3>
  <table><thead><tr><th>When</th><th>Who</th><th>Entry</th><th>Before</th><th>After</th><th>Reason</th></tr></thead><tbody>
  ${c.corrections.map((k) => html`<tr><td>${utc(k.recordedAt)}</td><td>${personInWords(k.recordedBy)}</td><td>${eventTypeInWords(k.targetType)}</td><td>${show(k.before)}</td><td>${show(k.after)}</td><td>${k.reason}</td></tr>`)}
  ${c.voids.map((v) => html`<tr><td>${utc(v.recordedAt)}</td><td>${personInWords(v.recordedBy)}</td><td>${eventTypeInWords(v.targetType)} — VOIDED</td><td>${show(v.voidedData)}</td><td>—</td><td>${v.reason}</td></tr>`)}
  </tbody></table>`;

/** Part 11 §11.50: printed name (with the unique username beside it), date and time, and meaning, on every human-readable view of a signature. */
const signatures = (c: SubjectCasebook): Html => html`<h3>Electronic signatures</h3>
  ${c.signatures.length === 0
    ? html`<p class="muted">None.</p>`
    : c.signatures.map(
        (s) => html`<div class="signature"><div><strong>${s.signedBy.fullName}</strong> (${s.signedBy.username}, ${s.signedBy.role})</div>
          <div>Signed ${utc(s.signedAt)} — meaning: <strong>${s.meaning}</strong> (${signatureMeaningInWords(s.meaning)})</div>
          <div>Covers ${signatureScopeInWords(s, eventTypeInWords)}</div>
          <div class="hash">binds SHA-256 ${s.signedHash} (through version ${s.signedThroughVersion})</div>
          ${s.status === 'superseded' ? html`<div class="superseded">SUPERSEDED: changed after signing (${s.supersededBy.join(', ')}); the signature does not cover ${s.scope === 'casebook' ? 'the current casebook' : 'the record as it now stands'}.</div>` : html`<div>Status: valid</div>`}</div>`,
      )}`;

const trailTable = (rows: readonly AuditTrailRow[]): Html => html`<h3>Audit trail</h3>
  <table><thead><tr><th>#</th><th>When (UTC)</th><th>Who</th><th>What</th><th>Details</th><th>Reason</th></tr></thead><tbody>
  ${rows.map((r) => html`<tr><td class="num">${r.position}</td><td class="when">${utc(r.recordedAt)}</td><td>${personInWords(r)}</td><td>${r.action}</td>
    <td>${r.eventType === 'EntryCorrected' ? `${show(r.before)} → ${show(r.after)}` : r.eventType === 'EntryVoided' ? `voided: ${show(r.before)}` : show(r.fields)}</td><td>${r.reason ?? ''}</td></tr>`)}
  </tbody></table>`;

/** The study's audit trail through `head` in one pass over the log, grouped by subject. */
const trailsBySubject = async (store: EventStore, studyId: string, subjectIds: ReadonlySet<string>, head: number): Promise<Map<string, AuditTrailRow[]>> => {
  const trails = new Map<string, AuditTrailRow[]>([...subjectIds].map((id) => [id, []]));
  for await (const row of auditTrail(store, { studyId })) {
    if (row.position > head) break;
    if (row.subjectId !== null) trails.get(row.subjectId)?.push(row);
  }
  return trails;
};

/**
 * The study a reader means when naming none: the first registered in this ledger, whatever its protocol
 * (a ledger need not hold the seed protocol's study); null in a ledger with no study.
 */
export const firstRegisteredStudy = async (store: EventStore): Promise<string | null> => {
  for await (const event of store.readAll({ batchSize: 500 })) {
    if (event.type === 'StudyRegistered' && event.streamId.startsWith('study-')) return event.streamId.slice('study-'.length);
  }
  return null;
};

/**
 * The printable report a regulator takes away (SPEC §6): verification result, study overview, the PFS
 * Kaplan–Meier curve, and for each subject (a new printed page each) the casebook, its corrections with
 * reasons, its signature manifestations and its full audit trail. A self-contained HTML page with
 * print CSS; open it in a browser and print, or `chromium --headless --print-to-pdf`.
 */
export const renderLedgerReport = async (store: EventStore, options: LedgerReportOptions = {}): Promise<string> => {
  const parts = await ledgerReportParts(store, options);
  return [...parts].join('');
};

/**
 * The report as the pieces it is written in: everything before the subjects, each subject's section,
 * and the closing tags. The sections are rendered one by one as they are iterated (from the state read
 * once), so a writer streams a report of any size — at a million events the whole page would exceed the
 * longest string JavaScript can hold — without keeping more than one subject's section in hand.
 */
export const ledgerReportParts = async (store: EventStore, options: LedgerReportOptions = {}): Promise<Iterable<string>> => {
  const clock = options.clock ?? systemClock;
  const generatedAt = clock.now();
  const studyId = options.studyId ?? (await firstRegisteredStudy(store));
  const verification = await verifyLedger(store, options.checkpoints && options.publicKey ? { checkpoints: options.checkpoints, publicKey: options.publicKey } : {});
  // As `verify` does: a chain that links is not enough when the tree proofs are answered from was rewritten.
  const tree = store.treeNodes ? await verifyTree(store) : null;
  const findings = options.findings ? await options.findings(verification) : [];
  // Everything below is read as of the verified head, so the report is one consistent snapshot: the
  // read models (overview, casebooks, PFS inputs) folded to it once, and the audit trail in one pass.
  const head = verification.headPosition;
  let overview: StudyOverview | null = null;
  let analysis: PfsAnalysis | null = null;
  let pfsProblem: string | null = null;
  let subjectSections: () => Iterable<Html> = () => [];
  let review: AuditTrailReview | null = null;
  let reviewProblem: string | null = null;
  if (studyId) {
    const { state } = await clinicalReadModelsAt(store, { saved: options.readModels ?? null, toPosition: head });
    overview = getStudyOverview(state, studyId) ?? notFound('STUDY.NOT_FOUND', `No study ${studyId} as of position ${head}`, { studyId });
    try {
      analysis = summarisePfs(studyPfsOf(state, studyId, { cutoff: null, asOf: { position: head, asKnownAt: null } }));
      if (analysis.summary.n === 0) pfsProblem = 'no enrolled subjects yet';
    } catch (error) {
      pfsProblem = (error as Error).message;
    }
    try {
      review = await reviewAuditTrail(store, { studyId, verification });
    } catch (error) {
      reviewProblem = (error as Error).message;
    }
    const subjectIds = overview.subjects.map((s) => s.subjectId).filter((s) => !options.subjectId || s === options.subjectId);
    // A mistyped subject must not yield a report without its casebook that reads as complete (and a success).
    if (options.subjectId !== undefined && subjectIds.length === 0) {
      notFound('SUBJECT.NOT_FOUND', `No subject ${options.subjectId} in study ${studyId} as of position ${head}`, { studyId, subjectId: options.subjectId });
    }
    const trails = await trailsBySubject(store, studyId, new Set(subjectIds), head);
    const monitoring = await replayMonitoring(store, studyId, head);
    subjectSections = function* () {
      for (const subjectId of subjectIds) {
        const casebook = getCasebook(state, studyId, subjectId) as SubjectCasebook;
        yield html`<section class="subject" id="subject-${subjectId}">
      <h2>Subject ${subjectId}${casebook.enrollment ? ` — subject number ${casebook.enrollment.subjectNumber}` : ''}</h2>
      <p>Status: <strong>${casebook.status}</strong>; enrolled ${casebook.enrollment?.enrollmentDate ?? '—'}; best overall response (RECIST 1.1) ${casebook.bestOverallResponse?.response ?? '—'}${casebook.bestOverallResponse?.confirmedOn ? ` confirmed ${casebook.bestOverallResponse.confirmedOn}` : ''}; last recorded ${utc(casebook.lastRecordedAt)}.</p>
      ${casebookEntries(casebook)}${correctionsTable(casebook)}${signatures(casebook)}${monitoringSection(monitoring, subjectId, generatedAt)}${trailTable(trails.get(subjectId) ?? [])}
    </section>`;
      }
    };
  }
  const title = overview?.title ?? studyId ?? 'trial-ledger';
  const opening = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${studyId ?? ''} — audit report</title><style>${trusted(STYLE)}</style></head>
<body>
<header><h1>${title}</h1>
<p class="muted">Audit report of study ${studyId ?? '—'} generated ${utc(generatedAt)} by trial-ledger from the ${storeScheme(verification.store)} ledger, through ledger position ${verification.headPosition}.
All times are server UTC recording times; clinical dates are as entered.</p></header>
${verificationSection(verification, tree, typeof options.trustStatement === 'function' ? options.trustStatement(verification) : options.trustStatement, findings)}
${overview ? overviewSection(overview) : html`<p class="muted">No study registered in this ledger.</p>`}
${studyId ? pfsSection(analysis, pfsProblem) : ''}
${studyId ? reviewSection(review, reviewProblem) : ''}
`;
  const sections = subjectSections;
  return {
    *[Symbol.iterator]() {
      yield opening.value;
      for (const section of sections()) yield section.value;
      yield '\n</body></html>\n';
    },
  };
};

