import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTreeHeads } from '../transparency/tree-heads';
import { ensureLedgerKey, exportPublicKeyPem, loadPublicKey } from './ledger-key';
import { readCheckpointFile } from './signed-checkpoint';

/**
 * The files an auditor names on the command line (`--checkpoints`, `--public-key`, a kept tree head) are
 * read only when they are regular files: a directory gets a stable code, not a raw EISDIR, and a device or a
 * FIFO (`/dev/zero`, a named pipe nobody writes to) is refused at once instead of being read forever.
 */
describe('files an auditor hands to verify, review and proof', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'auditor-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fifo = (): string => {
    const path = join(dir, 'pipe');
    execFileSync('mkfifo', [path]);
    return path;
  };

  it('given a directory, /dev/zero or a FIFO as a checkpoint file, then CHECKPOINT.MALFORMED without reading it', () => {
    for (const file of [dir, '/dev/zero', fifo()]) {
      expect(() => readCheckpointFile(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.MALFORMED' }));
      expect(() => readTreeHeads(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.MALFORMED' }));
    }
  });

  it('given a directory, /dev/zero, a FIFO or a file that holds no key as the public key, then LEDGER_KEY.MALFORMED', () => {
    const notAKey = join(dir, 'proof.json');
    writeFileSync(notAKey, '{"format":"trial-ledger/inclusion-proof/v1"}\n');
    for (const file of [dir, '/dev/zero', fifo(), notAKey]) {
      expect(() => loadPublicKey(file)).toThrow(expect.objectContaining({ code: 'LEDGER_KEY.MALFORMED' }));
    }
  });

  it('given the exported public key, then it loads', () => {
    const key = ensureLedgerKey(join(dir, 'key.pem'));
    const pub = join(dir, 'ledger.pub.pem');
    writeFileSync(pub, exportPublicKeyPem(key));
    expect(loadPublicKey(pub).asymmetricKeyType).toBe('ed25519');
  });
});
