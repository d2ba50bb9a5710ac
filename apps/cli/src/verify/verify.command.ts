import { existsSync } from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Command } from 'commander';
import {
  ledgerFiles,
  loadPublicKey,
  publicKeyFingerprint,
  readCheckpointFile,
  verifyLedger,
  type LedgerVerification,
  type SignedCheckpoint,
} from '@trial-ledger/audit';
import { inspectionReport, inspectStore } from '@trial-ledger/event-store';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { describeInspection } from './store-inspection.output';

/** Exit status of `verify` when the ledger is damaged (1 is any other failure, 2 a usage error). */
export const EXIT_LEDGER_DAMAGED = 3;

export interface VerifyCommandOptions {
  readonly checkpoints?: string;
  readonly publicKey?: string;
}

export interface CheckpointSource {
  readonly checkpoints: SignedCheckpoint[];
  readonly file: string | null;
  readonly publicKey: KeyObject | null;
  readonly keyFile: string | null;
}

/**
 * Checkpoints and the key that vouches for them: the files named on the command line (a regulator's
 * own copies), else the server's checkpoint file and ledger key beside the store.
 */
export const checkpointSource = (storeUrl: string, options: VerifyCommandOptions): CheckpointSource => {
  const files = ledgerFiles(storeUrl);
  const file = options.checkpoints ?? (existsSync(files.checkpointFile) ? files.checkpointFile : null);
  const keyFile = options.publicKey ?? (existsSync(files.keyFile) ? files.keyFile : null);
  if (options.publicKey && !existsSync(options.publicKey)) throw new CliError(`No public key at ${options.publicKey}`, 2, 'LEDGER_KEY.MISSING');
  if (options.checkpoints && !existsSync(options.checkpoints)) throw new CliError(`No checkpoint file at ${options.checkpoints}`, 2, 'CHECKPOINT.FILE_MISSING');
  if (file && !keyFile) {
    throw new CliError(`Checkpoints in ${file} need the ledger's public key to be checked: --public-key FILE`, 2, 'LEDGER_KEY.MISSING');
  }
  return { checkpoints: file ? readCheckpointFile(file) : [], file, publicKey: keyFile ? loadPublicKey(keyFile) : null, keyFile };
};

const describe = (result: LedgerVerification, source: CheckpointSource): string => {
  const lines: string[] = [];
  if (result.ok) {
    lines.push(`Ledger intact: ${result.eventsChecked} events verified, head position ${result.headPosition}, chain hash ${result.headHash}.`);
  } else {
    const fault = result.fault;
    lines.push(`LEDGER DAMAGED at position ${fault?.position}: ${fault?.damage} — ${fault?.message}.`);
    for (const other of result.faults.slice(1)) lines.push(`  also at position ${other.position}: ${other.damage} — ${other.message}.`);
    lines.push(`  ${result.eventsChecked} events verified before the first fault.`);
  }
  if (result.checkpoints) {
    const c = result.checkpoints;
    const latest = c.latestMatched ? `; latest matching: position ${c.latestMatched.position}, signed ${c.latestMatched.time}` : '';
    lines.push(`Checkpoints (${source.file}): ${c.total} read, ${c.matched} matched, ${c.forged} forged${latest}.`);
    lines.push(`  trusted key ${source.publicKey ? publicKeyFingerprint(source.publicKey) : '—'} from ${source.keyFile}`);
  } else {
    lines.push('No signed checkpoints given: a truncated or wholly recomputed tail cannot be detected (use --checkpoints and --public-key).');
  }
  return lines.join('\n');
};

/** Runs verification and prints it; resolves to the exit status (0 only when intact). */
export const runVerify = async (storeUrl: string, json: boolean | undefined, options: VerifyCommandOptions): Promise<number> => {
  const source = checkpointSource(storeUrl, options);
  const { result, inspection } = await withExistingStore({ store: storeUrl }, async (store) => ({
    result: await verifyLedger(store, source.publicKey && source.checkpoints.length > 0 ? { checkpoints: source.checkpoints, publicKey: source.publicKey } : {}),
    inspection: await inspectStore(store),
  }));
  // A side record the chain does not back (a planted idempotency row) is damage; a missing trigger a warning.
  const ok = result.ok && inspection.ok;
  if (json) {
    const publicKeyFingerprintUsed = source.publicKey ? publicKeyFingerprint(source.publicKey) : null;
    const report = { ...result, ok, checkpointFile: source.file, publicKeyFingerprint: publicKeyFingerprintUsed, ...inspectionReport(inspection) };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    (ok ? process.stdout : process.stderr).write(`${[describe(result, source), ...describeInspection(inspection)].join('\n')}\n`);
  }
  return ok ? 0 : EXIT_LEDGER_DAMAGED;
};

/** `trial-ledger verify [--checkpoints FILE] [--public-key FILE] [--json]` (SPEC §4, §6). */
export const registerVerify = (program: Command): void => {
  program
    .command('verify')
    .description('Recompute the hash chain, check signed checkpoints, side records and the store\'s defences; exit 0 only when the ledger is intact (3 when damaged)')
    .option('--checkpoints <file>', 'signed checkpoint file (JSON lines); default: the server\'s file beside the store, if any')
    .option('--public-key <file>', 'the ledger public key you trust (PEM); default: the key beside the store')
    .action(async (opts: VerifyCommandOptions, command: Command) => {
      const { store, json } = globalOptions(command);
      process.exitCode = await runVerify(store, json, opts);
    });
};
