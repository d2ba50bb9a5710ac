import { existsSync, linkSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { serve } from '../../apps/cli/src/serve/serve.command';
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

/**
 * `--copy-to` is the external copy an auditor keeps apart from the checkpoint file: a copy that is the
 * checkpoint file itself (named as written, through `..`, or by a hard link) or another `--copy-to` is no
 * copy at all — the checkpoint was appended twice to one file and reported as kept in two.
 */
describe('checkpoint --copy-to never names the checkpoint file or another copy', () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const checkpoints = join(dir.path, 'ledger.checkpoints.jsonl');
  const store = ['--store', `sqlite:${ledger}`, '--key-dir', dir.keyDir];
  const lines = (file: string): number => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).length : 0);
  afterAll(() => dir.remove());

  beforeAll(async () => {
    const s = new SqliteEventStore(ledger);
    await seedAuditLedger(s);
    await s.close();
    expect((await cli([...store, 'checkpoint'])).status).toBe(0);
    linkSync(checkpoints, join(dir.path, 'hard-link.jsonl'));
  });

  it.each([
    ['the checkpoint file', [checkpoints]],
    ['the checkpoint file through ..', [join(dir.path, 'sub', '..', 'ledger.checkpoints.jsonl')]],
    ['a hard link to the checkpoint file', [join(dir.path, 'hard-link.jsonl')]],
    ['the same copy twice, spelled two ways', [join(dir.path, 'copy.jsonl'), join(dir.path, '.', 'copy.jsonl')]],
  ])('--copy-to %s: OUTPUT.SAME_FILE, exit 1, nothing signed or appended', async (_what, copies) => {
    const before = lines(checkpoints);
    const run = await cli([...store, 'checkpoint', ...copies.flatMap((c) => ['--copy-to', c])]);
    expect(run.stderr).toContain('[OUTPUT.SAME_FILE]');
    expect(run.status).toBe(1);
    expect(lines(checkpoints)).toBe(before);
    expect(existsSync(join(dir.path, 'copy.jsonl'))).toBe(false);
  });

  it('--out FILE with --copy-to the same FILE: OUTPUT.SAME_FILE, nothing appended', async () => {
    const out = join(dir.path, 'other.checkpoints.jsonl');
    const run = await cli([...store, 'checkpoint', '--out', out, '--copy-to', out]);
    expect(run.stderr).toContain('[OUTPUT.SAME_FILE]');
    expect(run.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });

  it('a copy apart from the checkpoint file is still appended to', async () => {
    const copy = join(dir.path, 'kept-apart.jsonl');
    const before = lines(checkpoints);
    const run = await cli([...store, 'checkpoint', '--copy-to', copy]);
    expect(run.status).toBe(0);
    expect(lines(checkpoints)).toBe(before + 1);
    expect(lines(copy)).toBe(1);
  });
});

/**
 * `--out` and `--copy-to` append to a file of this ledger's checkpoints: one already holding another
 * ledger's (`data/demo.checkpoints.jsonl` beside `data/ledger.sqlite`, a copy an auditor keeps of another
 * study) would get a checkpoint under a key not its own, and that ledger's `verify` reports it damaged
 * (`checkpoint-forged`, exit 3).
 */
