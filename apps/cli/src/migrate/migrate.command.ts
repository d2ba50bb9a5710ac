import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { ledgerFiles } from '@trial-ledger/audit';
import { migrateLedger, openEventStore, sqlitePath, storeScheme, type MigrationReport } from '@trial-ledger/event-store';
import { assertOutputAllowed } from '../export/output-target';
import { ledgerOwnFiles } from '../shared/output-policy';
import { CLI_WRITE_LOCK_WAIT_MS, globalOptions, lockRefusal } from '../shared/cli-context';
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

/** Where the source's signing key and checkpoints are, and where commands run on the target look for them. */
interface CarriedFiles {
  readonly signingKey: { readonly source: string; readonly target: string; readonly sourceExists: boolean };
  readonly checkpointFile: { readonly source: string; readonly target: string };
}

/**
 * The key is found by the store's name (`sqlite:d/src.sqlite` → `KEY_DIR/src.key.pem`, a server store →
 * `KEY_DIR/ledger.key.pem`), so the copy may look for another file. The key is a secret: it is not copied
 * here, the operator is told where it goes, and a command on the target never makes a new one silently.
 */
const carriedFiles = (from: string, to: string, keyDir: string | undefined): CarriedFiles => {
  const [source, target] = [ledgerFiles(from, { keyDir }), ledgerFiles(to, { keyDir })];
  return {
    signingKey: { source: source.keyFile, target: target.keyFile, sourceExists: existsSync(source.keyFile) },
    checkpointFile: { source: source.checkpointFile, target: target.checkpointFile },
  };
};

const describeCarriedFiles = ({ signingKey, checkpointFile }: CarriedFiles): string[] => [
  ...(signingKey.sourceExists && signingKey.source !== signingKey.target
    ? [
        `Signing key: the source's is ${signingKey.source}; commands on the target look for ${signingKey.target}.`,
        `  Run them with LEDGER_KEY_FILE=${signingKey.source}, or copy the key (cp -p ${signingKey.source} ${signingKey.target}); none is created for the target.`,
      ]
    : []),
  ...(checkpointFile.source !== checkpointFile.target
    ? [`Checkpoints: the source's are in ${checkpointFile.source}; the target's file is ${checkpointFile.target} (LEDGER_CHECKPOINT_FILE names another).`]
    : []),
];

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
      // A lock another process holds on the target is waited for as long as any CLI write waits (2 s), then
      // STORE.LOCKED: what was copied stays, and the next run continues from there.
      const from = await openEventStore(fromUrl, { writeLockWaitMs: CLI_WRITE_LOCK_WAIT_MS });
      try {
        const to = await openEventStore(opts.to, { writeLockWaitMs: CLI_WRITE_LOCK_WAIT_MS });
        try {
          const progress = startProgress('migrate', (await from.head()).position);
          let report: MigrationReport;
          try {
            report = await migrateLedger(from, to, ({ copied, total }) => progress.update(copied, total));
          } catch (error) {
            throw lockRefusal(error, to.description, 'the copy stopped there (what was copied stays): run migrate again once it is done, it continues where the copy stopped');
          } finally {
            progress.stop();
          }
          const carried = carriedFiles(fromUrl, opts.to, options.keyDir);
          process.stdout.write(
            options.json
              ? `${JSON.stringify({ from: from.description, to: to.description, ...report, ...carried }, null, 2)}\n`
              : `${[describeReport(from.description, to.description, report), ...describeCarriedFiles(carried)].join('\n')}\n`,
          );
        } finally {
          await to.close();
        }
      } finally {
        await from.close();
      }
    });
};
