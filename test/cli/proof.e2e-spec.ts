import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ledgerFiles } from '@trial-ledger/audit';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger, type SeededLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { tempDir } from './cli-harness';

const ROOT = join(__dirname, '..', '..');

/** This file's key directory (test/support/isolated-key-dir.ts), given to the binary explicitly so the test can find its keys. */
const keyDir = String(process.env.TRIAL_LEDGER_KEY_DIR);

/** The built binary, run as a user runs it (`npm run build` first). */
const run = (args: readonly string[]): { status: number | null; stdout: string; stderr: string } => {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/trial-ledger.js'), ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, TRIAL_LEDGER_KEY_DIR: keyDir },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
};

describe('trial-ledger proof (built binary, as a process)', () => {
  const dir = tempDir();
  const ledger = join(dir.path, 'ledger.sqlite');
  const store = ['--store', `sqlite:${ledger}`];
  const publicKey = join(dir.path, 'ledger.pub.pem');
  const kept = join(dir.path, 'kept-by-monitor.jsonl');
  let seeded: SeededLedger;

  beforeAll(async () => {
    const s = new SqliteEventStore(ledger);
    seeded = await seedAuditLedger(s);
    await s.close();
    expect(run([...store, 'checkpoint', '--export-public-key', publicKey]).status).toBe(0);
    expect(run([...store, 'checkpoint']).status).toBe(0);
    copyFileSync(join(dir.path, 'ledger.checkpoints.jsonl'), kept);
    // The ledger grows after the monitor kept its checkpoint.
    const more = new SqliteEventStore(ledger);
    await seedAuditLedger(more, { identity: false, study: false });
    await more.close();
  });
  afterAll(() => dir.remove());

  it('proves an event against the kept signed tree head; a third party verifies it with the public key alone', () => {
    const out = join(dir.path, 'inclusion.json');
    const made = run([...store, 'proof', 'inclusion', '--event', seeded.voidedDose.eventId, '--checkpoint', kept, '--out', out]);
    expect(made).toMatchObject({ status: 0, stdout: expect.stringContaining('Inclusion proof of event') });
    const verified = run(['proof', 'verify', out, '--public-key', publicKey]);
    expect(verified).toMatchObject({ status: 0, stdout: expect.stringMatching(/^PROOF VALID: Event .* \(DoseAdministered/) });
    // Any edit to the event breaks it: exit 3, like other damage
    const proof = JSON.parse(readFileSync(out, 'utf8'));
    proof.event.data.doseMg = 12;
    writeFileSync(join(dir.path, 'edited.json'), JSON.stringify(proof));
    expect(run(['proof', 'verify', join(dir.path, 'edited.json'), '--public-key', publicKey])).toMatchObject({ status: 3, stderr: expect.stringContaining('PROOF FAILS') });
  });

  it('proves by position against a tree head signed now, and proves consistency from the kept head to today', () => {
    const inclusion = join(dir.path, 'by-position.json');
    expect(run([...store, 'proof', 'inclusion', '--position', '3', '--out', inclusion]).status).toBe(0);
    expect(run(['--json', 'proof', 'verify', inclusion, '--public-key', publicKey])).toMatchObject({ status: 0, stdout: expect.stringContaining('"position": 3') });
    const consistency = join(dir.path, 'consistency.json');
    const made = run([...store, 'proof', 'consistency', '--from', kept, '--to', '30', '--out', consistency]);
    expect(made).toMatchObject({ status: 0, stdout: expect.stringContaining('to 30 events') });
    expect(run(['proof', 'verify', consistency, '--public-key', publicKey])).toMatchObject({ status: 0, stdout: expect.stringContaining('without changing them') });
    expect(run([...store, 'verify', '--since', kept, '--public-key', publicKey])).toMatchObject({ status: 0, stdout: expect.stringContaining('Consistent since the kept checkpoint') });
  });

  it.each([
    [['proof', 'inclusion', '--event', 'x', '--position', '2', '--out', '-'], 2, 'CLI.INVALID_OPTION'],
    [['proof', 'inclusion', '--position', '2abc', '--out', '-'], 2, 'CLI.INVALID_OPTION'],
    [['proof', 'inclusion', '--event', '__proto__', '--out', '-'], 1, 'PROOF.EVENT_NOT_FOUND'],
    [['proof', 'inclusion', '--position', '2'], 2, ''],
    [['proof', 'consistency', '--from', '9', '--to', '3', '--out', '-'], 1, 'PROOF.INVALID_RANGE'],
    [['proof', 'consistency', '--from', '1', '--to', '99999', '--out', '-'], 1, 'PROOF.INVALID_RANGE'],
    [['proof', 'verify', 'no-such-proof.json', '--public-key', 'ledger.pub.pem'], 2, 'PROOF.FILE_MISSING'],
    [['proof', 'verify', 'ledger.pub.pem', '--public-key', 'ledger.pub.pem'], 1, 'PROOF.MALFORMED'],
    [['proof', 'verify', '.', '--public-key', 'ledger.pub.pem'], 1, 'PROOF.MALFORMED'],
    [['proof', 'verify', 'kept-by-monitor.jsonl'], 2, ''],
  ])('refuses %j (exit %d %s)', (args, status, code) => {
    const resolved = args.map((a) => (/\.(json|pem|jsonl)$/.test(a) ? join(dir.path, a) : a));
    const result = run([...store, ...resolved]);
    expect(result.status).toBe(status);
    expect(result.stderr).toContain(code);
  });

  it.each([
    ['an inclusion proof of a position past the head', ['inclusion', '--position', '99999', '--out', '-'], 'PROOF.EVENT_NOT_FOUND'],
    ['an inclusion proof of an unknown event id', ['inclusion', '--event', '01a230b2-0000-7000-8000-000000000000', '--out', '-'], 'PROOF.EVENT_NOT_FOUND'],
    ['an inclusion proof into a directory', ['inclusion', '--position', '3', '--out', '.'], 'OUTPUT.NOT_A_FILE'],
    ['a consistency proof to a size past the head', ['consistency', '--from', '2', '--to', '99999', '--out', '-'], 'PROOF.INVALID_RANGE'],
    ['a consistency proof the wrong way round', ['consistency', '--from', '5', '--to', '2', '--out', '-'], 'PROOF.INVALID_RANGE'],
  ])('refuses %s without signing a checkpoint first', (_what, args, code) => {
    const checkpoints = join(dir.path, 'ledger.checkpoints.jsonl');
    const before = readFileSync(checkpoints, 'utf8');
    const refused = run([...store, 'proof', ...args]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain(`[${code}]`);
    expect(readFileSync(checkpoints, 'utf8')).toBe(before);
  });

  it('given the ledger damaged after the monitor kept its checkpoint, then proofs and verify --since fail with the evidence (exit 3)', () => {
    const damaged = join(dir.path, 'damaged.sqlite');
    copyFileSync(ledger, damaged);
    // The damaged copy is signed with the ledger's own key, which lives in the key directory (named after the store).
    copyFileSync(ledgerFiles(`sqlite:${ledger}`, { keyDir }).keyFile, ledgerFiles(`sqlite:${damaged}`, { keyDir }).keyFile);
    const attacker = new SqliteAttacker(damaged);
    attacker.exec(`UPDATE events SET data = json_set(data, '$.doseMg', 12) WHERE event_id = ?`, seeded.voidedDose.eventId);
    attacker.rehashFrom(seeded.voidedDose.globalPosition);
    attacker.close();
    const damagedStore = ['--store', `sqlite:${damaged}`];
    const proof = run([...damagedStore, 'proof', 'inclusion', '--event', seeded.voidedDose.eventId, '--checkpoint', kept, '--out', join(dir.path, 'never.json')]);
    expect(proof).toMatchObject({ status: 1, stderr: expect.stringContaining('LEDGER.TAMPERED') });
    const since = run([...damagedStore, 'verify', '--since', kept, '--public-key', publicKey]);
    expect(since.status).toBe(3);
    expect(since.stderr).toContain('NOT CONSISTENT since the kept checkpoint');
    expect(since.stderr).toContain('Evidence — the kept signed tree head:');
    expect(since.stderr).toContain(readFileSync(kept, 'utf8').match(/"note":"([^\\]+)\\n/)?.[1]);
    expect(since.stderr).toMatch(/The consistency proof \(RFC 9162, \d+ hashes\) that fails:\n {4}[A-Za-z0-9+/]{43}=/);
  });

  it('given a stored Merkle node rewritten, then verify names it (exit 3)', () => {
    const rewritten = join(dir.path, 'rewritten.sqlite');
    copyFileSync(ledger, rewritten);
    const attacker = new SqliteAttacker(rewritten);
    expect(attacker.rewriteMerkleNode(4, 1, Buffer.alloc(32, 1))).toBe(1);
    attacker.close();
    const result = run(['--store', `sqlite:${rewritten}`, 'verify']);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('MERKLE TREE DAMAGED: Merkle node level 4, index 1 does not match the events it covers');
  });
});
