import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from './cli-harness';

const dir = tempDir();
const keyDir = dir.keyDir;
const fifo = join(dir.path, 'ledger.fifo');
const notes = join(dir.path, 'notes.txt');

beforeAll(() => {
  mkdirSync(join(dir.path, 'a-directory'));
  execFileSync('mkfifo', [fifo]);
  writeFileSync(notes, 'a text file, not a database\n');
});
afterAll(() => dir.remove());

describe('a --store that names something other than a SQLite ledger file is refused with a stable code', () => {
  it.each([
    ['an empty path (sqlite:, the current directory)', 'sqlite:'],
    ['a directory', `sqlite:${join(dir.path, 'a-directory')}`],
    ['a device', 'sqlite:/dev/null'],
    ['a FIFO', `sqlite:${fifo}`],
    ['a text file', `sqlite:${notes}`],
  ])('given %s, then verify, pfs and checkpoint answer STORE.NOT_A_LEDGER (exit 1), and no signing key is minted for it', async (_what, store) => {
    for (const argv of [['verify'], ['pfs'], ['checkpoint']]) {
      const result = await cli(['--store', store, '--key-dir', keyDir, '--json', ...argv]);
      expect([argv[0], result.status, (JSON.parse(result.stdout || '{}') as { error?: { code?: string } }).error?.code]).toEqual([argv[0], 1, 'STORE.NOT_A_LEDGER']);
    }
    expect(existsSync(keyDir) ? readdirSync(keyDir) : []).toEqual([]);
  });
});

describe('commands that may create a ledger refuse a --store path that exists and is no SQLite file', () => {
  it.each([
    ['a directory', `sqlite:${join(dir.path, 'a-directory')}`],
    ['a device', 'sqlite:/dev/null'],
    ['a FIFO', `sqlite:${fifo}`],
  ])('given %s, then users create-admin and import answer STORE.NOT_A_LEDGER (exit 1)', async (_what, store) => {
    const env = { TRIAL_LEDGER_PASSWORD: 'a long enough first password 1' };
    for (const argv of [['users', 'create-admin', '--username', 'ada', '--full-name', 'Ada Admin'], ['import', notes, '--as', 'ada']]) {
      const result = await cli(['--store', store, '--key-dir', keyDir, '--json', ...argv], env);
      expect([argv[0], result.status, (JSON.parse(result.stdout || '{}') as { error?: { code?: string } }).error?.code]).toEqual([argv[0], 1, 'STORE.NOT_A_LEDGER']);
    }
  });
});
