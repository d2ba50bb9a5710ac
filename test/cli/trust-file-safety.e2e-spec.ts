import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { cli, tempDir } from './cli-harness';

/**
 * The auditor's trust file holds the pinned key and the checkpoint position and hash they confirmed: what
 * `verify`'s verdict rests on. One that other users may write (or a symlink to one) could be re-pinned to
 * the operator's new key, or have its confirmed position lowered, so a rewritten and re-signed log would
 * verify as anchored. Refused like a shared key directory, before it is read or written.
 */
describe('the trust file must be the auditor’s own', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const store = `sqlite:${join(data, 'ledger.sqlite')}`;
  const operator = { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'operator') };
  const publicKey = join(dir.path, 'ledger.pub.pem');
  afterAll(() => dir.remove());

  beforeAll(async () => {
    mkdirSync(data);
    const s = new SqliteEventStore(join(data, 'ledger.sqlite'));
    await seedAuditLedger(s);
    await s.close();
    expect((await cli(['--store', store, 'checkpoint'], operator)).status).toBe(0);
    expect((await cli(['--store', store, 'checkpoint', '--export-public-key', publicKey], operator)).status).toBe(0);
  });

  it('given a trust file others may write, verify --pin-key and verify refuse with TRUST.FILE_UNSAFE and leave it as it was', async () => {
    const auditorDir = join(dir.path, 'auditor-writable');
    mkdirSync(auditorDir, { mode: 0o700 });
    const trustFile = join(auditorDir, 'trusted-keys.json');
    writeFileSync(trustFile, '{"version":1,"pins":[]}\n');
    chmodSync(trustFile, 0o666);
    const env = { TRIAL_LEDGER_KEY_DIR: auditorDir };
    const pin = await cli(['--store', store, 'verify', '--pin-key', publicKey], env);
    expect(pin.status).toBe(1);
    expect(pin.stderr).toContain('[TRUST.FILE_UNSAFE]');
    const verify = await cli(['--store', store, 'verify'], env);
    expect(verify.status).toBe(1);
    expect(verify.stderr).toContain('[TRUST.FILE_UNSAFE]');
    expect(readFileSync(trustFile, 'utf8')).toBe('{"version":1,"pins":[]}\n');
  });

  it('given a trust file in a directory others may write, or a symlink at its path, verify --pin-key refuses with TRUST.FILE_UNSAFE', async () => {
    const shared = join(dir.path, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const inShared = await cli(['--store', store, 'verify', '--pin-key', publicKey], { TRIAL_LEDGER_TRUST_FILE: join(shared, 'trust.json') });
    expect(inShared.status).toBe(1);
    expect(inShared.stderr).toContain('[TRUST.FILE_UNSAFE]');

    const auditorDir = join(dir.path, 'auditor-link');
    mkdirSync(auditorDir, { mode: 0o700 });
    const elsewhere = join(shared, 'planted.json');
    writeFileSync(elsewhere, '{"version":1,"pins":[]}\n');
    symlinkSync(elsewhere, join(auditorDir, 'trusted-keys.json'));
    const linked = await cli(['--store', store, 'verify', '--pin-key', publicKey], { TRIAL_LEDGER_KEY_DIR: auditorDir });
    expect(linked.status).toBe(1);
    expect(linked.stderr).toContain('[TRUST.FILE_UNSAFE]');
    expect(readFileSync(elsewhere, 'utf8')).toBe('{"version":1,"pins":[]}\n');
  });

  it('given the auditor’s own private directory, the key is pinned and verify is anchored', async () => {
    const auditorDir = join(dir.path, 'auditor');
    mkdirSync(auditorDir, { mode: 0o700 });
    const pin = await cli(['--store', store, '--json', 'verify', '--pin-key', publicKey], { TRIAL_LEDGER_KEY_DIR: auditorDir });
    expect(pin.status).toBe(0);
    expect(JSON.parse(pin.stdout)).toMatchObject({ ok: true, anchored: true });
  });
});