describe("checkpoint --out and --copy-to never append to another ledger's checkpoints", () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const other = join(dir.path, 'demo.sqlite');
  const otherCheckpoints = join(dir.path, 'demo.checkpoints.jsonl');
  const store = ['--store', `sqlite:${ledger}`, '--key-dir', dir.keyDir];
  afterAll(() => dir.remove());

  beforeAll(async () => {
    for (const file of [ledger, other]) {
      const s = new SqliteEventStore(file);
      await seedAuditLedger(s);
      await s.close();
    }
    expect((await cli(['--store', `sqlite:${other}`, '--key-dir', dir.keyDir, 'checkpoint'])).status).toBe(0);
  });

  it.each([['--out'], ['--copy-to']])("%s naming the other ledger's checkpoint file: CHECKPOINT.OTHER_LEDGER, exit 1, nothing appended, its verify still intact", async (option) => {
    const before = readFileSync(otherCheckpoints, 'utf8');
    const run = await cli([...store, 'checkpoint', option, otherCheckpoints]);
    expect(run.stderr).toContain('[CHECKPOINT.OTHER_LEDGER]');
    expect(run.status).toBe(1);
    expect(readFileSync(otherCheckpoints, 'utf8')).toBe(before);
    expect((await cli(['--store', `sqlite:${other}`, '--key-dir', dir.keyDir, 'verify'])).status).toBe(0);
  });

  it('a copy holding this ledger\'s own earlier checkpoints is appended to', async () => {
    const copy = join(dir.path, 'own-copy.jsonl');
    expect((await cli([...store, 'checkpoint', '--copy-to', copy])).status).toBe(0);
    const run = await cli([...store, 'checkpoint', '--copy-to', copy]);
    expect(run.status).toBe(0);
    expect(readFileSync(copy, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

/**
 * The configured checkpoint file (`LEDGER_CHECKPOINT_FILE`) is held to the same rule as `--out`: naming
 * another ledger's checkpoint file there made `checkpoint` and `serve` append this ledger's checkpoints to
 * it, and that ledger's `verify` reported it damaged.
 */
describe("the configured checkpoint file (LEDGER_CHECKPOINT_FILE) is never another ledger's", () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const other = join(dir.path, 'demo.sqlite');
  const otherCheckpoints = join(dir.path, 'demo.checkpoints.jsonl');
  const store = ['--store', `sqlite:${ledger}`, '--key-dir', dir.keyDir];
  const env = { LEDGER_CHECKPOINT_FILE: otherCheckpoints };
  afterAll(() => dir.remove());

  beforeAll(async () => {
    for (const file of [ledger, other]) {
      const s = new SqliteEventStore(file);
      await seedAuditLedger(s);
      await s.close();
    }
    expect((await cli(['--store', `sqlite:${other}`, '--key-dir', dir.keyDir, 'checkpoint'])).status).toBe(0);
    // This ledger has its own key and checkpoints: only the configured file is wrong.
    expect((await cli([...store, 'checkpoint'])).status).toBe(0);
  });

  it('checkpoint: CHECKPOINT.OTHER_LEDGER, exit 1, nothing appended, the other ledger still verifies intact', async () => {
    const before = readFileSync(otherCheckpoints, 'utf8');
    const run = await cli([...store, 'checkpoint'], env);
    expect(run.stderr).toContain('[CHECKPOINT.OTHER_LEDGER]');
    expect(run.status).toBe(1);
    expect(readFileSync(otherCheckpoints, 'utf8')).toBe(before);
    expect((await cli(['--store', `sqlite:${other}`, '--key-dir', dir.keyDir, 'verify'])).status).toBe(0);
  });

  it('serve refuses to start with CHECKPOINT.OTHER_LEDGER, nothing appended', async () => {
    const before = readFileSync(otherCheckpoints, 'utf8');
    const saved = process.env.LEDGER_CHECKPOINT_FILE;
    process.env.LEDGER_CHECKPOINT_FILE = otherCheckpoints;
    const writeErr = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true) as typeof process.stderr.write;
    try {
      await expect(
        serve({ store: `sqlite:${ledger}`, port: 0, host: '127.0.0.1', json: true, keyDir: dir.keyDir, checkpointEvery: 1, stopWhen: new Promise((r) => setTimeout(r, 500)) }),
      ).rejects.toMatchObject({ code: 'CHECKPOINT.OTHER_LEDGER' });
    } finally {
      process.stderr.write = writeErr;
      if (saved === undefined) delete process.env.LEDGER_CHECKPOINT_FILE;
      else process.env.LEDGER_CHECKPOINT_FILE = saved;
    }
    expect(readFileSync(otherCheckpoints, 'utf8')).toBe(before);
  });

  it('serve --json: the refusal is its JSON error line, exit 1', async () => {
    const run = await cli([...store, '--json', 'serve', '--port', '0'], env);
    expect(run.status).toBe(1);
    expect((JSON.parse(run.stdout) as { error: { code: string } }).error.code).toBe('CHECKPOINT.OTHER_LEDGER');
  });
});
