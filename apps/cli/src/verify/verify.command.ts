import type { Command } from 'commander';
import { ledgerFiles, loadPublicKey, pinKey, recordCheckpointedThrough, verifyLedger, type LedgerVerification } from '@trial-ledger/audit';
import { inspectionReport, inspectStore, type EventStore } from '@trial-ledger/event-store';
import { assertLedgerExists, globalOptions, withExistingStore, type GlobalOptions } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import type { KeyObject } from 'node:crypto';
import { checkLedgerTree, describeTreeReport } from './verify-tree';
import { checkedTrust, checkpointSource, ledgerIdentity, trustWarnings, type CheckpointSource, type TrustBasis, type VerifyCommandOptions } from './checkpoint-source';
import { describeInspection } from './store-inspection.output';
import { terminalSafe } from '../shared/output';

export { checkedTrust, checkpointSource, ledgerIdentity, type VerifyCommandOptions } from './checkpoint-source';

/** Exit status of `verify` when the ledger is damaged (1 is any other failure, 2 a usage error). */
export const EXIT_LEDGER_DAMAGED = 3;

/** Checkpoints this verifier saw matched under its pinned key, no longer there to match: removed or cut off. */
interface WithdrawnCheckpoints {
  readonly recordedThrough: number;
  readonly latestMatched: number | null;
}

export const withdrawnCheckpoints = (latestMatched: number | null, source: CheckpointSource): WithdrawnCheckpoints | null => {
  const recordedThrough = source.pinnedThrough ?? 0;
  return recordedThrough > 0 && (latestMatched ?? 0) < recordedThrough ? { recordedThrough, latestMatched } : null;
};

export const describeWithdrawn = (withdrawn: WithdrawnCheckpoints | null, source: CheckpointSource): string[] =>
  withdrawn === null
    ? []
    : [
        `CHECKPOINTS WITHDRAWN: a checkpoint at position ${withdrawn.recordedThrough} was matched under the pinned key when it was last confirmed (verify --pin-key), ` +
          `but ${source.file ?? 'no checkpoint file'} holds ${withdrawn.latestMatched === null ? 'no matching checkpoint' : `none past position ${withdrawn.latestMatched}`}: signed checkpoints were removed or cut off.`,
      ];

/** The log no longer says at a confirmed position what it said when this verifier confirmed the pin: rewritten (and re-signed, or cut). */
interface RewrittenSinceConfirmed {
  readonly position: number;
  readonly confirmedHash: string;
  /** The hash the log holds there now; null when it no longer reaches the position. */
  readonly hash: string | null;
}

const hashAt = async (store: EventStore, position: number): Promise<string | null> => {
  // A trust file is edited by hand: a position no event can hold is one the log does not reach (no read the store refuses).
  if (!Number.isSafeInteger(position) || position < 1) return null;
  for await (const event of store.readAll({ afterPosition: position - 1, toPosition: position, batchSize: 1 })) return event.hash;
  return null;
};

export const rewrittenSinceConfirmed = async (store: EventStore, source: CheckpointSource): Promise<RewrittenSinceConfirmed | null> => {
  if (!source.confirmed) return null;
  const hash = await hashAt(store, source.confirmed.position);
  return hash === source.confirmed.hash ? null : { position: source.confirmed.position, confirmedHash: source.confirmed.hash, hash };
};

export const describeRewritten = (rewritten: RewrittenSinceConfirmed | null): string[] =>
  rewritten === null
    ? []
    : [
        `REWRITTEN SINCE CONFIRMED: when this verifier last confirmed the pinned key (verify --pin-key), the checkpoint at position ${rewritten.position} vouched for chain hash ${rewritten.confirmedHash}; ` +
          `the log now ${rewritten.hash === null ? 'ends before that position' : `holds ${rewritten.hash} there`} — rewritten, whatever its checkpoints now say.`,
      ];

const describe = (result: LedgerVerification, source: CheckpointSource, trust: TrustBasis): string => {
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
  }
  lines.push(trust.statement);
  return lines.join('\n');
};

