import type { Command } from 'commander';
import { CI_95, curveEndsAtZero, medianInWords, percentInWords, renderKmSvg, summarisePfs, loadStudyPfs, type PfsAnalysis } from '@trial-ledger/pfs';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { assertOutputAllowed, writeOutputFile } from '../export/output-target';
import { studyOrDefault } from '../shared/default-study';
import { CliError } from '../shared/cli-errors';
import { asKnownAtOption, calendarDateOption, outputFileOption } from '../shared/option-parsers';
import { printResult } from '../shared/output';
import { ledgerCheckAlongside, reportDamageRead } from '../shared/ledger-damage';
import { outputPolicy } from '../shared/output-policy';
import { withSavedReadModels } from '../shared/saved-read-models';

export interface PfsCommandOptions {
  readonly study?: string;
  readonly cutoff?: string;
  readonly asKnownAt?: string;
  readonly plot?: string;
  readonly force?: boolean;
}

const pct = percentInWords;

/** The analysis as a reviewer reads it: the headline figures, then one row per subject. */
export const formatPfs = (a: PfsAnalysis, position: number): string => {
  const median = medianInWords(a.median, a.summary.n, curveEndsAtZero(a.km));
  const lines = [
    `Progression-free survival — ${a.studyId}`,
    `Horizon ${a.horizonDays} days; cutoff ${a.cutoff ?? 'none'}; ${a.asKnownAt === null ? 'as known now' : `as known at ${a.asKnownAt}`} (log position ${position})`,
    '',
    `Subjects ${a.summary.n}   Events ${a.summary.events}   Censored ${a.summary.censored}`,
    `Median PFS: ${median.estimate} (${CI_95} ${median.lower}–${median.upper})`,
    ...a.rates.map((r) => `PFS rate at day ${r.day}: ${pct(r.survival)} (${CI_95} ${pct(r.lower)}–${pct(r.upper)})`),
    '',
    `${'Subject'.padEnd(10)}${'Start'.padEnd(12)}${'ADT'.padEnd(12)}${'AVAL'.padStart(5)}  CNSR  Reason`,
    ...a.subjects.map((s) => `${s.subjectId.padEnd(10)}${s.startDate.padEnd(12)}${s.adt.padEnd(12)}${String(s.aval).padStart(5)}  ${String(s.cnsr).padStart(4)}  ${s.reason}`),
  ];
  return lines.join('\n');
};

/**
 * `trial-ledger pfs [--study ID] [--cutoff DATE] [--as-known-at INSTANT] [--json] [--plot FILE.svg]`:
 * the primary endpoint (SPEC §3); `--json` prints exactly the document of SPEC appendix B.
 */
export const registerPfs = (program: Command): void => {
  program
    .command('pfs')
    .description('Progression-free survival: per-subject ADTTE rows, Kaplan–Meier with log-log 95 % CI, median and landmark rates')
    .option('--study <studyId>', 'study id (default: the first registered)')
    .option('--cutoff <date>', 'clinical data cutoff, YYYY-MM-DD', calendarDateOption('--cutoff', 'PFS.INVALID_CUTOFF'))
    .option('--as-known-at <instant>', 'the analysis as the ledger knew it at this recording instant (a bare date means the end of that UTC day)', asKnownAtOption('--as-known-at'))
    .option('--plot <file>', 'also write the Kaplan–Meier curve as SVG', outputFileOption('--plot'))
    .option('--force', 'replace an existing --plot file (never one of the ledger\'s own files)')
    .action(async (opts: PfsCommandOptions, command: Command) => {
      const options = globalOptions(command);
      const policy = outputPolicy(options, opts.force);
      // Refused before the analysis runs, so a bad --plot path costs nothing and writes nothing.
      if (opts.plot === '-') throw new CliError('--plot needs a file name: stdout carries the analysis itself', 2, 'CLI.INVALID_OPTION');
      if (opts.plot) await assertOutputAllowed(opts.plot, policy);
      const { pfs, fault } = await withExistingStore(options, async (store) => {
        const studyId = await studyOrDefault(store, opts.study);
        const damage = ledgerCheckAlongside(store, options);
        const loaded = await withSavedReadModels(options, (readModels) => loadStudyPfs(store, studyId, { cutoff: opts.cutoff ?? null, asKnownAt: opts.asKnownAt ?? null, readModels }));
        return { pfs: loaded, fault: await damage };
      });
      const analysis = summarisePfs(pfs);
      if (opts.plot) await writeOutputFile(opts.plot, renderKmSvg(analysis), policy);
      printResult(options.json, analysis, () => `${formatPfs(analysis, pfs.asOf.position)}${opts.plot ? `\n\nKaplan–Meier curve → ${opts.plot}` : ''}`);
      reportDamageRead(fault, pfs.asOf.position);
    });
};
