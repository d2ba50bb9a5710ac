import type { Command } from 'commander';
import { personInWords } from '@trial-ledger/domain';
import { CI_95, diffPfs, medianInWords, percentInWords, NOT_YET_REGISTERED, PFS_CAUSE_WORDS, type PfsCause, type PfsDiff, type PfsDiffSide, type PfsFigures, type SubjectPfsChange } from '@trial-ledger/pfs';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { printResult, terminalSafe } from '../shared/output';
import { ledgerCheckAlongside, reportDamageRead } from '../shared/ledger-damage';
import { studyOrDefault } from '../shared/default-study';
import { CliError } from '../shared/cli-errors';
import { asKnownAtOption, calendarDateOption } from '../shared/option-parsers';
import { normaliseInstant } from '@trial-ledger/projections';

export interface PfsDiffCommandOptions {
  readonly study?: string;
  readonly fromKnownAt?: string;
  readonly toKnownAt?: string;
  readonly fromPosition?: string;
  readonly toPosition?: string;
  readonly cutoff?: string;
  readonly fromCutoff?: string;
  readonly toCutoff?: string;
}

/** `--from-position N`: a whole number ≥ 0, refused as a usage error (exit 2) otherwise. */
const position = (flag: string, value: string | undefined): number | null => {
  if (value === undefined) return null;
  // Past 2^53 a number is no longer the position typed: refused, not rounded.
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new CliError(`${flag} must be a whole number ≥ 0 (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return Number(value);
};

/**
 * Options that cannot be answered together, in the words of the command line: a usage error (exit 2,
 * `PFS_DIFF.INVALID_OPTIONS`) before the store is opened, as an impossible date is — whatever the ledger
 * holds. The library refuses the same (for the API, in its field names); a side the ledger places after
 * the other (a position, an instant) can only be judged on the ledger, and stays a refusal (exit 1).
 */
const checkSides = (o: PfsDiffCommandOptions): void => {
  const refuse = (message: string): never => {
    throw new CliError(message, 2, 'PFS_DIFF.INVALID_OPTIONS');
  };
  if (o.cutoff !== undefined && (o.fromCutoff !== undefined || o.toCutoff !== undefined)) refuse('give either --cutoff for both sides or --from-cutoff/--to-cutoff, not both');
  if (o.fromKnownAt === undefined && o.fromPosition === undefined && o.fromCutoff === undefined) refuse('name the first side: --from-known-at, --from-position or --from-cutoff');
  const [from, to] = [o.fromCutoff ?? o.cutoff, o.toCutoff ?? o.cutoff];
  if (from !== undefined && to !== undefined && from > to) refuse(`--from-cutoff ${from} lies after --to-cutoff ${to}: the first data cut comes first`);
  // Two positions or two instants are in order as typed (instants compared as the instants they name).
  const [fromPosition, toPosition] = [position('--from-position', o.fromPosition), position('--to-position', o.toPosition)];
  if (fromPosition !== null && toPosition !== null && o.fromKnownAt === undefined && fromPosition > toPosition) {
    refuse(`--from-position ${fromPosition} lies after --to-position ${toPosition}: the first side comes first`);
  }
  if (o.fromKnownAt !== undefined && o.toKnownAt !== undefined && o.fromPosition === undefined && normaliseInstant(o.fromKnownAt)! > normaliseInstant(o.toKnownAt)!) {
    refuse(`--from-known-at ${o.fromKnownAt} lies after --to-known-at ${o.toKnownAt}: the first side comes first`);
  }
};

const pct = percentInWords;
const signed = (value: number): string => (value > 0 ? `+${value}` : String(value));
const median = (f: PfsFigures): string => {
  const m = medianInWords(f.median, f.n, f.curveEndsAtZero);
  return `${m.estimate} (${CI_95} ${m.lower}–${m.upper})`;
};
const show = (value: unknown): string => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));
/** A side as asked for: by knowledge instant (with the position it resolved to), else by log position (the head by default). */
const side = (s: PfsDiffSide): string =>
  `${s.asKnownAt === null ? `as recorded through log position ${s.position}` : `as known at ${s.asKnownAt} (log position ${s.position})`}; cutoff ${s.cutoff ?? 'none'}${s.studyRegistered ? '' : ` (${NOT_YET_REGISTERED}: an empty analysis)`}`;

/** One cause as a monitor reads it: kind, event, when, who, what changed and why. */
export const formatPfsCause = (c: PfsCause): string => {
  const who = personInWords(c.user);
  const lines = [`    ${PFS_CAUSE_WORDS[c.kind][0]}${c.decisive ? ' [decisive]' : ''}: ${c.eventType} ${c.eventId} #${c.position} recorded ${c.recordedAt} by ${who}${c.clinicalDate ? `, dated ${c.clinicalDate}` : ''}`];
  if (c.target) lines.push(`      ${c.kind === 'void' ? 'voided' : 'corrected'} ${c.target.eventType} ${c.target.eventId}`);
  if (c.before && c.after) lines.push(`      ${Object.keys(c.after).map((k) => `${k}: ${show(c.before?.[k])} → ${show(c.after?.[k])}`).join('; ')}`);
  if (c.reason) lines.push(`      reason: ${c.reason}`);
  // Each line escaped on its own: a line feed inside a reason cannot start a forged line.
  return lines.map((line) => terminalSafe(line)).join('\n');
};

const formatSubject = (s: SubjectPfsChange, amended: boolean): string => {
  const row = (r: SubjectPfsChange['before']) => (r ? `ADT ${r.adt} AVAL ${r.aval} CNSR ${r.cnsr} (${r.evntdesc}${r.cnsdtdsc ? `; ${r.cnsdtdsc}` : ''})` : 'not in the analysis');
  return [
    `${s.subjectId}${s.subjectNumber === null ? '' : ` (no. ${s.subjectNumber})`} ${s.change}: ${s.changedFields.join(', ')}`,
    `  before: ${row(s.before)}`,
    `  after:  ${row(s.after)}`,
    ...(s.causes.length > 0 ? s.causes.map(formatPfsCause) : ['    no event of this subject between the two sides (see study-level causes)']),
    // Events that touch nothing the row rests on did not move it: the amendment did (the verdict counts it so).
    ...(s.causes.length > 0 && amended && !s.causes.some((c) => c.decisive) ? ['    none of these touches what the row rests on: the protocol amendment moved it (see study-level causes)'] : []),
  ].join('\n');
};

/** The diff as a reviewer reads it: the verdict, the figures before → after, then each moved subject with its events. */
export const formatPfsDiff = (d: PfsDiff): string => [
  `PFS diff — ${d.studyId}`,
  `From: ${side(d.from)}`,
  `To:   ${side(d.to)}`,
  '',
  d.verdict,
  '',
  `Subjects ${d.before.n} → ${d.after.n} (${signed(d.delta.n)})   Events ${d.before.events} → ${d.after.events} (${signed(d.delta.events)})   Censored ${d.before.censored} → ${d.after.censored} (${signed(d.delta.censored)})`,
  `Median PFS: ${median(d.before)} → ${median(d.after)}`,
  ...d.after.rates.map((r) => {
    const old = d.before.rates.find((x) => x.day === r.day);
    return `PFS rate at day ${r.day}: ${pct(old?.survival ?? null)} (${CI_95} ${pct(old?.lower ?? null)}–${pct(old?.upper ?? null)}) → ${pct(r.survival)} (${CI_95} ${pct(r.lower)}–${pct(r.upper)})`;
  }),
  ...(d.studyCauses.length > 0 ? ['', 'Study-level causes:', ...d.studyCauses.map(formatPfsCause)] : []),
  ...(d.subjects.length > 0 ? ['', ...d.subjects.map((s) => formatSubject(s, d.rowRulesAmended))] : []),
].join('\n');

/**
 * `trial-ledger pfs diff --from-known-at T1 [--to-known-at T2] [--cutoff D] [--json]` (also
 * `--from-position/--to-position`, `--from-cutoff/--to-cutoff`): endpoint provenance, a subcommand of `pfs`.
 */
export const registerPfsDiff = (program: Command): void => {
  const pfs = program.commands.find((c) => c.name() === 'pfs');
  if (!pfs) throw new Error('the pfs command must be registered before pfs diff');
  pfs
    .command('diff')
    .description('Endpoint provenance: which subjects moved between two PFS analyses (knowledge times, positions or data cuts), and the recorded events that moved them')
    .option('--study <studyId>', 'study id (default: the first registered)')
    .option('--from-known-at <instant>', 'first analysis: as the ledger knew it at this recording instant (a bare date means the end of that UTC day)', asKnownAtOption('--from-known-at'))
    .option('--to-known-at <instant>', 'second analysis: as known at this instant (default: now; a bare date means the end of that UTC day)', asKnownAtOption('--to-known-at'))
    .option('--from-position <n>', 'first analysis: through this log position')
    .option('--to-position <n>', 'second analysis: through this log position (default: the head)')
    .option('--cutoff <date>', 'one clinical data cutoff for both analyses, YYYY-MM-DD')
    .option('--from-cutoff <date>', 'data cutoff of the first analysis (two data cuts)', calendarDateOption('--from-cutoff', 'PFS_DIFF.INVALID_OPTIONS'))
    .option('--to-cutoff <date>', 'data cutoff of the second analysis', calendarDateOption('--to-cutoff', 'PFS_DIFF.INVALID_OPTIONS'))
    .action(async (_local: PfsDiffCommandOptions, command: Command) => {
      const options = globalOptions(command);
      // Options placed after `diff` that `pfs` also knows (--study, --cutoff) are parsed by `pfs`: read both levels.
      const opts = command.optsWithGlobals<PfsDiffCommandOptions & { asKnownAt?: string; plot?: string }>();
      if (opts.asKnownAt !== undefined || opts.plot !== undefined) {
        throw new CliError('pfs diff takes --from-known-at/--to-known-at and no --plot', 2, 'CLI.INVALID_OPTION');
      }
      checkSides(opts);
      const fromPosition = position('--from-position', opts.fromPosition);
      const toPosition = position('--to-position', opts.toPosition);
      const { diff, fault } = await withExistingStore(options, async (store) => {
        const damage = ledgerCheckAlongside(store, options);
        return {
          diff: await diffPfs(store, await studyOrDefault(store, opts.study), {
            fromKnownAt: opts.fromKnownAt ?? null,
            toKnownAt: opts.toKnownAt ?? null,
            fromPosition,
            toPosition,
            cutoff: opts.cutoff ?? null,
            fromCutoff: opts.fromCutoff ?? null,
            toCutoff: opts.toCutoff ?? null,
          }),
          fault: await damage,
        };
      });
      printResult(options.json, diff, () => formatPfsDiff(diff));
      reportDamageRead(fault, diff.to.position);
    });
};
