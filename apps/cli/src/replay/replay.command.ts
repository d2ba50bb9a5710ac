import type { Command } from 'commander';
import { aeOutcomeInWords, notFound, personInWords, signatureMeaningInWords, signatureScopeInWords } from '@trial-ledger/domain';
import { systemClock, type EventStore } from '@trial-ledger/event-store';
import {
  clinicalReadModelsAt,
  getStudyOverview,
  recistIssueInWords,
  replayStudyOverview,
  replaySubject,
  withCasebookMonitoring,
  type ResolvedAsOf,
  type StudyOverview,
  type SubjectCasebook,
} from '@trial-ledger/projections';
import { globalOptions, withExistingStore, type GlobalOptions } from '../shared/cli-context';
import { studyOrDefault } from '../shared/default-study';
import { CliError } from '../shared/cli-errors';
import { printResult, terminalSafe } from '../shared/output';
import { ledgerCheckAlongside, reportDamageRead } from '../shared/ledger-damage';
import { asKnownAtOption } from '../shared/option-parsers';
import { withSavedReadModels } from '../shared/saved-read-models';

export interface ReplayCommandOptions {
  readonly subject?: string;
  readonly study?: string;
  readonly asKnownAt?: string;
  readonly position?: string;
}

/** `--position N`: a whole number ≥ 0, refused as a usage error otherwise. */
export const parsePosition = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined;
  // Past 2^53 a number is no longer the position typed: refused, not rounded.
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new CliError(`--position must be a whole number ≥ 0 (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return Number(value);
};

/**
 * What the replay was bound to, in words: `--position N` alone is "as of position N" (it says nothing of
 * now), and names the log position it was read through when N lies inside a command's append (an
 * enrollment and its roster entry are read together); `--as-known-at` names its instant and the position
 * it resolved to; with neither, the head.
 */
const asOfLine = (asOf: ResolvedAsOf, requestedPosition: number | null): string => {
  if (asOf.asKnownAt === null && requestedPosition === null) return `as known now, through log position ${asOf.position}`;
  if (asOf.asKnownAt === null) {
    return asOf.position === requestedPosition ? `as of position ${requestedPosition}` : `as of position ${requestedPosition}, through log position ${asOf.position} (the end of its command)`;
  }
  const position = requestedPosition === null ? '' : ` and as of position ${requestedPosition}`;
  return `as known at ${asOf.asKnownAt}${position}, through log position ${asOf.position}`;
};

const by = (entry: { recordedBy: { fullName: string; username: string; role: string }; recordedAt: string }): string =>
  `${personInWords(entry.recordedBy)} ${entry.recordedAt}`;

/** The casebook as a monitor reads it: facts, then the audit of corrections, voids and signatures. */
export const formatCasebook = (c: SubjectCasebook, asOf: ResolvedAsOf, requestedPosition: number | null = null): string => {
  const lines = [`Subject ${c.subjectId} — study ${c.studyId} — ${asOfLine(asOf, requestedPosition)}`, `Status: ${c.status}`];
  if (c.screening) lines.push(`Screened ${c.screening.screeningDate} (consent ${c.screening.consentDate})`);
  if (c.eligibility) lines.push(c.eligibility.confirmed ? `Eligible (${c.eligibility.assessmentDate})` : `Screen failure (${c.eligibility.assessmentDate}): ${c.eligibility.failedCriteria.join(', ')}`);
  if (c.enrollment) lines.push(`Enrolled ${c.enrollment.enrollmentDate} as subject number ${c.enrollment.subjectNumber}`);
  if (c.doses.length > 0 || c.missedDoses.length > 0) {
    lines.push('', 'Doses:');
    for (const d of c.doses) {
      lines.push(`  cycle ${d.cycle}: ${d.administeredOn} ${d.doseMg} mg ${d.route} lot ${d.lotNumber}${d.window ? ` (window ${d.window.from}…${d.window.to}${d.withinWindow ? '' : ', OFF-WINDOW'})` : ''}${d.corrected ? ' [corrected]' : ''}`);
    }
    for (const m of c.missedDoses) lines.push(`  cycle ${m.cycle}: MISSED (due ${m.dueOn}) — ${m.reason}`);
  }
  if (c.nextDose) lines.push(`Next dose: cycle ${c.nextDose.cycle} due ${c.nextDose.dueOn} (window ${c.nextDose.windowFrom}…${c.nextDose.windowTo})`);
  if (c.assessments.length > 0) {
    lines.push('', 'Tumour assessments (RECIST 1.1):');
    for (const a of c.assessments) {
      const response = a.baseline ? 'baseline' : `${a.overallResponse ?? '—'} (target ${a.targetResponse ?? '—'})`;
      lines.push(`  ${a.assessmentDate} ${a.modality} SOD ${a.sumOfDiametersMm ?? 'NE'} mm: ${response}${a.corrected ? ' [corrected]' : ''}`);
    }
    if (c.bestOverallResponse) lines.push(`  Best overall response: ${c.bestOverallResponse.response}`);
    const recistIssue = recistIssueInWords(c);
    if (recistIssue) lines.push(`  ${recistIssue}`);
  }
  for (const p of c.clinicalProgressions) lines.push(`Clinical progression ${p.progressionDate}: ${p.basis}`);
  for (const t of c.newAnticancerTherapies) lines.push(`New anticancer therapy ${t.startDate}: ${t.therapy}`);
  if (c.adverseEvents.length > 0) {
    lines.push('', 'Adverse events:');
    for (const a of c.adverseEvents) {
      const outcome = a.outcome === null ? 'outcome not recorded' : `${aeOutcomeInWords(a.outcome)}${a.endDate ? ` ${a.endDate}` : ''}`;
      lines.push(`  ${a.onsetDate} ${a.term} grade ${a.ctcaeGrade}${a.serious ? ' SERIOUS' : ''} (${a.relatedness}); ${outcome}`);
    }
  }
  if (c.deviations.length > 0) {
    lines.push('', 'Protocol deviations:');
    for (const d of c.deviations) lines.push(`  ${d.deviationDate} ${d.severity} ${d.category} (${d.source}): ${d.description}`);
  }
  if (c.treatmentDiscontinuation) lines.push(`Treatment discontinued ${c.treatmentDiscontinuation.discontinuationDate}: ${c.treatmentDiscontinuation.reason}`);
  if (c.withdrawal) lines.push(`Withdrawn ${c.withdrawal.withdrawalDate}: ${c.withdrawal.reason}`);
  if (c.death) lines.push(`Died ${c.death.deathDate}: ${c.death.cause}`);
  if (c.corrections.length > 0) {
    lines.push('', 'Corrections:');
    for (const k of c.corrections) {
      lines.push(`  ${k.targetType} ${k.targetEventId}: ${JSON.stringify(k.before)} → ${JSON.stringify(k.after)} — "${k.reason}" by ${by(k)}`);
    }
  }
  if (c.voids.length > 0) {
    lines.push('', 'Voided entries:');
    for (const v of c.voids) lines.push(`  ${v.targetType} ${v.targetEventId} — "${v.reason}" by ${by(v)}`);
  }
  if (c.signatures.length > 0) {
    lines.push('', 'Signatures:');
    for (const s of c.signatures) {
      lines.push(`  ${personInWords(s.signedBy)} ${s.signedAt} — ${signatureMeaningInWords(s.meaning)} — electronic signature ${s.eventId} covering ${signatureScopeInWords(s)}${s.status === 'superseded' ? ` [SUPERSEDED by ${s.supersededBy.join(', ')}]` : ''}`);
    }
  }
  // Each line escaped on its own: a line feed inside a reason or another free text cannot start a forged line.
  return lines.map((line) => terminalSafe(line)).join('\n');
};

export const formatOverview = (o: StudyOverview, asOf: ResolvedAsOf, requestedPosition: number | null = null): string =>
  [
    `Study ${o.studyId}${o.title ? ` — ${o.title}` : ''} — ${asOfLine(asOf, requestedPosition)}`,
    `Protocol version ${o.protocolVersion ?? '—'}${o.locked ? ', LOCKED' : ''}`,
    `Enrollment: ${o.enrollment.enrolled} of ${o.enrollment.target ?? '—'} (${o.enrollment.percentOfTarget ?? '—'} %); screened ${o.screened}`,
    `Status: ${Object.entries(o.statusCounts).filter(([, n]) => n > 0).map(([s, n]) => `${s} ${n}`).join(', ') || 'none'}`,
    `Dosing: ${o.dosing.administered} given (${o.dosing.withinWindow} in window, ${o.dosing.outsideWindow} off-window), ${o.dosing.missed} missed; compliance ${o.dosing.compliancePercent ?? '—'} %`,
    `Deviations: ${o.deviations.total} (major ${o.deviations.bySeverity.major}, minor ${o.deviations.bySeverity.minor})`,
    ...o.deviations.byCategory.map((d) => `  ${d.category}: ${d.total} (major ${d.major}, minor ${d.minor})`),
    `Adverse events: ${o.adverseEvents.total} (serious ${o.adverseEvents.serious}, grade ≥ 3 ${o.adverseEvents.grade3OrHigher})`,
    `Open queries: ${o.openQueries}`,
  ].join('\n');

/** The overview at the head, from the saved read models plus the events after their checkpoint. */
const currentOverview = async (store: EventStore, options: Pick<GlobalOptions, 'store' | 'keyDir'>, studyId: string): Promise<{ asOf: ResolvedAsOf; overview: StudyOverview }> => {
  const { state, position } = await withSavedReadModels(options, (saved) => clinicalReadModelsAt(store, { saved }));
  const overview = getStudyOverview(state, studyId) ?? notFound('STUDY.NOT_FOUND', `No study ${studyId} as of position ${position}`, { studyId });
  return { asOf: { position, asKnownAt: null }, overview };
};

/**
 * `trial-ledger replay --subject S [--study ID] [--as-known-at INSTANT] [--position N] [--json]`:
 * the casebook as the ledger knew it then (without `--subject`, the study overview).
 */
export const registerReplay = (program: Command): void => {
  program
    .command('replay')
    .description('Replay a subject casebook (or, without --subject, the study overview) as the ledger knew it at an instant or log position')
    .option('--subject <subjectId>', 'the subject to replay')
    .option('--study <studyId>', 'study id (default: the first registered)')
    .option('--as-known-at <instant>', 'recording instant, ISO 8601 with zone (a bare date means the end of that UTC day)', asKnownAtOption('--as-known-at'))
    .option('--position <n>', 'global log position to replay to')
    .action(async (opts: ReplayCommandOptions, command: Command) => {
      const options = globalOptions(command);
      const asOf = { asKnownAt: opts.asKnownAt ?? null, toPosition: parsePosition(opts.position) ?? null };
      await withExistingStore(options, async (store) => {
        const studyId = await studyOrDefault(store, opts.study);
        const damage = ledgerCheckAlongside(store, options);
        if (opts.subject) {
          // With each entry's queries and SDV state, joined as the API's casebook joins them.
          const replayed = await withCasebookMonitoring(store, await replaySubject(store, studyId, opts.subject, asOf), { asKnownAt: asOf.asKnownAt, position: asOf.toPosition }, systemClock.now());
          printResult(options.json, replayed, () => formatCasebook(replayed.casebook, replayed.asOf, asOf.toPosition));
          reportDamageRead(await damage, replayed.asOf.position);
        } else {
          const replayed = asOf.asKnownAt === null && asOf.toPosition === null ? await currentOverview(store, options, studyId) : await replayStudyOverview(store, studyId, asOf);
          printResult(options.json, replayed, () => formatOverview(replayed.overview, replayed.asOf, asOf.toPosition));
          reportDamageRead(await damage, replayed.asOf.position);
        }
      });
    });
};
