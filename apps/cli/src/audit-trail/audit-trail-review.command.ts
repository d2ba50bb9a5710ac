import type { Command } from 'commander';
import { isIsoDate, isIsoInstant, personInWords } from '@trial-ledger/domain';
import { checkDataCut, reviewAuditTrail, type AuditTrailReview, type DataCut } from '@trial-ledger/audit';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { CliError, describeError } from '../shared/cli-errors';
import { printResult, textTable } from '../shared/output';
import { ledgerCheckAlongside, reportDamageRead } from '../shared/ledger-damage';
import { checkpointSource, ledgerIdentity } from '../verify/verify.command';
import { checkTrailWindow } from './audit-trail-filter.options';

interface ReviewCommandOptions {
  readonly study?: string;
  readonly from?: string;
  readonly to?: string;
  readonly dataCut?: string[];
  readonly checkpoints?: string;
  readonly publicKey?: string;
  /** Filters of the plain trail, which mean nothing here. */
  readonly subject?: string;
  readonly user?: string;
  readonly type?: string;
}

/** `--data-cut 2026-12-01@2026-12-02T08:00:00Z`: the cutoff of an analysis and the instant it read the ledger. */
export const parseDataCut = (value: string): DataCut => {
  const at = value.indexOf('@');
  if (at <= 0 || at === value.length - 1) throw new CliError(`--data-cut must be CUTOFF@INSTANT, e.g. 2026-12-01@2026-12-02T08:00:00Z (got ${value})`, 2, 'CLI.INVALID_OPTION');
  const cutoff = value.slice(0, at);
  const analysedAt = value.slice(at + 1);
  // An impossible date is a usage error (exit 2), with the code the review would give, as for --from/--to.
  if (!isIsoDate(cutoff)) throw new CliError(`--data-cut: a data cut's cutoff must be a real calendar date YYYY-MM-DD (got ${cutoff})`, 2, 'REVIEW.INVALID_DATA_CUT');
  if (!isIsoDate(analysedAt) && !isIsoInstant(analysedAt)) {
    throw new CliError(`--data-cut: the instant the analysis read the ledger must be a real calendar date YYYY-MM-DD or an ISO 8601 date-time with a zone (got ${analysedAt})`, 2, 'AUDIT.INVALID_FILTER');
  }
  // The review's own check (an instant still to come), here before the store is opened: a usage error.
  try {
    checkDataCut({ cutoff, analysedAt });
  } catch (error) {
    const refused = describeError(error);
    throw new CliError(`--data-cut: ${refused.message} (a bare date is the end of that UTC day)`, 2, refused.code);
  }
  return { cutoff, analysedAt };
};

/** The review as a monitor reads it: the verdict, a table per indicator, then per user and per subject. */
export const formatReview = (r: AuditTrailReview): string => {
  const lines = [
    `Audit-trail review — ${r.studyId}, recorded ${r.from ?? 'from the start'} to ${r.to ?? 'now'} (log position ${r.position})`,
    `Data cuts: ${r.dataCuts.length === 0 ? 'none given' : r.dataCuts.map((c) => `${c.cutoff} read at ${c.analysedAt}`).join('; ')}`,
    r.verdict,
  ];
  for (const indicator of r.indicators) {
    lines.push('', `${indicator.title} (${indicator.id}): ${indicator.findings.length} finding${indicator.findings.length === 1 ? '' : 's'}`, `  ${indicator.definition}`);
    if (indicator.findings.length === 0) continue;
    const rows = indicator.findings.map((f) => [f.recordedAt, f.subjectId, f.username, f.summary, f.positions.map((p) => `#${p}`).join(' '), f.eventIds.join(' ')]);
    lines.push(...textTable(['Recorded', 'Subject', 'User', 'Finding', 'Positions', 'Events'], rows).map((l) => `  ${l}`));
  }
  lines.push('', 'Per user:', ...textTable(
    ['User', 'Role', 'Entries', 'Corr.', 'Voids', 'Corr.%', 'Void%', 'Lag median', 'Lag p90', 'Lag max', 'Findings'],
    r.users.map((u) => [personInWords({ fullName: u.fullName, username: u.username }), u.role, u.entries, u.corrections, u.voids, u.correctionRatePercent, u.voidRatePercent, u.lagMedianDays, u.lagP90Days, u.lagMaxDays, u.findings]),
  ).map((l) => `  ${l}`));
  lines.push('', 'Per subject:', ...textTable(
    ['Subject', 'Entries', 'Corr.', 'Voids', 'Corr.%', 'Void%', 'Findings'],
    r.subjects.map((s) => [s.subjectId, s.entries, s.corrections, s.voids, s.correctionRatePercent, s.voidRatePercent, s.findings]),
  ).map((l) => `  ${l}`));
  return lines.join('\n');
};

