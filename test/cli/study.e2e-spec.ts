import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

describe('trial-ledger study', () => {
  const dir = tempDir();
  const store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  const as = (user: string, ...argv: string[]) => cli(['--store', store, '--as', user, ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });

  beforeAll(async () => {
    await seedUsers(store);
  });
  afterAll(() => dir.remove());

  it('given no study, when show runs, then it fails with STUDY.NOT_FOUND', async () => {
    const run = await cli(['--store', store, 'study', 'show']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('STUDY.NOT_FOUND');
  });

  it('refuses a coordinator registering the study, then registers it as the admin with the seed protocol', async () => {
    const refused = await as('coordinator', 'study', 'register');
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toMatch(/\[(AUTH|ROLE)\.[A-Z_]+\]/);

    const run = await as('admin', '--json', 'study', 'register');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ command: 'RegisterStudy', studyId: 'LANR-HGNET-01', events: [{ type: 'StudyRegistered' }] });
  });

  it('refuses a wrong password with an authentication code and exit status 1', async () => {
    const run = await cli(['--store', store, '--as', 'admin', 'study', 'lock', '--reason', 'interim'], { TRIAL_LEDGER_PASSWORD: 'not the password at all' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/\[AUTH\.[A-Z_]+\]/);
  });

  it('amends the protocol to version 2 with a reason, locks and unlocks, and show reports each state', async () => {
    const amended = { ...(JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { protocol: Record<string, unknown> }).protocol, version: 2, design: 'single arm, open label, phase II (amendment 1)' };
    const file = join(dir.path, 'amendment-1.json');
    writeFileSync(file, JSON.stringify(amended));
    expect((await as('admin', 'study', 'amend', '--protocol', file, '--reason', 'Clarify design wording')).status).toBe(0);

    expect((await as('admin', 'study', 'lock', '--reason', 'Database lock for the interim analysis')).status).toBe(0);
    const locked = await cli(['--store', store, 'study', 'show']);
    expect(locked.stdout).toContain('protocol version 2');
    expect(locked.stdout).toContain('LOCKED');

    expect((await as('admin', 'study', 'unlock', '--reason', 'Interim analysis done')).status).toBe(0);
    const shown = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { locked: boolean; protocolVersion: number };
    expect(shown).toMatchObject({ locked: false, protocolVersion: 2 });
  });

  it('refuses registering the study twice and an amendment that is not a valid protocol document', async () => {
    const twice = await as('admin', 'study', 'register');
    expect(twice.status).toBe(1);
    expect(twice.stderr).toMatch(/\[STUDY\.[A-Z_]+\]/);

    const broken = join(dir.path, 'broken.json');
    writeFileSync(broken, '{"studyId": "LANR-HGNET-01",');
    const notJson = await as('admin', '--json', 'study', 'amend', '--protocol', broken, '--reason', 'typo');
    expect(notJson.status).toBe(1);
    expect(JSON.parse(notJson.stdout)).toMatchObject({ error: { code: 'PROTOCOL.INVALID_JSON' } });

    const invalid = join(dir.path, 'invalid.json');
    writeFileSync(invalid, JSON.stringify({ studyId: 'LANR-HGNET-01', version: 3, targetEnrollment: -1 }));
    const refused = await as('admin', 'study', 'amend', '--protocol', invalid, '--reason', 'bad document');
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/\[PROTOCOL\.[A-Z_]+\]/);
  });

  it('refuses a protocol document that is not UTF-8 (PROTOCOL.INVALID_UTF8) instead of registering a study id holding U+FFFD', async () => {
    const shown = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { protocol: Record<string, unknown> };
    const latin1 = join(dir.path, 'latin1.json');
    writeFileSync(latin1, Buffer.from(JSON.stringify({ ...shown.protocol, studyId: 'DXP-02', version: 1 }), 'utf8').map((byte) => (byte === 0x58 ? 0xdc : byte)));

    const run = await as('admin', '--json', 'study', 'register', '--protocol', latin1);

    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'PROTOCOL.INVALID_UTF8' } });
    expect((await cli(['--store', store, 'study', 'show', '--study', 'D\uFFFDP-02'])).status).toBe(1);
  });

  it('refuses a protocol document naming one member twice (PROTOCOL.DUPLICATE_KEY with its pointer) on register and amend; nothing is written', async () => {
    const shown = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { protocol: Record<string, unknown>; protocolVersion: number };
    // JSON.parse would keep the last value: a study of 280 subjects behind a document that reads 28 first.
    const twiceAtTop = join(dir.path, 'duplicate-top.json');
    writeFileSync(twiceAtTop, JSON.stringify({ ...shown.protocol, studyId: 'DUPKEY-01', version: 1 }).replace('"targetEnrollment":28', '"targetEnrollment":28,"targetEnrollment":280'));
    const registered = await as('admin', '--json', 'study', 'register', '--protocol', twiceAtTop);
    expect(registered.status).toBe(1);
    expect(JSON.parse(registered.stdout)).toMatchObject({ error: { code: 'PROTOCOL.DUPLICATE_KEY', details: { pointer: '/targetEnrollment' } } });
    expect((await cli(['--store', store, 'study', 'show', '--study', 'DUPKEY-01'])).status).toBe(1);

    const nested = join(dir.path, 'duplicate-nested.json');
    writeFileSync(nested, JSON.stringify({ ...shown.protocol, version: shown.protocolVersion + 1 }).replace('"doseMg":120', '"doseMg":120,"d\\u006fseMg":12'));
    const amended = await as('admin', 'study', 'amend', '--protocol', nested, '--reason', 'dose typo');
    expect(amended.status).toBe(1);
    expect(amended.stderr).toContain('/treatment/doseMg');
    expect(amended.stderr).toContain('[PROTOCOL.DUPLICATE_KEY]');
    const after = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { protocolVersion: number };
    expect(after.protocolVersion).toBe(shown.protocolVersion);
  });

  it('refuses registering a study whose id equals a registered one ignoring case (STUDY.ID_CONFUSABLE); nothing is written', async () => {
    const shown = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { protocol: Record<string, unknown> };
    const file = join(dir.path, 'confusable.json');
    writeFileSync(file, JSON.stringify({ ...shown.protocol, studyId: 'lanr-hgnet-01', version: 1 }));
    const run = await as('admin', '--json', 'study', 'register', '--protocol', file);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ error: { code: 'STUDY.ID_CONFUSABLE', details: { studyId: 'lanr-hgnet-01', registeredStudyId: 'LANR-HGNET-01' } } });
    expect((await cli(['--store', store, 'study', 'show', '--study', 'lanr-hgnet-01'])).status).toBe(1);
  });

  it.each([
    ['a device that never ends (/dev/zero: it was read until memory ran out)', (): string => '/dev/zero', 'PROTOCOL.FILE_UNREADABLE'],
    ['a directory', (): string => dir.path, 'PROTOCOL.FILE_UNREADABLE'],
    ['a file over 1 MiB', (): string => {
      const file = join(dir.path, 'huge.json');
      writeFileSync(file, `{"padding": "${'x'.repeat(1024 * 1024)}"}`);
      return file;
    }, 'PROTOCOL.FILE_TOO_LARGE'],
  ])('refuses a --protocol that is %s at once (exit status 2), before anything is recorded', async (_what, file, code) => {
    const before = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { protocolVersion: number };
    const run = await as('admin', 'study', 'amend', '--protocol', file(), '--reason', 'amendment');
    expect(run.stderr).toContain(`[${code}]`);
    expect(run.status).toBe(2);
    const after = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { protocolVersion: number };
    expect(after.protocolVersion).toBe(before.protocolVersion);
  }, 15_000);

  it('requires a reason to lock (usage error, exit status 2)', async () => {
    const run = await as('admin', 'study', 'lock');
    expect(run.status).toBe(2);
  });

  it.each([
    ['empty', '', 'VALIDATION.REASON_REQUIRED'],
    ['only a zero-width space', '\u200b', 'VALIDATION.REASON_REQUIRED'],
    ['an escape sequence', 'x\u001b[2J', 'VALIDATION.UNPRINTABLE_CHARACTER'],
    ['a right-to-left override', 'interim \u202eanalysis', 'VALIDATION.UNPRINTABLE_CHARACTER'],
    ['over 2,000 characters (the API bodies\' bound)', 'r'.repeat(2001), 'VALIDATION.TOO_LONG'],
  ])('refuses a --reason that is %s as the same usage error (exit status 2), before anything is recorded', async (_what, reason, code) => {
    const before = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { locked: boolean };
    for (const command of ['lock', 'unlock']) {
      const run = await as('admin', 'study', command, '--reason', reason);
      expect(run.stderr).toContain(`[${code}]`);
      expect(run.status).toBe(2);
    }
    const after = JSON.parse((await cli(['--store', store, '--json', 'study', 'show'])).stdout) as { locked: boolean };
    expect(after.locked).toBe(before.locked);
  });
});
