import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { serve } from '../../apps/cli/src/serve/serve.command';
import { cli, tempDir } from './cli-harness';

/**
 * The signing key is never beside the store: whoever can write the data directory could then re-sign a
 * rewritten log with the ledger's own key. A key directory that is the store's directory (`--key-dir .`
 * run from `data/`) or lies inside it is refused, as a trust file there is (TRUST.INSIDE_STORE_DIR).
 */
describe('the key directory may not be the store’s directory or lie inside it', () => {
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

  const before = (): string[] => readdirSync(data).sort();

  it.each([
    ['the store directory itself', () => data],
    ['the store directory spelled with ..', () => join(data, 'keys', '..')],
    ['a directory inside it', () => join(data, 'keys')],
  ])('checkpoint with %s: LEDGER_KEY.INSIDE_STORE_DIR, no key, no checkpoint', async (_label, keyDir) => {
    const files = before();
    const run = await cli(['--store', store, '--key-dir', keyDir(), 'checkpoint']);
    expect(run.stderr).toContain('[LEDGER_KEY.INSIDE_STORE_DIR]');
    expect(run.status).toBe(1);
    expect(before()).toEqual(files);
  });

  it('a key directory reached through a symlink into the store directory is refused too', async () => {
    const link = join(dir.path, 'keys-link');
    symlinkSync(data, link);
    const run = await cli(['--store', store, '--key-dir', link, 'checkpoint']);
    expect(run.stderr).toContain('[LEDGER_KEY.INSIDE_STORE_DIR]');
    expect(existsSync(join(data, 'ledger.key.pem'))).toBe(false);
  });

  it.each([
    ['checkpoint --export-public-key', ['checkpoint', '--export-public-key', '-']],
    ['proof inclusion', ['proof', 'inclusion', '--position', '1', '--out', '-']],
  ])('%s refuses such a key directory as well', async (_label, args) => {
    const files = before();
    const run = await cli(['--store', store, '--key-dir', data, ...args]);
    expect(run.stderr + run.stdout).toContain('LEDGER_KEY.INSIDE_STORE_DIR');
    expect(before()).toEqual(files);
  });

  it('verify does not check the checkpoints under a key found there', async () => {
    const planted = join(data, 'ledger.key.pem');
    writeFileSync(planted, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    try {
      const run = await cli(['--store', store, '--key-dir', data, 'verify']);
      expect(run.stderr).toContain('[LEDGER_KEY.INSIDE_STORE_DIR]');
      expect(run.status).toBe(1);
    } finally {
      rmSync(planted);
    }
  });

  it('serve refuses it before it creates any key or records anything', async () => {
    const files = before();
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await expect(serve({ store, port: 0, host: '127.0.0.1', json: true, keyDir: data, stopWhen: Promise.resolve() })).rejects.toMatchObject({ code: 'LEDGER_KEY.INSIDE_STORE_DIR' });
    } finally {
      process.stderr.write = writeErr;
    }
    expect(before()).toEqual(files);
  });

  it('a key directory beside the store directory is used as before', async () => {
    const keyDir = join(dir.path, 'keys');
    const run = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint']);
    expect(run.stderr).not.toContain('INSIDE_STORE_DIR');
    expect(run.status).toBe(0);
    expect(existsSync(join(keyDir, 'ledger.key.pem'))).toBe(true);
  });
});
