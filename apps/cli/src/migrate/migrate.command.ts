import type { Command } from 'commander';
import { migrateLedger, openEventStore, sqlitePath, storeScheme, type MigrationReport } from '@trial-ledger/event-store';
import { assertOutputAllowed } from '../export/output-target';
import { ledgerOwnFiles } from '../shared/output-policy';
import { globalOptions } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { startProgress } from '../shared/progress';

const describeReport = (from: string, to: string, r: MigrationReport): string =>
  [
    `Migrated ${r.eventsCopied} event(s) from ${from} to ${to} (idempotency keys travel in the events' metadata).`,
    ...(r.resumedAfter > 0 ? [`  continued after position ${r.resumedAfter}, which the target already held (an earlier migration of this source)`] : []),
    `  source verified: ${r.source.eventsChecked} events, head ${r.source.headPosition} ${r.source.headHash}`,
    `  target verified: ${r.target.eventsChecked} events, head ${r.target.headPosition} ${r.target.headHash}`,
    'Same ids, positions, recording instants and hashes: signed checkpoints keep verifying against the new store.',
  ].join('\n');

/**
 * `trial-ledger migrate --from URL --to URL`: copies the whole ledger into an empty store (or continues
 * an interrupted copy), verifying the chain on both sides. Stop writers first: events appended after the start are not copied.
 */
export const registerMigrate = (program: Command): void => {
  program
    .command('migrate')
    .description('Copy the whole ledger into another (empty) store, verifying the hash chain on both sides; run again after an interruption, it continues where the copy stopped')
    .option('--from <url>', 'source store (default: --store)')
    .requiredOption('--to <url>', 'target store: sqlite:FILE, postgres://…, kurrentdb://… (empty, or holding the start of this ledger)')
    .action(async (opts: { from?: string; to: string }, command: Command) => {
      const options = globalOptions(command);
      const fromUrl = opts.from ?? options.store;
      if (fromUrl === opts.to) throw new CliError('--from and --to name the same store', 2, 'CLI.INVALID_OPTION');
      // A SQLite target is a file the command creates: never one of the source ledger's own files (its
      // -wal or -journal, read-model, sessions or audit-index file, its key or checkpoints), however spelled, nor a symlink.
      if (storeScheme(opts.to) === 'sqlite' && sqlitePath(opts.to) !== ':memory:') {
        await assertOutputAllowed(sqlitePath(opts.to), { protectedFiles: ledgerOwnFiles({ store: fromUrl, keyDir: options.keyDir }) }, 'append');
      }
      const from = await openEventStore(fromUrl);
      try {
        const to = await openEventStore(opts.to);
        try {
          const progress = startProgress('migrate', (await from.head()).position);
          let report: MigrationReport;
          try {
            report = await migrateLedger(from, to, ({ copied, total }) => progress.update(copied, total));
          } finally {
            progress.stop();
          }
          process.stdout.write(options.json ? `${JSON.stringify({ from: from.description, to: to.description, ...report }, null, 2)}\n` : `${describeReport(from.description, to.description, report)}\n`);
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
};
