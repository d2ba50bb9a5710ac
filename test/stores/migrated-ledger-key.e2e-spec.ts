import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { usePostgresTestServer } from '../../libs/event-store/src/testing/use-postgres-test-server';
import { cli, tempDir } from '../cli/cli-harness';

const server = usePostgresTestServer();

/**
 * A ledger's signing key is found by the store's name: `sqlite:d/src.sqlite` signs with `KEY_DIR/src.key.pem`,
 * a PostgreSQL store with `KEY_DIR/ledger.key.pem` unless `LEDGER_KEY_FILE` names it. After `migrate`, a
 * proof against the copy must not mint a new key next to the old one and then find no checkpoint it signed.
 */
describe('a ledger migrated from SQLite to PostgreSQL keeps its signing key', () => {
  const dir = tempDir();
  const source = join(dir.path, 'd', 'src.sqlite');
  const checkpoints = join(dir.path, 'd', 'src.checkpoints.jsonl');
  const keyDir = dir.keyDir;
  const sourceKey = join(keyDir, 'src.key.pem');
  const defaultKey = join(keyDir, 'ledger.key.pem');
  // A server store's checkpoint file is ./data/ledger.checkpoints.jsonl unless named: kept in the temp directory.
  const env = { LEDGER_CHECKPOINT_FILE: join(dir.path, 'pg.checkpoints.jsonl') };
  let target = '';

  beforeAll(async () => {
    mkdirSync(join(dir.path, 'd'));
    for (const argv of [['demo', '--today', '2026-03-01'], ['checkpoint']]) {
      const run = await cli(['--store', `sqlite:${source}`, '--key-dir', keyDir, ...argv]);
      if (run.status !== 0) throw new Error(run.stderr);
    }
    target = await server.createDatabase();
  });
  afterAll(() => dir.remove());

  it('migrate says which key file the target will use and how to carry the source key there', async () => {
    const run = await cli(['--key-dir', keyDir, 'migrate', '--from', `sqlite:${source}`, '--to', target], env);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(sourceKey);
    expect(run.stdout).toContain(defaultKey);
    expect(run.stdout).toContain('LEDGER_KEY_FILE');
    expect(existsSync(defaultKey)).toBe(false);
  });

  it.each([
    ['against the kept checkpoint file', ['--checkpoint', checkpoints]],
    ['signing the head now', []],
  ])('proof inclusion %s, without the key: LEDGER_KEY.MISSING naming the file, and no key created', async (_what, extra) => {
    const out = join(dir.path, 'p.json');
    const run = await cli(['--store', target, '--key-dir', keyDir, 'proof', 'inclusion', '--position', '2', ...extra, '--out', out], env);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('[LEDGER_KEY.MISSING]');
    expect(run.stderr).toContain(defaultKey);
    expect(run.stderr).toContain('LEDGER_KEY_FILE');
    expect(run.stderr).not.toContain('CHECKPOINT.NONE_VALID');
    expect(existsSync(defaultKey)).toBe(false);
    expect(existsSync(out)).toBe(false);
  });

  it('with LEDGER_KEY_FILE naming the source key, the proof against the kept checkpoints is made and verifies', async () => {
    const out = join(dir.path, 'p.json');
    const publicKey = join(dir.path, 'src.pub.pem');
    expect((await cli(['--store', `sqlite:${source}`, '--key-dir', keyDir, 'checkpoint', '--export-public-key', publicKey])).status).toBe(0);
    const run = await cli(['--store', target, '--key-dir', keyDir, 'proof', 'inclusion', '--position', '2', '--checkpoint', checkpoints, '--out', out], { ...env, LEDGER_KEY_FILE: sourceKey });
    expect(run).toMatchObject({ status: 0, stdout: expect.stringContaining('Inclusion proof') });
    expect((await cli(['proof', 'verify', out, '--public-key', publicKey])).status).toBe(0);
    expect(existsSync(defaultKey)).toBe(false);
  });
});
