import { mkdir, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { Command } from 'commander';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import { adtteCsv, adtteDefineMarkdown, loadStudyPfs } from '@trial-ledger/pfs';
import { exportGroup } from '../export/export-group';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { printResult } from '../shared/output';
import { calendarDateOption, dateOrInstantOption } from '../shared/option-parsers';

export interface ExportAdtteOptions {
  readonly out?: string;
  readonly define?: string;
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
    .option('--out <file>', 'output CSV file (default: stdout, and no dictionary unless --define)')
    .option('--define <file>', 'data dictionary file (default: beside --out, NAME.define.md)')
    .option('--study <studyId>', "study id (default: the seed protocol's)")
    .option('--cutoff <date>', 'clinical data cutoff, YYYY-MM-DD', calendarDateOption('--cutoff', 'PFS.INVALID_CUTOFF'))
    .option('--as-known-at <instant>', 'the dataset as the ledger knew it at this recording instant', dateOrInstantOption('--as-known-at', 'REPLAY.INVALID_AS_KNOWN_AT'))
    .action(async (opts: ExportAdtteOptions, command: Command) => {
      const options = globalOptions(command);
      const studyId = opts.study ?? loadDefaultProtocol().studyId;
      const pfs = await withExistingStore(options, (store) => loadStudyPfs(store, studyId, { cutoff: opts.cutoff ?? null, asKnownAt: opts.asKnownAt ?? null }));
      const csv = adtteCsv(pfs);
      const defineFile = opts.define ?? (opts.out && opts.out !== '-' ? defineFileFor(opts.out) : null);
      if (defineFile) {
        await mkdir(dirname(defineFile), { recursive: true });
        await writeFile(defineFile, adtteDefineMarkdown(pfs, opts.out ? basename(opts.out) : 'stdout'), 'utf8');
      }
      if (!opts.out || opts.out === '-') {
        process.stdout.write(csv);
        process.stderr.write(`ADTTE: ${pfs.subjects.length} subjects${defineFile ? `; data dictionary → ${defineFile}` : ''}.\n`);
        return;
      }
      await mkdir(dirname(opts.out), { recursive: true });
      await writeFile(opts.out, csv, 'utf8');
      const summary = { rows: pfs.subjects.length, file: opts.out, define: defineFile, position: pfs.asOf.position };
      printResult(options.json, summary, () => `ADTTE: ${pfs.subjects.length} subjects → ${opts.out}; data dictionary → ${defineFile}.`);
    });
};
