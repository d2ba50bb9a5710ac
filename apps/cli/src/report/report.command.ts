import type { Command } from 'commander';
import { once } from 'node:events';
import { ledgerReportParts } from '@trial-ledger/audit';
import { assertOutputAllowed, withOutput } from '../export/output-target';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { recordCliExport } from '../shared/record-export';
import { printResult } from '../shared/output';
import { outputPolicy } from '../shared/output-policy';
import { outputFileOption } from '../shared/option-parsers';
import { withSavedReadModels } from '../shared/saved-read-models';
import { checkedTrust, checkpointSource, ledgerIdentity, describeRewritten, describeWithdrawn, rewrittenSinceConfirmed, withdrawnCheckpoints, type VerifyCommandOptions } from '../verify/verify.command';

interface ReportOptions extends VerifyCommandOptions {
  readonly out?: string;
  readonly force?: boolean;
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
    .option('--out <file>', 'output HTML file (default: stdout)', outputFileOption('--out'))
    .option('--force', 'replace an existing output file (never one of the ledger\'s own files)')
    .option('--study <studyId>', 'study (default: the first registered)')
    .option('--subject <subjectId>', 'only this subject\'s casebook')
    .option('--checkpoints <file>', 'signed checkpoints to verify against (default: the server\'s file beside the store, if any)')
    .option('--public-key <file>', 'the ledger public key you trust (PEM)')
    .action(async (opts: ReportOptions, command: Command) => {
      const options = globalOptions(command);
      const policy = outputPolicy(options, opts.force);
      if (opts.out && opts.out !== '-') await assertOutputAllowed(opts.out, policy);
      // The pin made for this ledger at another path holds a copy here to what was confirmed there.
      const source = checkpointSource(options.store, opts, options.keyDir, await withExistingStore(options, ledgerIdentity));
      const parts = await withExistingStore(options, async (store) => {
        const throughPosition = (await store.head()).position;
        const rendered = await withSavedReadModels(options, (readModels) =>
          ledgerReportParts(store, {
            ...(opts.study ? { studyId: opts.study } : {}),
            ...(opts.subject ? { subjectId: opts.subject } : {}),
            ...(source.publicKey && source.checkpoints.length > 0 ? { checkpoints: source.checkpoints, publicKey: source.publicKey } : {}),
            trustStatement: (verification) => checkedTrust(source.trust, verification.checkpoints).statement,
            // As `verify` judges a ledger under a pinned key: checkpoints it confirmed must still be there, and the log unchanged at them.
            findings: async (verification) => [
              ...describeWithdrawn(withdrawnCheckpoints(verification.checkpoints?.latestMatched?.position ?? null, source), source),
              ...describeRewritten(await rewrittenSinceConfirmed(store, source)),
            ],
            readModels,
          }),
        );
        // The report is an export (to a file or stdout): recorded once everything it reports is read, before a byte of it is written.
        const filter: Record<string, string> = opts.subject ? { subject: opts.subject } : {};
        await recordCliExport(options, store, { kind: 'report', format: 'html', studyId: opts.study ?? null, filter, throughPosition });
        return rendered;
      });
      // Written section by section (a subject at a time), with backpressure: the page is never one string.
      let bytes = 0;
      await withOutput(opts.out, policy, async (target) => {
        for (const part of parts) {
          bytes += Buffer.byteLength(part);
          if (!target.stream.write(part)) await once(target.stream, 'drain');
        }
      });
      if (opts.out && opts.out !== '-') printResult(options.json, { file: opts.out, bytes }, () => `Report written to ${opts.out}.`);
    });
};
