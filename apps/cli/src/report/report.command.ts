import type { Command } from 'commander';
import { renderLedgerReport } from '@trial-ledger/audit';
import { openOutput } from '../export/output-target';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { printResult } from '../shared/output';
import { withSavedReadModels } from '../shared/saved-read-models';
import { checkpointSource, type VerifyCommandOptions } from '../verify/verify.command';

interface ReportOptions extends VerifyCommandOptions {
  readonly out?: string;
  readonly study?: string;
  readonly subject?: string;
}

/**
 * `trial-ledger report [--study ID] [--subject S] [--out FILE.html]`: the printable HTML report
 * (verification result, study overview, KM curve, each subject's casebook with its audit trail,
 * corrections and signature manifestations), one printed page per subject.
 */
export const registerReport = (program: Command): void => {
  program
    .command('report')
    .description('Printable HTML report: verification, study overview, KM curve, casebooks with audit trail, corrections and e-signatures')
    .option('--out <file>', 'output HTML file (default: stdout)')
    .option('--study <studyId>', 'study (default: the first registered)')
    .option('--subject <subjectId>', 'only this subject\'s casebook')
    .option('--checkpoints <file>', 'signed checkpoints to verify against (default: the server\'s file beside the store, if any)')
    .option('--public-key <file>', 'the ledger public key you trust (PEM)')
    .action(async (opts: ReportOptions, command: Command) => {
      const options = globalOptions(command);
      const source = checkpointSource(options.store, opts);
      const page = await withExistingStore(options, (store) =>
        withSavedReadModels(options.store, (readModels) =>
          renderLedgerReport(store, {
            ...(opts.study ? { studyId: opts.study } : {}),
            ...(opts.subject ? { subjectId: opts.subject } : {}),
            ...(source.publicKey && source.checkpoints.length > 0 ? { checkpoints: source.checkpoints, publicKey: source.publicKey } : {}),
            readModels,
          }),
        ),
      );
      const target = await openOutput(opts.out);
      target.stream.write(page);
      await target.close();
      if (!target.toStdout) printResult(options.json, { file: target.file, bytes: Buffer.byteLength(page) }, () => `Report written to ${target.file}.`);
    });
};
