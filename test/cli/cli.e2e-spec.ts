import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './cli-harness';

describe('trial-ledger (program)', () => {
  it('--help lists the commands and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.status).toBe(0);
    for (const command of ['serve', 'study', 'import', 'demo', 'migrate']) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('study --help lists register, amend, lock, unlock and show', async () => {
    const run = await cli(['study', '--help']);
    expect(run.status).toBe(0);
    for (const sub of ['register', 'amend', 'lock', 'unlock', 'show']) expect(run.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
  });

  it('an unknown command or option is a usage error: exit status 2', async () => {
    expect((await cli(['frobnicate'])).status).toBe(2);
    expect((await cli(['demo', '--no-such-option'])).status).toBe(2);
    expect((await cli(['serve', '--port', 'eighty'])).status).toBe(2);
  });

  describe('read-only commands on a --store path that names no ledger', () => {
    const dir = tempDir();
    afterAll(() => dir.remove());

    it.each([
      ['verify'],
      ['replay', '--subject', 'S001'],
      ['pfs'],
      ['audit-trail'],
      ['export', 'odm', '--out', '-'],
      ['export', 'adtte', '--out', '-'],
      ['report', '--out', '-'],
      ['checkpoint'],
      ['checkpoint', '--export-public-key', '-'],
    ])('when %s is run on a mistyped SQLite path, then it fails with STORE.NOT_FOUND and creates no file', async (...argv: string[]) => {
      const missing = join(dir.path, 'no-such-dir', 'typo.sqlite');
      const run = await cli([...argv, '--store', `sqlite:${missing}`, '--json']);
      expect(run.status).toBe(1);
      expect(`${run.stdout}${run.stderr}`).toContain('STORE.NOT_FOUND');
      expect(existsSync(missing)).toBe(false);
      expect(existsSync(join(dir.path, 'no-such-dir'))).toBe(false);
      expect(existsSync(join(process.env.TRIAL_LEDGER_KEY_DIR as string, 'typo.key.pem'))).toBe(false);
    });
  });
});
