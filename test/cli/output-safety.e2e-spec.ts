import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, lstatSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { BIN, runBinary, type BinaryRun } from './binary-harness';
import { PASSWORD, seedUsers, tempDir } from './cli-harness';

/** The CLI as a user runs it, in the test's directory. */
const run = (args: readonly string[], env: Record<string, string> = {}): Promise<BinaryRun> => runBinary(args, { env, cwd: dir.path });

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const mode = (file: string): number => statSync(file).mode & 0o777;

const dir = tempDir();
const db = join(dir.path, 'data', 'ledger.sqlite');
const store = `sqlite:${db}`;
let dbHash = '';

/** The ledger is intact and still holds every seeded event. */
const expectLedgerIntact = async (): Promise<void> => {
  const verify = await run(['--store', store, '--json', 'verify']);
  expect(verify.status).toBe(0);
  expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true, eventsChecked: 21 });
  expect(sha(db)).toBe(dbHash);
};

beforeAll(async () => {
  mkdirSync(join(dir.path, 'data'));
  const s = new SqliteEventStore(db);
  await seedAuditLedger(s);
  await s.close();
  dbHash = sha(db);
});
afterAll(() => dir.remove());

describe('outputs that cannot destroy the ledger (CLI as a process, real SQLite file)', () => {
  it.each([
    ['report --out', ['report', '--out', db]],
    ['pfs --plot, spelled through ..', ['pfs', '--plot', join(dir.path, 'data', '..', 'data', 'ledger.sqlite')]],
    ['export adtte --out, relative', ['export', 'adtte', '--out', 'data/ledger.sqlite']],
    ['export audit-trail --format json --out, with --force', ['export', 'audit-trail', '--format', 'json', '--out', db, '--force']],
    ['export odm --out the WAL', ['export', 'odm', '--out', `${db}-wal`]],
    ['export odm --out the sessions file, with --force', ['export', 'odm', '--out', `${db}.sessions`, '--force']],
    ['report --out the sessions file\'s WAL', ['report', '--out', `${db}.sessions-wal`]],
    ['export odm --out the audit-trail index, with --force', ['export', 'odm', '--out', `${db}.audit-index`, '--force']],
    ['report --out the read models\' WAL', ['report', '--out', `${db}.read-models-wal`]],
    ['export odm --out the sessions\' seal key, with --force', ['export', 'odm', '--out', join(process.env.TRIAL_LEDGER_KEY_DIR as string, 'ledger.sessions-seal.key'), '--force']],
    ['checkpoint --out (appends)', ['checkpoint', '--out', db]],
  ])('refuses %s onto the store with OUTPUT.IS_LEDGER_FILE, exit 1, and the ledger stays intact', async (_name, argv) => {
    const result = await run(['--store', store, ...argv]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    await expectLedgerIntact();
  });

  it('refuses export odm onto the signing key, and onto a hard link to the store (same inode)', async () => {
    const keyDir = join(dir.path, 'keys');
    expect((await run(['--store', store, '--key-dir', keyDir, 'checkpoint'])).status).toBe(0);
    const keyFile = join(keyDir, 'ledger.key.pem');
    const keyHash = sha(keyFile);
    const onKey = await run(['--store', store, '--key-dir', keyDir, 'export', 'odm', '--out', keyFile, '--force']);
    expect(onKey.status).toBe(1);
    expect(onKey.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    expect(sha(keyFile)).toBe(keyHash);

    const link = join(dir.path, 'innocent.xml');
    linkSync(db, link);
    const onLink = await run(['--store', store, 'export', 'odm', '--out', link, '--force']);
    expect(onLink.status).toBe(1);
    expect(onLink.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    await expectLedgerIntact();
  });

  it('refuses to overwrite an existing file without --force (OUTPUT.EXISTS), replaces it with --force, and creates exports 0600', async () => {
    const out = join(dir.path, 'trail.csv');
    writeFileSync(out, 'keep me\n', { mode: 0o644 });
    const refused = await run(['--store', store, 'export', 'audit-trail', '--format', 'csv', '--out', out]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('[OUTPUT.EXISTS]');
    expect(readFileSync(out, 'utf8')).toBe('keep me\n');

    // A successful export is run as a user and recorded: on a ledger of its own, with real accounts.
    mkdirSync(join(dir.path, 'users'));
    const withUsers = `sqlite:${join(dir.path, 'users', 'ledger.sqlite')}`;
    await seedUsers(withUsers);
    const forced = await run(['--store', withUsers, '--as', 'monitor', 'export', 'audit-trail', '--format', 'csv', '--out', out, '--force'], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(forced.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('recorded_at_utc');
    expect(mode(out)).toBe(0o600);

    const dash = await run(['--store', store, 'pfs', '--plot', '-']);
    expect(dash.status).toBe(2);
    expect(dash.stderr).toContain('[CLI.INVALID_OPTION]');

    const svg = join(dir.path, 'plots', 'km.svg');
    expect((await run(['--store', store, 'pfs', '--plot', svg])).status).toBe(0);
    expect(readFileSync(svg, 'utf8')).toContain('<svg');
    expect(mode(svg)).toBe(0o600);
    expect(mode(join(dir.path, 'plots'))).toBe(0o700);
  });

  it.each([
    ['export odm --out ""', ['export', 'odm', '--out', '']],
    ['export audit-trail --out " "', ['export', 'audit-trail', '--format', 'csv', '--out', ' ']],
    ['export adtte --out ""', ['export', 'adtte', '--out', '']],
    ['export adtte --define ""', ['export', 'adtte', '--out', 'adtte.csv', '--define', '']],
    ['report --out ""', ['report', '--out', '']],
    ['pfs --plot ""', ['pfs', '--plot', '']],
    ['checkpoint --out ""', ['checkpoint', '--out', '']],
    ['checkpoint --copy-to ""', ['checkpoint', '--copy-to', '']],
    ['checkpoint --export-public-key ""', ['checkpoint', '--export-public-key', '']],
  ])('refuses %s (an unset variable in "--out $FILE") as a usage error, CLI.INVALID_OPTION, exit 2: never the data on stdout, nor an export without its file', async (_name, argv) => {
    const before = readdirSync(dir.path).sort();
    const result = await run(['--store', store, ...argv]);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 2, stdout: '' });
    expect(result.stderr).toContain('[CLI.INVALID_OPTION]');
    expect(readdirSync(dir.path).sort()).toEqual(before);
    await expectLedgerIntact();
  });

  it('leaves an existing output file untouched, and no temporary file, when the export fails', async () => {
    const out = join(dir.path, 'study.odm.xml');
    writeFileSync(out, '<previous/>');
    const failed = await run(['--store', `sqlite:${join(dir.path, 'data', 'typo.sqlite')}`, 'export', 'odm', '--out', out, '--force']);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('[STORE.NOT_FOUND]');
    expect(readFileSync(out, 'utf8')).toBe('<previous/>');
    expect(readdirSync(dir.path).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('never follows a symlink at the destination, even with --force (OUTPUT.SYMLINK)', async () => {
    const victim = join(dir.path, 'victim.txt');
    writeFileSync(victim, 'precious');
    const link = join(dir.path, 'report.html');
    symlinkSync(victim, link);
    const result = await run(['--store', store, 'report', '--out', link, '--force']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[OUTPUT.SYMLINK]');
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('export adtte checks both the CSV and its dictionary before writing either', async () => {
    const csv = join(dir.path, 'adtte.csv');
    writeFileSync(join(dir.path, 'adtte.define.md'), 'old dictionary');
    const result = await run(['--store', store, 'export', 'adtte', '--out', csv]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[OUTPUT.EXISTS]');
    expect(existsSync(csv)).toBe(false);
  });

  it('export adtte refuses a dictionary at the CSV\'s own path (OUTPUT.SAME_FILE), even with --force, before anything is written or recorded', async () => {
    const csv = join(dir.path, 'same.csv');
    const result = await run(['--store', store, '--as', 'admin', 'export', 'adtte', '--out', csv, '--define', join(dir.path, '.', 'same.csv'), '--force'], { TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[OUTPUT.SAME_FILE]');
    expect(existsSync(csv)).toBe(false);
    await expectLedgerIntact();
  });
});

describe('demo --fresh wipes only an earlier demo', () => {
  it('refuses to wipe a real ledger (DEMO.NOT_A_DEMO_STORE) and leaves it intact', async () => {
    const result = await run(['--store', store, 'demo', '--fresh', '--today', '2026-03-01']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[DEMO.NOT_A_DEMO_STORE]');
    await expectLedgerIntact();
  });

  it('refuses to delete a file that is not a ledger at all', async () => {
    const notes = join(dir.path, 'notes.txt');
    writeFileSync(notes, 'not a database, just notes that must survive');
    const result = await run(['--store', `sqlite:${notes}`, 'demo', '--fresh', '--today', '2026-03-01']);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[DEMO.NOT_A_DEMO_STORE]');
    expect(readFileSync(notes, 'utf8')).toBe('not a database, just notes that must survive');
  });
});

describe('file modes of what the CLI creates', () => {
  it('creates the store, its WAL files and the key 0600 and the key directory 0700, with the key outside the store directory', async () => {
    const fresh = join(dir.path, 'site', 'ledger.sqlite');
    const keyDir = join(dir.path, 'operator-keys');
    const created = await run(['--store', `sqlite:${fresh}`, 'users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], {
      TRIAL_LEDGER_PASSWORD: 'correct horse battery staple 42',
      TRIAL_LEDGER_KEY_DIR: keyDir,
    });
    expect(created.status).toBe(0);
    expect(created.stdout).toMatch(/public key fingerprint sha256:[0-9a-f]{64}/);
    for (const file of [fresh, `${fresh}-wal`, `${fresh}-shm`, join(keyDir, 'ledger.key.pem')]) {
      if (existsSync(file)) expect([file, mode(file)]).toEqual([file, 0o600]);
    }
    expect(existsSync(join(keyDir, 'ledger.key.pem'))).toBe(true);
    expect(mode(keyDir)).toBe(0o700);
    expect(readdirSync(join(dir.path, 'site')).filter((f) => f.includes('key'))).toEqual([]);
  });
});

describe('file modes of what serve creates', () => {
  it('creates the store, the read-model file, the signing key and the sessions\' seal key 0600', async () => {
    const file = join(dir.path, 'served', 'ledger.sqlite');
    const keyDir = join(dir.path, 'server-keys');
    // At info: the line naming the new key is read below (the test run's level is silent).
    const child = spawn(process.execPath, [BIN, '--store', `sqlite:${file}`, '--key-dir', keyDir, '--json', 'serve', '--port', '0'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, TRIAL_LEDGER_LOG_LEVEL: 'info' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    try {
      const started = Date.now();
      while (!out.includes('\n') && Date.now() - started < 60_000) await new Promise((r) => setTimeout(r, 100));
      const ready = JSON.parse(out.split('\n')[0]) as { health: string };
      expect((await fetch(ready.health)).status).toBe(200);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(err).toMatch(/created the ledger signing key .*server-keys\/ledger\.key\.pem/);
    for (const created of [file, `${file}.read-models`, `${file}.audit-index`, join(keyDir, 'ledger.key.pem'), join(keyDir, 'ledger.sessions-seal.key')]) expect([created, mode(created)]).toEqual([created, 0o600]);
    expect(mode(join(dir.path, 'served'))).toBe(0o700);
  });
});
