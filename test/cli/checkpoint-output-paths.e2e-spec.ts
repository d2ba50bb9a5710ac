import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { cli, tempDir } from './cli-harness';

/**
 * `checkpoint --out` and `--copy-to` name the file that is checked and the file that is appended to alike:
 * `..` is taken as written (as `cd` and the export writer read it), never re-resolved by the kernel through
 * a symlinked directory (checked beside the link, appended beside its target) or through a directory that
 * does not exist (created on the way, then left behind).
 */
describe('checkpoint --out and --copy-to append to the file the path names as written', () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${ledger}`, '--key-dir', dir.keyDir];
  const elsewhere = join(dir.path, 'elsewhere');
  const linkTarget = join(dir.path, 'target', 'inner');
  afterAll(() => dir.remove());

  beforeAll(async () => {
    const s = new SqliteEventStore(ledger);
    await seedAuditLedger(s);
    await s.close();
    mkdirSync(elsewhere);
    mkdirSync(linkTarget, { recursive: true });
    symlinkSync(linkTarget, join(elsewhere, 'link'));
  });

  it.each([['--out'], ['--copy-to']])('%s link/../FILE through a symlinked directory: appended beside the link, as checked, not beside its target', async (option) => {
    const name = `via-link${option}.jsonl`;
    const run = await cli([...store, 'checkpoint', option, `${elsewhere}/link/../${name}`]);
    expect(run.status).toBe(0);
    expect(existsSync(join(elsewhere, name))).toBe(true);
    expect(existsSync(join(dir.path, 'target', name))).toBe(false);
    expect(readFileSync(join(elsewhere, name), 'utf8').trim().split('\n')).toHaveLength(1);
  });

  it.each([['--out'], ['--copy-to']])('%s missing/../FILE: appended to FILE, no directory "missing" left behind', async (option) => {
    const name = `via-missing${option}.jsonl`;
    const run = await cli([...store, 'checkpoint', option, `${dir.path}/missing${option}/../${name}`]);
    expect(run.status).toBe(0);
    expect(existsSync(join(dir.path, name))).toBe(true);
    expect(existsSync(join(dir.path, `missing${option}`))).toBe(false);
  });
});
