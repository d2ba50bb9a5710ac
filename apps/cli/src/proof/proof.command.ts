import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import {
  answerInclusion,
  createCheckpoint,
  existingLedgerKeyFor,
  latestTreeHead,
  ledgerFiles,
  loadPublicKey,
  parseProofText,
  proveConsistency,
  proveInclusion,
  readTreeHeads,
  signTreeHeadAt,
  verifyProofDocument,
  type EventSelector,
  type LedgerSigningKey,
  type SignedCheckpoint,
} from '@trial-ledger/audit';
import { DomainError } from '@trial-ledger/domain';
import type { EventStore } from '@trial-ledger/event-store';
import { assertLedgerExists, globalOptions, withExistingStore, type GlobalOptions } from '../shared/cli-context';
import { CliError } from '../shared/cli-errors';
import { printResult } from '../shared/output';
import { assertOutputAllowed, writeOutputFile } from '../export/output-target';
import { outputPolicy } from '../shared/output-policy';
import { EXIT_LEDGER_DAMAGED } from '../verify/verify.command';

/** A proof file is a few kilobytes; anything far larger is not one. */
const MAX_PROOF_FILE_BYTES = 16 * 1024 * 1024;

const positiveInteger = (value: string, option: string): number => {
  if (!/^[1-9]\d{0,15}$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw new CliError(`${option} must be a whole number from 1 (got ${JSON.stringify(value)})`, 2, 'CLI.INVALID_OPTION');
  }
  return Number(value);
};

/** Written like every other output: a temporary file renamed on success, never onto the ledger's own files. */
const writeProof = (global: GlobalOptions, out: string, document: unknown, force: boolean | undefined): Promise<void> =>
  writeOutputFile(out, `${JSON.stringify(document, null, 2)}\n`, outputPolicy(global, force));

/**
 * The ledger key in the operator's key directory: proofs are handed out with tree heads it signs, and
 * kept heads are checked with it. Never created by a proof (`LEDGER_KEY.MISSING` instead).
 */
const ledgerKey = (global: GlobalOptions): LedgerSigningKey => {
  assertLedgerExists(global.store);
  return existingLedgerKeyFor(ledgerFiles(global.store, { keyDir: global.keyDir }));
};

/** `--from`/`--to` as given: a tree size, or the latest valid signed tree head of a file (read, and checked, at once). */
interface TreeArgument {
  readonly size: number;
  readonly head: SignedCheckpoint | null;
}

const treeArgument = (key: LedgerSigningKey, value: string, option: string): TreeArgument => {
  if (/^\d+$/.test(value)) return { size: positiveInteger(value, option), head: null };
  const head = latestTreeHead(readTreeHeads(value), key.publicKey);
  return { size: head.position, head };
};

/**
 * The tree head of an argument: a file's, or a size signed now by the ledger key, once the stored tree
 * proves consistent with the head `anchor` resolves to (the log verified from the last checkpoint and
 * signed, as `inclusion` does).
 */
const treeHeadOf = async (store: EventStore, key: LedgerSigningKey, argument: TreeArgument, anchor: () => Promise<SignedCheckpoint>): Promise<SignedCheckpoint> =>
  argument.head ?? signTreeHeadAt(store, key, argument.size, { anchor: await anchor() });

/** Both trees lie in the ledger, the earlier first; sizes and kept heads alike, before anything is signed. */
const assertTreeSizes = async (store: EventStore, from: TreeArgument, to: TreeArgument): Promise<void> => {
  const head = (await store.head()).position;
  for (const s of [from, to]) {
    if (s.head === null && s.size > head) throw new DomainError('PROOF.INVALID_RANGE', `A tree size is a whole number from 1 to the ledger's ${head} events`, 'validation', { size: s.size });
  }
  if (from.size > to.size) {
    throw new DomainError('PROOF.INVALID_RANGE', 'A consistency proof needs 1 ≤ from ≤ to (tree sizes)', 'validation', { from: from.size, to: to.size });
  }
};

const registerInclusion = (proof: Command): void => {
  proof
    .command('inclusion')
    .description('Prove that one event is in the ledger under a signed tree head (RFC 9162 inclusion proof)')
    .option('--event <id>', 'the event id')
    .option('--position <n>', 'the event\'s global position')
    .option('--checkpoint <file>', 'prove against the latest signed tree head in FILE (default: sign the verified head now)')
    .requiredOption('--out <file>', 'proof file to write (JSON); - for stdout')
    .option('--force', 'replace an existing output file (never the ledger\'s own files)')
    .action(async (opts: { event?: string; position?: string; checkpoint?: string; out: string; force?: boolean }, command: Command) => {
      const global = globalOptions(command);
      const { store: storeUrl, json } = global;
      if ((opts.event === undefined) === (opts.position === undefined)) throw new CliError('Name the event with exactly one of --event ID or --position N', 2, 'CLI.INVALID_OPTION');
      const selector: EventSelector = opts.event !== undefined ? { eventId: opts.event } : { position: positiveInteger(opts.position as string, '--position') };
      // A refused proof (no such event, an output that may not be written) signs no checkpoint: checked first.
      if (opts.out !== '-') await assertOutputAllowed(opts.out, outputPolicy(global, opts.force));
      const key = ledgerKey(global);
      const document = await withExistingStore(global, async (store) => {
        if (!opts.checkpoint) await answerInclusion(store, selector);
        const head = opts.checkpoint
          ? latestTreeHead(readTreeHeads(opts.checkpoint), key.publicKey)
          : await createCheckpoint(store, key, ledgerFiles(storeUrl, { keyDir: global.keyDir }).checkpointFile);
        return proveInclusion(store, selector, head);
      });
      await writeProof(global, opts.out, document, opts.force);
      if (opts.out !== '-') {
        printResult(json, { out: opts.out, eventId: document.event.eventId, leafIndex: document.leafIndex, treeSize: document.treeSize }, () =>
          `Inclusion proof of event ${document.event.eventId} (position ${document.event.globalPosition}) in the signed tree of ${document.treeSize} events written to ${opts.out}.`,
        );
      }
    });
};

