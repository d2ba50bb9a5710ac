import { existsSync } from 'node:fs';
import { checkCheckpointSignature, readCheckpointFile, type LedgerSigningKey } from '@trial-ledger/audit';
import { CliError } from '../shared/cli-errors';

/** Refuses (`CHECKPOINT.OTHER_LEDGER`, exit 1) a checkpoint file holding a checkpoint this ledger's key did not sign. */
export const assertOwnCheckpoints = (file: string, key: LedgerSigningKey): void => {
  if (!existsSync(file)) return;
  const foreign = readCheckpointFile(file).find((c) => checkCheckpointSignature(c, key.publicKey) !== 'valid');
  if (foreign) {
    throw new CliError(
      `Refusing to append to ${file}: it holds a checkpoint (position ${foreign.position}) signed by ${foreign.publicKeyFingerprint}, not by this ledger's key ${key.fingerprint} — another ledger's checkpoints; choose another file`,
      1,
      'CHECKPOINT.OTHER_LEDGER',
    );
  }
};