/**
 * `trial-ledger audit-trail review [--from T] [--to T] [--data-cut CUTOFF@INSTANT …] [--json]`: the
 * risk-based review. Findings are information for a reviewer: the exit status is 0 whatever fires.
 */
export const registerAuditTrailReview = (program: Command): void => {
  const trail = program.commands.find((c) => c.name() === 'audit-trail');
  if (!trail) throw new Error('the audit-trail command must be registered before audit-trail review');
  trail
    .command('review')
    .description('Risk-based audit-trail review: indicators per user and per subject (entry lag, back-dating, changes after sign-off/lock/data cut, rates, reasons, hours, bursts, critical data, access, integrity)')
    .option('--study <studyId>', 'study (default: the first registered)')
    .option('--from <instant>', 'only findings about events recorded at or after (ISO date or date-time, UTC)')
    .option('--to <instant>', 'only findings about events recorded at or before (a date includes the whole day)')
    .option('--data-cut <cutoff@instant>', 'a data cut used by an analysis: its cutoff date and the instant it read the ledger (repeatable)', (v: string, list: string[] = []) => [...list, v])
    .option('--checkpoints <file>', 'signed checkpoints that anchor the trail (default: the server\'s file beside the store, if any)')
    .option('--public-key <file>', 'the ledger public key you trust (PEM)')
    .action(async (_local: ReviewCommandOptions, command: Command) => {
      const options = globalOptions(command);
      // --study/--from/--to placed after `review` are parsed by `audit-trail`, which knows them too: read both levels.
      const opts = command.optsWithGlobals<ReviewCommandOptions>();
      if (opts.subject !== undefined || opts.user !== undefined || opts.type !== undefined) {
        throw new CliError('audit-trail review takes no --subject, --user or --type: it reviews every subject and user', 2, 'CLI.INVALID_OPTION');
      }
      checkTrailWindow(opts);
      const dataCuts = (opts.dataCut ?? []).map(parseDataCut);
      // The pin made for this ledger at another path holds a copy here to what was confirmed there.
      const source = checkpointSource(options.store, opts, options.keyDir, await withExistingStore(options, ledgerIdentity));
      const { review, fault } = await withExistingStore(options, async (store) => {
        const damage = ledgerCheckAlongside(store, options);
        return {
          review: await reviewAuditTrail(store, {
            ...(opts.study !== undefined ? { studyId: opts.study } : {}),
            ...(opts.from !== undefined ? { from: opts.from } : {}),
            ...(opts.to !== undefined ? { to: opts.to } : {}),
            dataCuts,
            ...(source.publicKey && source.checkpoints.length > 0 ? { checkpoints: source.checkpoints, publicKey: source.publicKey } : {}),
          }),
          fault: await damage,
        };
      });
      printResult(options.json, review, () => formatReview(review));
      // Findings are information (exit 0), but a review read from a damaged ledger is no clean review.
      reportDamageRead(fault, review.position);
    });
};
