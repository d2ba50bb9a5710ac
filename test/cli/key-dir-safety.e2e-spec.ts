import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { serve } from '../../apps/cli/src/serve/serve.command';
import { cli, tempDir } from './cli-harness';

const attackerKeyPem = (): string => generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

/**
 * The signing key is created on first use in the key directory. If other users may write that
 * directory, one of them can put a key of their own at its name first (or a symlink to one): every
 * checkpoint is then signed with a key they hold, the public key the operator hands to auditors is
 * theirs, and a log they rewrite and re-sign verifies as anchored. Refused, as ssh refuses its keys.
 */
describe('the key directory and the key file must be the operator’s own', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const store = `sqlite:${join(data, 'ledger.sqlite')}`;
  afterAll(() => dir.remove());

  beforeAll(async () => {
    mkdirSync(data);
    const s = new SqliteEventStore(join(data, 'ledger.sqlite'));
    await seedAuditLedger(s);
    await s.close();
  });

  it.each([['0777', 0o777], ['1777', 0o1777], ['0770', 0o770]])('a key directory of mode %s: checkpoint refuses with LEDGER_KEY.DIR_UNSAFE and creates no key', async (label, mode) => {
    const keyDir = join(dir.path, `shared-${label}`);
    mkdirSync(keyDir);
    chmodSync(keyDir, mode);
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER_KEY.DIR_UNSAFE]');
    expect(readdirSync(keyDir)).toEqual([]);
    expect(existsSync(join(data, 'ledger.checkpoints.jsonl'))).toBe(false);
  });

  it('serve refuses such a directory too, before it records anything', async () => {
    const keyDir = join(dir.path, 'shared-serve');
    mkdirSync(keyDir);
    chmodSync(keyDir, 0o777);
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await expect(serve({ store, port: 0, host: '127.0.0.1', json: true, keyDir, stopWhen: Promise.resolve() })).rejects.toMatchObject({ code: 'LEDGER_KEY.DIR_UNSAFE' });
    } finally {
      process.stderr.write = writeErr;
    }
    expect(readdirSync(keyDir)).toEqual([]);
  });

  it('a symlink at the key file, to a key someone else holds: LEDGER_KEY.FILE_UNSAFE, nothing signed', async () => {
    const keyDir = join(dir.path, 'planted-link');
    mkdirSync(keyDir, { mode: 0o700 });
    const elsewhere = join(dir.path, 'attacker.key.pem');
    writeFileSync(elsewhere, attackerKeyPem());
    symlinkSync(elsewhere, join(keyDir, 'ledger.key.pem'));
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER_KEY.FILE_UNSAFE]');
    expect(existsSync(join(data, 'ledger.checkpoints.jsonl'))).toBe(false);
  });

  (process.getuid?.() === 0 ? it : it.skip)('a key file owned by another user: LEDGER_KEY.FILE_UNSAFE (needs root to hand the file over)', async () => {
    const keyDir = join(dir.path, 'planted-owner');
    mkdirSync(keyDir, { mode: 0o700 });
    const planted = join(keyDir, 'ledger.key.pem');
    writeFileSync(planted, attackerKeyPem(), { mode: 0o600 });
    chownSync(planted, 65534, 65534);
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER_KEY.FILE_UNSAFE]');
  });

  it.each([['0644', 0o644], ['0640', 0o640], ['0604', 0o604]])('a key file of mode %s, which other users may read (and re-sign with): LEDGER_KEY.FILE_UNSAFE, nothing signed, the file left as it was', async (label, mode) => {
    const keyDir = join(dir.path, `readable-key-${label}`);
    mkdirSync(keyDir, { mode: 0o700 });
    const keyFile = join(keyDir, 'ledger.key.pem');
    const pem = attackerKeyPem();
    writeFileSync(keyFile, pem);
    chmodSync(keyFile, mode);
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER_KEY.FILE_UNSAFE]');
    expect(run.stderr).toContain('chmod 600');
    expect(existsSync(join(data, 'ledger.checkpoints.jsonl'))).toBe(false);
    expect(readFileSync(keyFile, 'utf8')).toBe(pem);
  });

  (process.getuid?.() === 0 ? it : it.skip)('a key directory owned by another user, even 0700: LEDGER_KEY.DIR_UNSAFE, no key created (needs root to hand it over)', async () => {
    const keyDir = join(dir.path, 'someone-elses');
    mkdirSync(keyDir, { mode: 0o700 });
    chownSync(keyDir, 65534, 65534);
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER_KEY.DIR_UNSAFE]');
    expect(run.stderr).toContain('belongs to another user');
    expect(readdirSync(keyDir)).toEqual([]);
  });

  it('a private key directory (0700, or 0755 as mkdir leaves it) is used as before', async () => {
    for (const [name, mode] of [['private', 0o700], ['readable', 0o755]] as const) {
      const keyDir = join(dir.path, name);
      mkdirSync(keyDir);
      chmodSync(keyDir, mode);
      const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
      expect(run.status).toBe(0);
      expect(existsSync(join(keyDir, 'ledger.key.pem'))).toBe(true);
      // The next key directory starts a key of its own: checkpoints signed by this one would refuse it (LEDGER_KEY.MISSING).
      rmSync(join(data, 'ledger.checkpoints.jsonl'));
    }
  });
});
