import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { BIN } from './binary-harness';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

/**
 * Files the process may not write — a read-only mount, no write permission, an immutable file — are named as
 * such, with what to fix, where they used to be an errno or a bare SQLite code (`EPERM: operation not permitted,
 * open '….tmp'`, `SQLITE_READONLY`, `SQLITE_CANTOPEN`). The tests run as root, whom permission bits do not stop:
 * the immutable attribute (`chattr +i`) refuses root too (EPERM), as a read-only mount does (EROFS).
 */
const canMakeImmutable = ((): boolean => {
  try {
    const probe = join(tempDir().path, 'probe');
    writeFileSync(probe, '');
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const describeImmutable = canMakeImmutable ? describe : describe.skip;

describeImmutable('files the process may not write (chattr +i)', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const env = { TRIAL_LEDGER_PASSWORD: PASSWORD, TRIAL_LEDGER_KEY_DIR: dir.keyDir };
  const immutable: string[] = [];
  const makeImmutable = (path: string): void => {
    execFileSync('chattr', ['+i', path]);
    immutable.push(path);
  };
  const release = (): void => {
    for (const path of immutable.splice(0)) execFileSync('chattr', ['-i', path]);
  };
  const head = async (): Promise<number> => {
    const s = new SqliteEventStore(db);
    try {
      return (await s.head()).position;
    } finally {
      await s.close();
    }
  };

  beforeAll(async () => {
    await seedUsers(store);
  });
  afterEach(release);
  afterAll(() => {
    release();
    dir.remove();
  });

  it('given --out in a directory that cannot be written, the export is refused as OUTPUT.PERMISSION_DENIED with what to fix, exit 1, nothing recorded', async () => {
    const locked = join(dir.path, 'locked');
    mkdirSync(locked);
    makeImmutable(locked);
    const before = await head();
    for (const out of [join(locked, 'trail.csv'), join(locked, 'sub', 'trail.csv')]) {
      const run = await cli(['--store', store, 'export', 'audit-trail', '--as', 'monitor', '--format', 'csv', '--out', out], env);
      expect([run.status, run.stderr]).toEqual([1, expect.stringContaining('[OUTPUT.PERMISSION_DENIED]')]);
      expect(run.stderr).toContain(locked);
      expect(run.stderr).toMatch(/permission|read-only/i);
      expect(run.stderr).toMatch(/choose another --out/);
      expect(run.stderr).not.toMatch(/\.tmp|EPERM:/);
    }
    const json = await cli(['--store', store, '--json', 'export', 'audit-trail', '--as', 'monitor', '--format', 'csv', '--out', join(locked, 'trail.csv')], env);
    expect((JSON.parse(json.stdout) as { error: { code: string } }).error.code).toBe('OUTPUT.PERMISSION_DENIED');
    expect(await head()).toBe(before);
    release();
    expect(readdirSync(locked)).toEqual([]);
  });

  it('given a ledger file that cannot be written, a command that writes is refused as STORE.READ_ONLY in words, exit 1, not SQLITE_READONLY', async () => {
    const before = await head();
    makeImmutable(db);
    const run = await cli(['--store', store, 'export', 'audit-trail', '--as', 'monitor', '--format', 'csv', '--out', join(dir.path, 'x.csv')], env);
    expect([run.status, run.stderr]).toEqual([1, expect.stringContaining('[STORE.READ_ONLY]')]);
    expect(run.stderr).toMatch(/could not be written|cannot be written/);
    expect(run.stderr).toMatch(/make .* writable/);
    expect(existsSync(join(dir.path, 'x.csv'))).toBe(false);
    release();
    expect(await head()).toBe(before);
  });

  const serve = (): { status: number | null; refusal: { code: string; message: string } } => {
    const run = spawnSync(process.execPath, [BIN, '--store', store, '--json', 'serve', '--port', '0', '--checkpoint-every', '0'], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, ...env },
    });
    const first = run.stdout.trim().split('\n')[0] ?? '';
    return { status: run.status, refusal: (JSON.parse(first) as { error: { code: string; message: string } }).error };
  };

  it('given a ledger file that cannot be written, serve does not start: STORE.READ_ONLY in words, exit 1', () => {
    makeImmutable(db);
    const { status, refusal } = serve();
    expect([status, refusal.code]).toEqual([1, 'STORE.READ_ONLY']);
    expect(refusal.message).toMatch(/make .* writable/);
  });

  it('given a read-model file beside the ledger that cannot be written, serve does not start: STORE.READ_ONLY naming the file, exit 1', () => {
    const readModels = `${db}.read-models`;
    // Empty, as a file an operator created for the server (an existing one is opened for reading and stops the read models' saves later: readiness red).
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${readModels}${suffix}`, { force: true });
    writeFileSync(readModels, '');
    makeImmutable(readModels);
    const { status, refusal } = serve();
    expect([status, refusal.code]).toEqual([1, 'STORE.READ_ONLY']);
    expect(refusal.message).toContain(readModels);
    expect(refusal.message).toMatch(/make .* writable/);
  });
});
