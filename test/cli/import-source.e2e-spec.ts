import { closeSync, existsSync, ftruncateSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_IMPORT_BYTES } from '../../apps/cli/src/import/import.command';
import { cli, tempDir } from './cli-harness';

/**
 * `import` reads its file whole before the first line is applied. A device (`/dev/zero`) was read until
 * the process ran out of memory, and so would a file of any size; both are refused at once, exit 2,
 * before the store is opened or anyone signs in.
 */
describe('trial-ledger import: what it reads', () => {
  const dir = tempDir();
  const db = join(dir.path, 'ledger.sqlite');
  const importFrom = (path: string) => cli(['--store', `sqlite:${db}`, '--as', 'coordinator', 'import', path], { TRIAL_LEDGER_PASSWORD: 'not needed here at all' });
  afterAll(() => dir.remove());

  it.each([['/dev/zero'], ['/dev/urandom']])('given %s, then IMPORT.FILE_UNREADABLE (a device), exit 2, and no store is created', async (device) => {
    const run = await importFrom(device);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('not a regular file (a device)');
    expect(run.stderr).toContain('[IMPORT.FILE_UNREADABLE]');
    expect(existsSync(db)).toBe(false);
  });

  it('given a directory, then IMPORT.FILE_UNREADABLE, exit 2', async () => {
    const run = await importFrom(dir.path);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('[IMPORT.FILE_UNREADABLE]');
  });

  it('given a file larger than the limit (sparse), then IMPORT.FILE_TOO_LARGE before a byte is read, exit 2', async () => {
    const huge = join(dir.path, 'huge.jsonl');
    const fd = openSync(huge, 'w');
    ftruncateSync(fd, MAX_IMPORT_BYTES + 1);
    closeSync(fd);
    const run = await importFrom(huge);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('[IMPORT.FILE_TOO_LARGE]');
    expect(existsSync(db)).toBe(false);
  });
});
