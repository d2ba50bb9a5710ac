import { counted } from '@trial-ledger/domain';
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import { adtteCsv, adtteDefineMarkdown, loadStudyPfs } from '@trial-ledger/pfs';
import { exportGroup } from '../export/export-group';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { studyOrDefault } from '../shared/default-study';
import { recordCliExport, trustSentence } from '../shared/record-export';
import { assertDistinctOutputs, assertOutputAllowed, writeOutputFile } from '../export/output-target';
import { printResult } from '../shared/output';
import { asKnownAtOption, calendarDateOption, outputFileOption } from '../shared/option-parsers';
import { outputPolicy } from '../shared/output-policy';
import { withSavedReadModels } from '../shared/saved-read-models';

export interface ExportAdtteOptions {
  readonly out?: string;
  readonly define?: string;
  readonly force?: boolean;
  readonly study?: string;
  readonly cutoff?: string;
  readonly asKnownAt?: string;
}

/** `adtte.csv` → `adtte.define.md`, beside it. */
export const defineFileFor = (csvFile: string): string => join(dirname(csvFile), `${basename(csvFile, extname(csvFile))}.define.md`);

/**
 * `trial-ledger export adtte [--out FILE] [--study ID] [--cutoff DATE] [--as-known-at INSTANT]`: ADaM
 * ADTTE for PFS as CSV, with its data dictionary (columns and censoring codes) written beside it.
 */
export const registerExportAdtte = (program: Command): void => {
  exportGroup(program)
    .command('adtte')
    .description('ADaM ADTTE (PARAMCD=PFS) as CSV, with a data dictionary (FILE.define.md) beside it')
    .option('--out <file>', 'output CSV file (default: stdout, and no dictionary unless --define)', outputFileOption('--out'))
    .option('--define <file>', 'data dictionary file (default: beside --out, NAME.define.md)', outputFileOption('--define'))
    .option('--force', 'replace existing output files (never one of the ledger\'s own files)')
    .option('--study <studyId>', 'study id (default: the first registered)')
    .option('--cutoff <date>', 'clinical data cutoff, YYYY-MM-DD', calendarDateOption('--cutoff', 'PFS.INVALID_CUTOFF'))
    .option('--as-known-at <instant>', 'the dataset as the ledger knew it at this recording instant (a bare date means the end of that UTC day)', asKnownAtOption('--as-known-at'))
    .action(async (opts: ExportAdtteOptions, command: Command) => {
      const options = globalOptions(command);
      const policy = outputPolicy(options, opts.force);
      const toStdout = !opts.out || opts.out === '-';
      const defineFile = opts.define ?? (opts.out && !toStdout ? defineFileFor(opts.out) : null);
      // Both destinations are checked before anything is computed or written, so a refusal leaves neither behind.
      for (const file of [toStdout ? null : opts.out, defineFile]) if (file) await assertOutputAllowed(file, policy);
      if (!toStdout && opts.out && defineFile) await assertDistinctOutputs(opts.out, defineFile);
      const pfs = await withExistingStore(options, async (store) => {
        const studyId = await studyOrDefault(store, opts.study);
        const loaded = await withSavedReadModels(options, (readModels) =>
          loadStudyPfs(store, studyId, { cutoff: opts.cutoff ?? null, asKnownAt: opts.asKnownAt ?? null, readModels }),
        );
        // Recorded once the dataset is known to exist and before a byte of it is written.
        const filter = Object.fromEntries(Object.entries({ cutoff: opts.cutoff, asKnownAt: opts.asKnownAt }).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
        const { trust } = await recordCliExport(options, store, { kind: 'adtte', format: 'csv', studyId, filter, throughPosition: loaded.asOf.position });
        return { ...loaded, trust };
      });
      const csv = adtteCsv(pfs);
      if (toStdout) {
        if (defineFile) await writeOutputFile(defineFile, adtteDefineMarkdown(pfs, 'stdout'), policy);
        process.stdout.write(csv);
        process.stderr.write(`ADTTE: ${counted(pfs.subjects.length, 'subject')}${defineFile ? `; data dictionary → ${defineFile}` : ''}.${trustSentence(pfs.trust)}\n`);
        return;
      }
      await writeOutputFile(opts.out, csv, policy);
      if (defineFile) await writeOutputFile(defineFile, adtteDefineMarkdown(pfs, basename(opts.out as string)), policy);
      const summary = { rows: pfs.subjects.length, file: opts.out, define: defineFile, position: pfs.asOf.position, trust: pfs.trust };
      printResult(options.json, summary, () => `ADTTE: ${counted(pfs.subjects.length, 'subject')} → ${opts.out}; data dictionary → ${defineFile}.${trustSentence(pfs.trust)}`);
    });
};