const registerConsistency = (proof: Command): void => {
  proof
    .command('consistency')
    .description('Prove that the ledger at one tree size extends it at an earlier one (RFC 9162 consistency proof)')
    .requiredOption('--from <size|file>', 'the earlier tree: a size, or a file of signed tree heads (its latest valid one)')
    .requiredOption('--to <size|file>', 'the later tree: a size, or a file of signed tree heads')
    .requiredOption('--out <file>', 'proof file to write (JSON); - for stdout')
    .option('--force', 'replace an existing output file (never the ledger\'s own files)')
    .action(async (opts: { from: string; to: string; out: string; force?: boolean }, command: Command) => {
      const global = globalOptions(command);
      const { json } = global;
      // A refused proof (a size the ledger does not have, sizes the wrong way round, an output that may not be
      // written) signs no checkpoint: checked before the anchor is signed.
      if (opts.out !== '-') await assertOutputAllowed(opts.out, outputPolicy(global, opts.force));
      const key = ledgerKey(global);
      const { document, consistent } = await withExistingStore(global, async (store) => {
        const [from, to] = [treeArgument(key, opts.from, '--from'), treeArgument(key, opts.to, '--to')];
        await assertTreeSizes(store, from, to);
        let verified: Promise<SignedCheckpoint> | null = null;
        const anchor = (): Promise<SignedCheckpoint> => (verified ??= createCheckpoint(store, key, ledgerFiles(global.store, { keyDir: global.keyDir }).checkpointFile));
        return proveConsistency(store, await treeHeadOf(store, key, from, anchor), await treeHeadOf(store, key, to, anchor));
      });
      await writeProof(global, opts.out, document, opts.force);
      if (!consistent) {
        process.stderr.write(`LEDGER DAMAGED: the tree of ${document.toSize} events does not extend the signed tree of ${document.fromSize} events; the proof written to ${opts.out} is the evidence.\n`);
        process.exitCode = EXIT_LEDGER_DAMAGED;
        return;
      }
      if (opts.out !== '-') {
        printResult(json, { out: opts.out, fromSize: document.fromSize, toSize: document.toSize }, () =>
          `Consistency proof from ${document.fromSize} to ${document.toSize} events written to ${opts.out}.`,
        );
      }
    });
};

const readProofFile = (file: string): unknown => {
  if (!existsSync(file)) throw new CliError(`No proof file at ${file}`, 2, 'PROOF.FILE_MISSING');
  const stat = statSync(file);
  if (!stat.isFile() || stat.size > MAX_PROOF_FILE_BYTES) throw new CliError(`${file} is not a proof file`, 1, 'PROOF.MALFORMED');
  return parseProofText(readFileSync(file, 'utf8'));
};

const registerVerifyProof = (proof: Command): void => {
  proof
    .command('verify')
    .description('Check a proof file offline with the ledger public key you trust (no store needed); exit 3 when it fails')
    .argument('<file>', 'inclusion or consistency proof (JSON)')
    .requiredOption('--public-key <file>', 'the ledger public key you trust (PEM)')
    .action((file: string, opts: { publicKey: string }, command: Command) => {
      const { json } = globalOptions(command);
      if (!existsSync(opts.publicKey)) throw new CliError(`No public key at ${opts.publicKey}`, 2, 'LEDGER_KEY.MISSING');
      const verdict = verifyProofDocument(readProofFile(file), loadPublicKey(opts.publicKey));
      if (json) process.stdout.write(`${JSON.stringify(verdict, null, 2)}\n`);
      else (verdict.ok ? process.stdout : process.stderr).write(`${verdict.ok ? 'PROOF VALID' : 'PROOF FAILS'}: ${verdict.message}\n`);
      process.exitCode = verdict.ok ? 0 : EXIT_LEDGER_DAMAGED;
    });
};

/**
 * `trial-ledger proof inclusion|consistency|verify`: RFC 9162 transparency-log proofs over the
 * ledger's Merkle tree, checked by a third party with the ledger public key alone.
 */
export const registerProof = (program: Command): void => {
  const proof = program.command('proof').description('Transparency-log proofs: inclusion of an event, consistency between two signed tree heads');
  registerInclusion(proof);
  registerConsistency(proof);
  registerVerifyProof(proof);
};
