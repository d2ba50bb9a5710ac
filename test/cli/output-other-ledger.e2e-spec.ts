import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, PASSWORD, seededAuditStore } from './cli-harness';

const { dir, db, store, keyDir, headPosition, seed } = seededAuditStore();

const asMonitor = (argv: readonly string[]) => cli(['--store', store, '--key-dir', keyDir, '--as', 'monitor', ...argv], { TRIAL_LEDGER_PASSWORD: PASSWORD });

beforeAll(async () => {
  await seed();
});
afterAll(() => dir.remove());

describe('an export never replaces another ledger kept beside this one', () => {
  it('given --out naming another SQLite ledger (data/production.sqlite beside data/ledger.sqlite), even with --force, then OUTPUT.IS_LEDGER_FILE, that ledger intact and nothing recorded', async () => {
    const other = join(dir.path, 'data', 'production.sqlite');
    copyFileSync(db, other);
    const bytes = readFileSync(other);
    const before = await headPosition();
    const result = await asMonitor(['export', 'odm', '--out', other, '--force']);
    expect(result.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    expect(result.status).toBe(1);
    expect(readFileSync(other).equals(bytes)).toBe(true);
    expect(await headPosition()).toBe(before);
  });

  // Evidence of another ledger that is no SQLite database: its signed checkpoints (kept beside its store),
  // a signing key kept outside the shared key directory (LEDGER_KEY_FILE, an earlier version's key beside
  // its store) and an auditor's trust file (TRIAL_LEDGER_TRUST_FILE). Replaced by a report, the checkpoints
  // an auditor verifies against, or the key that signed them, are gone.
  it.each([
    ['its signed checkpoint file', async (): Promise<string> => {
      const other = join(dir.path, 'data', 'archive.sqlite');
      copyFileSync(db, other);
      expect((await cli(['--store', `sqlite:${other}`, '--key-dir', keyDir, 'checkpoint'])).status).toBe(0);
      return join(dir.path, 'data', 'archive.checkpoints.jsonl');
    }],
    ['a private key (PKCS#8 PEM) kept outside the key directory', async (): Promise<string> => {
      const file = join(dir.path, 'archive.key.pem');
      writeFileSync(file, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
      return file;
    }],
    ['an auditor\'s trust file kept elsewhere', async (): Promise<string> => {
      const file = join(dir.path, 'auditor-trusted-keys.json');
      writeFileSync(file, `${JSON.stringify({ version: 1, pins: [] }, null, 2)}\n`, { mode: 0o600 });
      return file;
    }],
  ])('given --out naming another ledger\'s file that is no database (%s), even with --force, then OUTPUT.IS_LEDGER_FILE, the file intact and nothing recorded', async (_what, make) => {
    const other = await make();
    const bytes = readFileSync(other);
    const before = await headPosition();
    const result = await asMonitor(['report', '--out', other, '--force']);
    expect(result.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    expect(result.status).toBe(1);
    expect(readFileSync(other).equals(bytes)).toBe(true);
    expect(await headPosition()).toBe(before);
  });

  it('given --force onto an earlier export, then it is still replaced', async () => {
    const earlier = join(dir.path, 'earlier.odm.xml');
    writeFileSync(earlier, '<ODM/>');
    const result = await asMonitor(['export', 'odm', '--out', earlier, '--force']);
    expect(result.status).toBe(0);
    expect(readFileSync(earlier, 'utf8')).toContain('ODM');
    expect(readFileSync(earlier, 'utf8')).not.toBe('<ODM/>');
  });
});

// join() would fold `x/..` away before the CLI sees it: these paths are spelled as a user types them.
describe('an output path with `..` after a directory that does not exist, or after a symlinked one, names one file for every check and for the write', () => {
  it('given --out missing/../trail.csv, then the export is written to trail.csv (as the checks saw it), never recorded and then lost to a failed rename', async () => {
    const before = await headPosition();
    const result = await asMonitor(['export', 'audit-trail', '--format', 'csv', '--out', `${dir.path}/missing/../trail.csv`]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(readFileSync(join(dir.path, 'trail.csv'), 'utf8')).toMatch(/^[^\n]*,/);
    expect(existsSync(join(dir.path, 'missing'))).toBe(false);
    expect(await headPosition()).toBe(before + 2);
  });

  it('given --out missing/../kept.csv where kept.csv exists, without --force, then OUTPUT.EXISTS and the file untouched', async () => {
    const kept = join(dir.path, 'kept.csv');
    writeFileSync(kept, 'precious');
    const result = await asMonitor(['export', 'audit-trail', '--format', 'csv', '--out', `${dir.path}/missing/../kept.csv`]);
    expect(result.stderr).toContain('[OUTPUT.EXISTS]');
    expect(result.status).toBe(1);
    expect(readFileSync(kept, 'utf8')).toBe('precious');
  });

  it('given --out through a symlinked directory and `..` (link/../x.csv, the link pointing into the ledger\'s directory), then the file goes where the path reads, beside the link, and the ledger is untouched', async () => {
    const elsewhere = join(dir.path, 'elsewhere');
    mkdirSync(elsewhere);
    symlinkSync(join(dir.path, 'data'), join(elsewhere, 'link'));
    const result = await asMonitor(['export', 'audit-trail', '--format', 'csv', '--out', `${elsewhere}/link/../x.csv`]);
    expect(result.status).toBe(0);
    expect(existsSync(join(elsewhere, 'x.csv'))).toBe(true);
    expect(existsSync(join(dir.path, 'x.csv'))).toBe(false);
  });
});

describe('an output file name with a control or bidirectional-override character is refused before anything is recorded', () => {
  it.each([
    ['export adtte, an escape sequence (written into the data dictionary\'s title)', ['export', 'adtte', '--out', 'adtte\u001b[2J.csv'], 'adtte\u001b[2J.csv'],
    ['report, a right-to-left override ("report\u202Elmth.exe" reads as "reportexe.html")', ['report', '--out', 'report\u202Elmth.exe'], 'report\u202Elmth.exe'],
    ['export audit-trail, a line feed', ['export', 'audit-trail', '--format', 'csv', '--out', 'trail\n.csv'], 'trail\n.csv'],
  ])('given %s, then VALIDATION.UNPRINTABLE_CHARACTER, exit 1, no file and no DataExported', async (_what, argv, name) => {
    const before = await headPosition();
    const out = argv.indexOf('--out');
    const args = [...argv];
    args[out + 1] = join(dir.path, name);
    const result = await asMonitor(args);
    expect(result.stderr).toContain('[VALIDATION.UNPRINTABLE_CHARACTER]');
    expect([...result.stderr].filter((c) => c === '\u001b' || c === '\u202e')).toEqual([]);
    expect(result.status).toBe(1);
    expect(existsSync(join(dir.path, name))).toBe(false);
    expect(await headPosition()).toBe(before);
  });
});

// The directories of an output path that does not exist yet are made for the export; a refused export
// (a study or subject the ledger does not hold, found once the output is open) leaves none of them behind.
describe('a refused export leaves no directory it made for its output', () => {
  it.each([
    ['export odm --study of no study', (out: string) => ['export', 'odm', '--study', 'NO-SUCH-STUDY', '--out', out], '[STUDY.NOT_FOUND]'],
    ['export audit-trail --subject of no subject', (out: string) => ['export', 'audit-trail', '--format', 'csv', '--subject', 'S999', '--out', out], '[SUBJECT.NOT_FOUND]'],
  ])('given %s into new/deeper/FILE, then the refusal, and neither directory exists', async (_what, argv, code) => {
    const top = join(dir.path, `made-for-${code.replace(/\W/g, '')}`);
    const before = await headPosition();
    const result = await asMonitor(argv(join(top, 'deeper', 'export.out')));
    expect(result.stderr).toContain(code);
    expect(result.status).toBe(1);
    expect(existsSync(top)).toBe(false);
    expect(await headPosition()).toBe(before);
  });

  it('given an export that succeeds into new/deeper/FILE, then the directories are made and the file written', async () => {
    const out = join(dir.path, 'made-new', 'deeper', 'trail.csv');
    const result = await asMonitor(['export', 'audit-trail', '--format', 'csv', '--out', out]);
    expect(result.status).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^[^\n]*,/);
  });
});
