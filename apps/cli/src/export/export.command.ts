import type { Command } from 'commander';
import { assertTrailScopeKnown, auditTrail, exportOdm, writeAuditTrail, type AuditTrailFormat } from '@trial-ledger/audit';
import { counted, notFound, studyStreamId } from '@trial-ledger/domain';
import { recordCliExport, trustSentence } from '../shared/record-export';
import { trailFilter, withTrailFilters, type AuditTrailFilterOptions } from '../audit-trail/audit-trail-filter.options';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { printResult } from '../shared/output';
import { startProgress } from '../shared/progress';
import { exportGroup } from './export-group';
import { outputPolicy } from '../shared/output-policy';
import { withOutput } from './output-target';
import { outputFileOption } from '../shared/option-parsers';

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
    .option('--out <file>', 'output file (default: stdout)', outputFileOption('--out'))
    .option('--force', 'replace an existing output file (never one of the ledger\'s own files)')
    .option('--study <studyId>', 'only this study')
    .action(async (opts: { out?: string; force?: boolean; study?: string }, command: Command) => {
      const options = globalOptions(command);
      const progress = startProgress('ODM export', 1);
      try {
        const { summary, file, toStdout } = await withOutput(opts.out, outputPolicy(options, opts.force), async (target) => ({
          summary: await withExistingStore(options, async (store) => {
            // A mistyped study is refused before the export is recorded; the record comes before the first byte.
            if (opts.study && (await store.streamVersion(studyStreamId(opts.study))) === 0) notFound('STUDY.NOT_FOUND', `No study ${opts.study} in the ledger`, { studyId: opts.study });
            const { throughPosition, trust } = await recordCliExport(options, store, { kind: 'odm', format: 'xml', studyId: opts.study ?? null, filter: {} });
            return { ...(await exportOdm(store, target.stream, { throughPosition, ...(opts.study ? { studyId: opts.study } : {}), onSubject: (done, total) => progress.update(done, total) })), trust };
          }),
          file: target.file,
          toStdout: target.toStdout,
        }));
        progress.stop();
        summarise(toStdout, options.json, { ...summary, file }, () =>
          `ODM 1.3.2 export ${summary.fileOid}: ${counted(summary.subjects, 'subject')}, ${counted(summary.transactions, 'transaction')}, ${counted(summary.signatures, 'signature')}, through position ${summary.headPosition}${file ? ` → ${file}` : ''}.${trustSentence(summary.trust)}`,
        );
      } finally {
        progress.stop();
      }
    });

  withTrailFilters(
    group
      .command('audit-trail')
      .description('The audit trail as CSV or JSON, streamed (bounded memory for any size)')
      .requiredOption('--format <format>', 'csv or json (required)', parseFormat)
      .option('--out <file>', 'output file (default: stdout)', outputFileOption('--out'))
      .option('--force', 'replace an existing output file (never one of the ledger\'s own files)'),
  ).action(async (opts: AuditTrailFilterOptions & { format: AuditTrailFormat; out?: string; force?: boolean }, command: Command) => {
    const options = globalOptions(command);
    const filter = trailFilter(opts);
    const { count, throughPosition, trust, file, toStdout } = await withOutput(opts.out, outputPolicy(options, opts.force), async (target) => {
      const rows = await withExistingStore(options, async (store) => {
        // A mistyped study, subject or user is refused before the export is recorded, as `report` refuses it.
        await assertTrailScopeKnown(store, { ...(opts.study !== undefined ? { studyId: opts.study } : {}), ...(opts.subject !== undefined ? { subjectId: opts.subject } : {}), ...(opts.user !== undefined ? { user: opts.user } : {}) });
        const { study, ...conditions } = { study: opts.study, subject: opts.subject, user: opts.user, from: opts.from, to: opts.to, type: opts.type };
        const defined = Object.fromEntries(Object.entries(conditions).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
        // Bound to the head when recorded: the rows written are those recorded at or before it.
        const { throughPosition, trust } = await recordCliExport(options, store, { kind: 'audit-trail', format: opts.format, studyId: study ?? null, filter: defined });
        const progress = startProgress('Audit trail', throughPosition);
        try {
          const count = await writeAuditTrail(auditTrail(store, { ...filter, throughPosition }), target.stream, opts.format, (n) => n % 1000 === 0 && progress.update(n), !target.toStdout);
          return { count, throughPosition, trust };
        } finally {
          progress.stop();
        }
      });
      return { count: rows.count, throughPosition: rows.throughPosition, trust: rows.trust, file: target.file, toStdout: target.toStdout };
    });
    summarise(toStdout, options.json, { rows: count, format: opts.format, throughPosition, file, trust }, () =>
      `Audit trail: ${count} rows as ${opts.format.toUpperCase()}, through log position ${throughPosition}${file ? ` → ${file}` : ''}.${trustSentence(trust)}`,
    );
  });
};