/** Runs verification and prints it; resolves to the exit status (0 only when intact). */
export const runVerify = async (global: GlobalOptions, options: VerifyCommandOptions & { readonly confirmPin?: boolean } = {}): Promise<number> => {
  const { store: storeUrl, json } = global;
  const ledger = await withExistingStore(global, ledgerIdentity);
  const source = checkpointSource(storeUrl, options, global.keyDir, ledger);
  if (options.since && !source.publicKey) throw new CliError('--since needs the ledger public key you trust: --public-key FILE or a pinned key', 2, 'LEDGER_KEY.MISSING');
  const { result, inspection, merkle, rewritten } = await withExistingStore(global, async (store) => ({
    result: await verifyLedger(store, source.publicKey && source.checkpoints.length > 0 ? { checkpoints: source.checkpoints, publicKey: source.publicKey } : {}),
    inspection: await inspectStore(store),
    merkle: await checkLedgerTree(store, options.since ? { file: options.since, publicKey: source.publicKey as KeyObject } : null),
    rewritten: await rewrittenSinceConfirmed(store, source),
  }));
  // A side record the chain does not back (a planted idempotency row) is damage; a missing trigger a warning,
  // and so is a trusted key with no checkpoint to check under it.
  // Under a pinned key, checkpoints seen before that are gone now are damage too (the chain alone can be recomputed).
  const latestMatched = result.checkpoints?.latestMatched ?? null;
  const latest = latestMatched?.position ?? null;
  const withdrawn = withdrawnCheckpoints(latest, source);
  const ok = result.ok && inspection.ok && merkle.ok && withdrawn === null && rewritten === null;
  // `verify --pin-key` confirms the pin: the latest checkpoint matched under it is remembered, and later verifies expect it.
  if (options.confirmPin && ok && source.trust.publicKey?.origin === 'pinned' && latestMatched !== null) {
    recordCheckpointedThrough(ledgerFiles(storeUrl, { keyDir: global.keyDir }).trustFile, storeUrl, latestMatched.position, latestMatched.hash, ledger);
  }
  const warnings = [...inspection.warnings, ...trustWarnings(source.trust, source.checkpoints.length)];
  // What the checkpoints established once checked: none verifying under the key anchors nothing.
  const checked = checkedTrust(source.trust, result.checkpoints);
  if (json) {
    const { statement, ...trust } = checked;
    const report = {
      ...result,
      ok,
      anchored: trust.anchored,
      trust: { ...trust, statement },
      merkle,
      checkpointFile: source.file,
      checkpointsWithdrawn: withdrawn,
      rewrittenSinceConfirmed: rewritten,
      publicKeyFingerprint: trust.publicKey?.fingerprint ?? null,
      ...inspectionReport({ ...inspection, warnings }),
    };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } else {
    // Side records are whatever was planted in the file (an idempotency key of any bytes): shown, never acted on by the terminal.
    (ok ? process.stdout : process.stderr).write(`${terminalSafe([describe(result, source, checked), ...describeWithdrawn(withdrawn, source), ...describeRewritten(rewritten), ...describeInspection({ ...inspection, warnings }), ...describeTreeReport(merkle)].join('\n'), true)}\n`);
  }
  return ok ? 0 : EXIT_LEDGER_DAMAGED;
};

/**
 * `--pin-key FILE`: the auditor pins the public key received out of band (compare its fingerprint with
 * the one printed at creation) into the trust file outside the store's directory; every later
 * `verify` of this store checks the checkpoints under that key.
 */
const pinFromFile = async (global: GlobalOptions, file: string): Promise<void> => {
  const files = ledgerFiles(global.store, { keyDir: global.keyDir });
  const ledger = await withExistingStore(global, ledgerIdentity);
  const { pin, created } = pinKey(loadPublicKey(file), { trustFile: files.trustFile, storeUrl: global.store, storeDir: files.storeDir, now: new Date().toISOString(), ledger });
  if (!global.json) {
    process.stdout.write(`${created ? 'Pinned' : 'Already pinned'}: public key ${pin.fingerprint} for ${pin.store} in ${files.trustFile}.\n`);
  }
};

/** `trial-ledger verify [--checkpoints FILE] [--public-key FILE | --pin-key FILE] [--json]` (SPEC §4, §6). */
export const registerVerify = (program: Command): void => {
  program
    .command('verify')
    .description('Recompute the hash chain, check signed checkpoints, side records and the store\'s defences; exit 0 only when the ledger is intact (3 when damaged)')
    .option('--checkpoints <file>', 'signed checkpoint file (JSON lines); default: the server\'s file beside the store, if any')
    .option('--public-key <file>', 'the ledger public key you trust (PEM); default: the key pinned for this store, else the signing key in the key directory')
    .option('--since <file>', 'a signed tree head you kept (checkpoint file or note): prove the ledger still extends it')
    .option('--pin-key <file>', 'pin this public key (PEM) for the store in the trust file outside its directory, then verify with it')
    .action(async (opts: VerifyCommandOptions & { pinKey?: string }, command: Command) => {
      const global = globalOptions(command);
      if (opts.pinKey && opts.publicKey) throw new CliError('--pin-key and --public-key exclude each other', 2, 'CLI.INVALID_OPTION');
      if (opts.pinKey) {
        assertLedgerExists(global.store);
        await pinFromFile(global, opts.pinKey);
      }
      process.exitCode = await runVerify(global, { ...opts, confirmPin: opts.pinKey !== undefined });
    });
};
