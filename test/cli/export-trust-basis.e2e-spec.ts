import { join } from 'node:path';
import { cli, PASSWORD, seedUsers, tempDir } from './cli-harness';

/**
 * An export is a copy of an intact chain: the CLI recomputes the hash chain first and, where a key checks
 * them, the server's signed checkpoints. What that check rested on is said with the export, as `verify` and
 * the report say it: a ledger served with `--checkpoint-every 0` (or never checkpointed) has only its chain,
 * which whoever can write the store can recompute — the summary used to say nothing of it.
 */
describe('CLI exports say what the check before the copy rested on', () => {
  const dir = tempDir();
  const store = `sqlite:${join(dir.path, 'ledger.sqlite')}`;
  const env = { TRIAL_LEDGER_PASSWORD: PASSWORD, TRIAL_LEDGER_KEY_DIR: dir.keyDir };

  beforeAll(async () => {
    await seedUsers(store);
  });
  afterAll(() => dir.remove());

  it('given no signed checkpoint, the summary says the hash chain only, not anchored (text and --json)', async () => {
    const text = await cli(['--store', store, 'export', 'audit-trail', '--as', 'monitor', '--format', 'csv', '--out', join(dir.path, 'a.csv')], env);
    expect(text.status).toBe(0);
    expect(text.stdout).toMatch(/rows as CSV/);
    expect(text.stdout).toMatch(/Checked before the copy: the hash chain only \(not anchored\) — no signed checkpoint/);
    const json = await cli(['--store', store, '--json', 'export', 'odm', '--as', 'monitor', '--out', join(dir.path, 'o.xml')], env);
    expect(json.status).toBe(0);
    expect((JSON.parse(json.stdout) as { trust: unknown }).trust).toEqual({ anchored: false, checkpointsChecked: 0, statement: expect.stringMatching(/^the hash chain only \(not anchored\)/) });
  });

  it("given signed checkpoints under the operator's own key, it says they were checked, and that this key anchors nothing against its holder", async () => {
    expect((await cli(['--store', store, 'checkpoint'], env)).status).toBe(0);
    const json = await cli(['--store', store, '--json', 'export', 'audit-trail', '--as', 'monitor', '--format', 'json', '--out', join(dir.path, 'b.json')], env);
    expect(json.status).toBe(0);
    const { trust } = JSON.parse(json.stdout) as { trust: { anchored: boolean; checkpointsChecked: number; statement: string } };
    expect(trust).toMatchObject({ anchored: false, checkpointsChecked: 1 });
    expect(trust.statement).toMatch(/^the hash chain and 1 signed checkpoint\(s\) under .*not anchored: .*operator's own signing key/);
  });
});
