import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, PASSWORD, seededAuditStore } from './cli-harness';

const { dir, store, keyDir, headPosition, seed } = seededAuditStore();

beforeAll(async () => {
  await seed();
  writeFileSync(join(dir.path, 'notes.txt'), 'a file, not a directory');
});
afterAll(() => dir.remove());

describe('an output path that can never name a file is refused before the export is computed or recorded', () => {
  it.each([
    ['report, a directory path ending in a slash that does not exist yet', ['report', '--out', `${join(dir.path, 'newdir', 'sub')}/`], join(dir.path, 'newdir')],
    ['export odm, a path through an existing file', ['export', 'odm', '--out', join(dir.path, 'notes.txt', 'study.odm.xml')], null],
    ['export adtte, a directory path ending in a slash', ['export', 'adtte', '--out', `${join(dir.path, 'adtte')}/`], join(dir.path, 'adtte')],
    ['export audit-trail, the current directory', ['export', 'audit-trail', '--format', 'csv', '--out', '.'], null],
  ])('given %s, then OUTPUT.NOT_A_FILE, exit 1, no DataExported and no directory created', async (_name, argv, mustNotExist) => {
    const before = await headPosition();
    const result = await cli(['--store', store, '--key-dir', keyDir, '--as', 'monitor', ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(result.stderr).toContain('[OUTPUT.NOT_A_FILE]');
    expect(result.status).toBe(1);
    expect(await headPosition()).toBe(before);
    if (mustNotExist) expect(existsSync(mustNotExist)).toBe(false);
  });
});

describe('the key directory is shared by every ledger the operator runs', () => {
  it.each([
    ['another ledger\'s signing key', 'production.key.pem'],
    ['another ledger\'s sessions\' seal key', 'production.sessions-seal.key'],
  ])('given an export onto %s there, even with --force, then OUTPUT.IS_LEDGER_FILE, the key untouched and nothing recorded', async (_name, file) => {
    mkdirSync(keyDir, { recursive: true, mode: 0o700 });
    const key = join(keyDir, file);
    writeFileSync(key, '-----BEGIN PRIVATE KEY-----\nnot really, but precious\n-----END PRIVATE KEY-----\n', { mode: 0o600 });
    const before = await headPosition();
    const result = await cli(['--store', store, '--key-dir', keyDir, '--as', 'monitor', 'export', 'odm', '--out', key, '--force'], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(result.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    expect(result.status).toBe(1);
    expect(readFileSync(key, 'utf8')).toContain('not really, but precious');
    expect(await headPosition()).toBe(before);
  });

  it('given a public key exported into the key directory, then it is written (only keys and the trust file are guarded)', async () => {
    const result = await cli(['--store', store, '--key-dir', keyDir, 'checkpoint', '--export-public-key', join(keyDir, 'ledger.pub.pem')]);
    expect(result.stderr).not.toContain('[OUTPUT.');
    expect(result.status).toBe(0);
    expect(readFileSync(join(keyDir, 'ledger.pub.pem'), 'utf8')).toContain('BEGIN PUBLIC KEY');
  });
});
