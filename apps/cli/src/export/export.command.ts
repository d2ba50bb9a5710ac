import type { Command } from 'commander';
import { auditTrail, exportOdm, writeAuditTrail, type AuditTrailFormat } from '@trial-ledger/audit';
import { trailFilter, withTrailFilters, type AuditTrailFilterOptions } from '../audit-trail/audit-trail-filter.options';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { printResult } from '../shared/output';
import { startProgress } from '../shared/progress';
import { exportGroup } from './export-group';
import { openOutput } from './output-target';

const parseFormat = (value: string): AuditTrailFormat => {
  if (value !== 'csv' && value !== 'json') throw new CliError(`--format must be csv or json (got ${value})`, 2, 'CLI.INVALID_OPTION');
  return value;
};

/** A one-line summary on stderr when the export itself went to stdout, else on stdout. */
const summarise = (toStdout: boolean, json: boolean | undefined, value: unknown, human: () => string): void => {
  if (toStdout) process.stderr.write(`${human()}\n`);
  else printResult(json, value, human);
};

/** `trial-ledger export odm [--out FILE] [--study ID]` and `export audit-trail --format csv|json [--out FILE]` (SPEC §6). */
export const registerExport = (program: Command): void => {
  const group = exportGroup(program);

  group
    .command('odm')
    .description('CDISC ODM 1.3.2 transactional XML with AuditRecords, corrections (Update), voids (Remove) and Signatures')
    .option('--out <file>', 'output file (default: stdout)')
    .option('--study <studyId>', 'only this study')
    .action(async (opts: { out?: string; study?: string }, command: Command) => {
      const options = globalOptions(command);
      const target = await openOutput(opts.out);
      const progress = startProgress('ODM export', 1);
      try {
        const summary = await withExistingStore(options, (store) =>
          exportOdm(store, target.stream, { ...(opts.study ? { studyId: opts.study } : {}), onSubject: (done, total) => progress.update(done, total) }),
        );
        progress.stop();
        await target.close();
        summarise(target.toStdout, options.json, { ...summary, file: target.file }, () =>
          `ODM 1.3.2 export ${summary.fileOid}: ${summary.subjects} subjects, ${summary.transactions} transactions, ${summary.signatures} signatures, through position ${summary.headPosition}${target.file ? ` → ${target.file}` : ''}.`,
        );
      } finally {
        progress.stop();
        await target.close();
      }
    });

  withTrailFilters(
    group
      .command('audit-trail')
      .description('The audit trail as CSV or JSON, streamed (bounded memory for any size)')
      .requiredOption('--format <format>', 'csv or json', parseFormat)
      .option('--out <file>', 'output file (default: stdout)'),
  ).action(async (opts: AuditTrailFilterOptions & { format: AuditTrailFormat; out?: string }, command: Command) => {
    const options = globalOptions(command);
    const target = await openOutput(opts.out);
    try {
      const count = await withExistingStore(options, async (store) => {
        const head = await store.head();
        const progress = startProgress('Audit trail', head.position);
        try {
          return await writeAuditTrail(auditTrail(store, trailFilter(opts)), target.stream, opts.format, (n) => n % 1000 === 0 && progress.update(n), !target.toStdout);
        } finally {
          progress.stop();
        }
      });
      await target.close();
      summarise(target.toStdout, options.json, { rows: count, format: opts.format, file: target.file }, () =>
        `Audit trail: ${count} rows as ${opts.format.toUpperCase()}${target.file ? ` → ${target.file}` : ''}.`,
      );
    } finally {
      await target.close();
    }
  });
};
