import { existsSync, linkSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { openEventStore } from '@trial-ledger/event-store';
import { cli, tempDir } from './cli-harness';

/**
 * `migrate --to sqlite:FILE` creates a database file, so it meets the rules of every other output: it
 * may not be one of the source ledger's own files, whatever the spelling, nor a symlink. Before, a
 * target named like the ledger's read-model file or its `-journal`/`-wal` was filled with a full copy
 * that the server then opened as its read models (or SQLite as the ledger's journal).
 */
describe("migrate refuses a target that is one of the source ledger's own files", () => {
  const dir = tempDir();
  const source = join(dir.path, 'ledger.sqlite');
  afterAll(() => dir.remove());

  beforeAll(async () => {
    const demo = await cli(['--store', `sqlite:${source}`, 'demo', '--today', '2026-03-01']);
    if (demo.status !== 0) throw new Error(demo.stderr);
  });

  it.each([
    ['the read-model file', `${source}.read-models`],
    ['the audit-trail index', `${source}.audit-index`],
    ['the rollback journal', `${source}-journal`],
    ['the write-ahead log, spelled through ..', join(dir.path, 'sub', '..', 'ledger.sqlite-wal')],
  ])('%s: OUTPUT.IS_LEDGER_FILE, exit 1, no file created', async (_what, target) => {
    const run = await cli(['--store', `sqlite:${source}`, 'migrate', '--to', `sqlite:${target}`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    expect(existsSync(target)).toBe(false);
  });

  it.each([
    ['spelled with ./ and ..', (): string => `sqlite:${dir.path}/./sub/../ledger.sqlite`, (): string => `sqlite:${source}`],
    ['read through a symlink to it', (): string => `sqlite:${source}`, (): string => {
      const link = join(dir.path, 'source-link.sqlite');
      if (!existsSync(link)) symlinkSync(source, link);
      return `sqlite:${link}`;
    }],
    ['read through a hard link to it', (): string => `sqlite:${source}`, (): string => {
      const hard = join(dir.path, 'source-hard.sqlite');
      if (!existsSync(hard)) linkSync(source, hard);
      return `sqlite:${hard}`;
    }],
  ])('the source store itself as the target, %s: OUTPUT.IS_LEDGER_FILE, exit 1, the source unchanged', async (_what, to, from) => {
    const before = statSync(source);
    const run = await cli(['migrate', '--from', from(), '--to', to()]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[OUTPUT.IS_LEDGER_FILE]');
    expect(statSync(source)).toMatchObject({ size: before.size, mtimeMs: before.mtimeMs });
  });

  it('a symlink at the target: OUTPUT.SYMLINK, and the file it points to is not created', async () => {
    const pointee = join(dir.path, 'elsewhere.sqlite');
    const link = join(dir.path, 'link.sqlite');
    symlinkSync(pointee, link);
    const run = await cli(['--store', `sqlite:${source}`, 'migrate', '--to', `sqlite:${link}`]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[OUTPUT.SYMLINK]');
    expect(existsSync(pointee)).toBe(false);
  });

  it('an ordinary new file is still a valid target', async () => {
    const target = join(dir.path, 'copy.sqlite');
    const run = await cli(['--store', `sqlite:${source}`, 'migrate', '--to', `sqlite:${target}`]);
    expect(run.status).toBe(0);
    expect(statSync(target).isFile()).toBe(true);
    const copy = await openEventStore(`sqlite:${target}`);
    expect((await copy.head()).position).toBeGreaterThan(0);
    await copy.close();
  });
});
