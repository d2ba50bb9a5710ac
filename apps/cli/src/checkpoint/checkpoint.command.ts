import { Option, type Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { appendCheckpoint, createCheckpoint, ensureLedgerKeyFor, exportPublicKeyPem, ledgerFiles, readCheckpointFile, type LedgerSigningKey } from '@trial-ledger/audit';
import { assertDistinctOutputs, assertOutputAllowed, writeOutputFile } from '../export/output-target';
import { assertOwnCheckpoints } from './own-checkpoints';
import { assertLedgerExists, globalOptions, withStore } from '../shared/cli-context';
import { outputFileOption, repeatable } from '../shared/option-parsers';
import { printResult } from '../shared/output';
import { ledgerOwnFiles, outputPolicy } from '../shared/output-policy';

interface CheckpointOptions {
  readonly out?: string;
  readonly copyTo?: string[];
  readonly exportPublicKey?: string;
  readonly force?: boolean;
}

/** Tells the operator once, on stderr, that a key was created and which fingerprint to hand out for pinning. */
export const announceNewKey = (file: string) => (key: LedgerSigningKey): void => {
  process.stderr.write(
    `trial-ledger: created the ledger signing key ${file} (public key fingerprint ${key.fingerprint}); ` +
      'give auditors the public key (checkpoint --export-public-key FILE) and this fingerprint by another channel, to pin with verify --pin-key\n',
  );
};

const collect = (value: string, previous: string[] = []): string[] => [...previous, outputFileOption('--copy-to')(value)];

/**
 * `trial-ledger checkpoint [--out FILE] [--copy-to FILE…]` signs the verified head of the log and appends it
 * to the checkpoint file (and to each copy, e.g. a file the sponsor holds); `--export-public-key FILE`
 * writes the public half of the ledger key for a monitor or regulator to keep (SPEC §4). The key pair is
 * created on first use in the key directory (`--key-dir`, `TRIAL_LEDGER_KEY_DIR`, else
 * `~/.config/trial-ledger`; 0700, the key 0600), never beside the store.
 */
export const registerCheckpoint = (program: Command): void => {
  program
    .command('checkpoint')
    .description('Sign a checkpoint (position, hash, time) of the verified log, or export the ledger public key')
    .option('--out <file>', 'checkpoint file to append to (JSON lines); default: beside the store', outputFileOption('--out'))
    .addOption(repeatable(new Option('--copy-to <file>', 'also append the checkpoint to FILE, an external copy (repeatable)').argParser(collect)))
    .option('--export-public-key <file>', 'write the ledger public key (PEM) to FILE instead of signing; - for stdout', outputFileOption('--export-public-key'))
    .option('--force', 'with --export-public-key: replace an existing file')
    .action(async (opts: CheckpointOptions, command: Command) => {
      const options = globalOptions(command);
      const { store: storeUrl, json } = options;
      // A mistyped --store must not mint a new ledger key and sign a checkpoint of an empty ledger.
      assertLedgerExists(storeUrl);
      const files = ledgerFiles(storeUrl, { keyDir: options.keyDir });
      // The paths as written (`link/../x` is `x` beside the link), for the checks and the appends alike, as the export writer reads them.
      const file = resolve(opts.out ?? files.checkpointFile);
      const copies = (opts.copyTo ?? []).map((copy) => resolve(copy));
      // Appending to the store, its key or its side files would corrupt them; the checkpoint file itself is the one file meant for it.
      const appendPolicy = { protectedFiles: ledgerOwnFiles(options).filter((f) => f !== files.checkpointFile) };
      for (const target of [file, ...copies]) if (!opts.exportPublicKey) await assertOutputAllowed(target, appendPolicy, 'append');
      // A copy is kept apart from the checkpoint file: one that is it (or another copy) is no copy at all.
      const targets = [file, ...copies];
      if (!opts.exportPublicKey) for (const [i, a] of targets.entries()) for (const b of targets.slice(i + 1)) await assertDistinctOutputs(a, b);
      // A copy that exists must already be a checkpoint file (as the checkpoint file itself is read before
      // signing): a mistyped --copy-to never gets signed lines appended to a key, a report or another ledger.
      if (!opts.exportPublicKey) for (const copy of copies) if (existsSync(copy)) readCheckpointFile(copy);
      const key = ensureLedgerKeyFor(files, announceNewKey(files.keyFile));
      if (opts.exportPublicKey) {
        const pem = exportPublicKeyPem(key);
        if (opts.exportPublicKey === '-') process.stdout.write(pem);
        else {
          await writeOutputFile(opts.exportPublicKey, pem, outputPolicy(options, opts.force));
          printResult(json, { publicKeyFile: opts.exportPublicKey, publicKeyFingerprint: key.fingerprint }, () =>
            `Ledger public key written to ${opts.exportPublicKey} (fingerprint ${key.fingerprint}).`,
          );
        }
        return;
      }
      // A file of another ledger's checkpoints (data/demo.checkpoints.jsonl beside data/ledger.sqlite) would hold
      // one under a key not its own, and that ledger's verify would report it damaged (checkpoint-forged).
      // The configured checkpoint file (LEDGER_CHECKPOINT_FILE) is held to it too: it may name another ledger's file.
      for (const target of [file, ...copies]) assertOwnCheckpoints(target, key);
      const checkpoint = await withStore({ store: storeUrl }, (store) => createCheckpoint(store, key, file));
      for (const copy of copies) appendCheckpoint(copy, checkpoint);
      printResult(json, { ...checkpoint, file, copies }, () =>
        `Checkpoint signed: position ${checkpoint.position}, hash ${checkpoint.hash}, at ${checkpoint.time}, key ${checkpoint.publicKeyFingerprint}; appended to ${[file, ...copies].join(', ')}.`,
      );
    });
};
