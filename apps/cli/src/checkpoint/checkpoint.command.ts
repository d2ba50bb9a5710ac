import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { createCheckpoint, ensureLedgerKey, exportPublicKeyPem, ledgerFiles } from '@trial-ledger/audit';
import { assertLedgerExists, globalOptions, withStore } from '../shared/cli-context';
import { printResult } from '../shared/output';

/**
 * `trial-ledger checkpoint [--out FILE]` signs the verified head of the log and appends it to the
 * checkpoint file; `--export-public-key FILE` writes the public half of the ledger key for a monitor or
 * regulator to keep (SPEC §4). The key pair is created on first use, beside the store (mode 0600).
 */
export const registerCheckpoint = (program: Command): void => {
  program
    .command('checkpoint')
    .description('Sign a checkpoint (position, hash, time) of the verified log, or export the ledger public key')
    .option('--out <file>', 'checkpoint file to append to (JSON lines); default: beside the store')
    .option('--export-public-key <file>', 'write the ledger public key (PEM) to FILE instead of signing; - for stdout')
    .action(async (opts: { out?: string; exportPublicKey?: string }, command: Command) => {
      const { store: storeUrl, json } = globalOptions(command);
      // A mistyped --store must not mint a new ledger key and sign a checkpoint of an empty ledger.
      assertLedgerExists(storeUrl);
      const files = ledgerFiles(storeUrl);
      const key = ensureLedgerKey(files.keyFile);
      if (opts.exportPublicKey) {
        const pem = exportPublicKeyPem(key);
        if (opts.exportPublicKey === '-') process.stdout.write(pem);
        else {
          await writeFile(opts.exportPublicKey, pem, { mode: 0o644 });
          printResult(json, { publicKeyFile: opts.exportPublicKey, publicKeyFingerprint: key.fingerprint }, () =>
            `Ledger public key written to ${opts.exportPublicKey} (fingerprint ${key.fingerprint}).`,
          );
        }
        return;
      }
      const file = opts.out ?? files.checkpointFile;
      const checkpoint = await withStore({ store: storeUrl }, (store) => createCheckpoint(store, key, file));
      printResult(json, { ...checkpoint, file }, () =>
        `Checkpoint signed: position ${checkpoint.position}, hash ${checkpoint.hash}, at ${checkpoint.time}, key ${checkpoint.publicKeyFingerprint}; appended to ${file}.`,
      );
    });
};
