import { generateKeyPairSync } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readTrustFile, type PinnedKey } from '@trial-ledger/audit';
import { openEventStore, SqliteEventStore, systemClock } from '@trial-ledger/event-store';
import { Identity, identityPolicy } from '@trial-ledger/identity';
import { testEvent } from '../../libs/event-store/src/testing';
import { seedAuditLedger, USERS, type SeededLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { addReadyUser } from '../../libs/identity/src/testing';
import { rewriteDoseAndRecompute, SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { runBinary, type BinaryRun } from './binary-harness';
import { PASSWORD, seedUsers, tempDir } from './cli-harness';

const run = (args: readonly string[], env: Record<string, string>): Promise<BinaryRun> => runBinary(args, { env });

/**
 * Three people, three key directories: the operator runs the server and holds the signing key; the
 * auditor holds the public key received out of band and a copy of the checkpoints; the attacker can
 * write the data directory (store and checkpoint file) but not the operator's key directory.
 */
describe('verify trust basis: a rewritten and re-signed chain is caught with a pinned key (CLI as a process)', () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const db = join(data, 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const operator = { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'operator') };
  const auditor = { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'auditor') };
  const attacker = { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'attacker') };
  const publicKey = join(dir.path, 'auditor-inbox', 'ledger.pub.pem');
  const externalCopy = join(dir.path, 'sponsor', 'checkpoints.jsonl');
  let seeded: SeededLedger;

  beforeAll(async () => {
    mkdirSync(data);
    mkdirSync(join(dir.path, 'auditor-inbox'));
    const s = new SqliteEventStore(db);
    seeded = await seedAuditLedger(s);
    await s.close();
    const signed = await run(['--store', store, 'checkpoint', '--copy-to', externalCopy], operator);
    expect(signed.status).toBe(0);
    expect(signed.stderr).toMatch(/created the ledger signing key .*operator\/ledger\.key\.pem \(public key fingerprint sha256:[0-9a-f]{64}\)/);
    expect(existsSync(join(data, 'ledger.key.pem'))).toBe(false);
    expect((await run(['--store', store, 'checkpoint', '--export-public-key', publicKey], operator)).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('given only the operator key, verify is intact but says it is not anchored', async () => {
    const result = await run(['--store', store, '--json', 'verify'], operator);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, anchored: false, trust: { publicKey: { origin: 'ledger-key' } } });
    const text = await run(['--store', store, 'verify'], operator);
    expect(text.stdout).toContain("not anchored: the key is the operator's own signing key");
  });

  it('given no key at all, verify checks the chain only and says so', async () => {
    const result = await run(['--store', store, '--json', 'verify'], auditor);
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, anchored: false, checkpoints: null, trust: { publicKey: null } });
  });

  it('refuses a trust file inside the store directory (TRUST.INSIDE_STORE_DIR)', async () => {
    const result = await run(['--store', store, 'verify', '--pin-key', publicKey], { ...auditor, TRIAL_LEDGER_TRUST_FILE: join(data, 'trusted-keys.json') });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[TRUST.INSIDE_STORE_DIR]');
    expect(existsSync(join(data, 'trusted-keys.json'))).toBe(false);
  });

  it('given the auditor pinned the key, verify is anchored', async () => {
    const pinned = await run(['--store', store, 'verify', '--pin-key', publicKey], auditor);
    expect(pinned.status).toBe(0);
    expect(pinned.stdout).toMatch(/Pinned: public key sha256:[0-9a-f]{64}/);
    expect(pinned.stdout).toContain('Trust basis: anchored');
    const json = await run(['--store', store, '--json', 'verify'], auditor);
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: true, anchored: true, trust: { publicKey: { origin: 'pinned', outsideStoreDir: true } } });
  });

  describe('when an attacker rewrites the chain, deletes the checkpoint file and signs a new checkpoint with a new key', () => {
    beforeAll(async () => {
      const attack = new SqliteAttacker(db);
      attack.exec(`UPDATE events SET data = replace(data, '"doseMg":12', '"doseMg":120') WHERE global_position = ?`, seeded.doseToCorrect.globalPosition);
      attack.rehashFrom(seeded.doseToCorrect.globalPosition);
      // With write access the attacker rebuilds the stored Merkle tree too, so checkpoint accepts the rewrite.
      expect(attack.rebuildMerkleTree()).toBeGreaterThan(0);
      attack.close();
      rmSync(join(data, 'ledger.checkpoints.jsonl'));
      const resigned = await run(['--store', store, 'checkpoint'], attacker);
      expect(resigned.status).toBe(0);
    });

    it('then the recomputed chain alone looks intact (which is why the trust basis matters)', async () => {
      const result = await run(['--store', store, '--json', 'verify'], attacker);
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, anchored: false });
    });

    it('then verify with the pinned key finds damage and exits 3, and says no checkpoint anchors the log: none verifies under the pinned key', async () => {
      const result = await run(['--store', store, '--json', 'verify'], auditor);
      expect(result.status).toBe(3);
      const report = JSON.parse(result.stdout);
      expect(report).toMatchObject({ ok: false, anchored: false, checkpoints: { total: 1, matched: 0, forged: 1 }, fault: { damage: 'checkpoint-forged' } });
      expect(report.trust).toMatchObject({ anchored: false, publicKey: { origin: 'pinned' } });
      expect(report.trust.statement).toMatch(/^Trust basis: the hash chain only \(not anchored\) — none of the 1 checkpoint\(s\) in .* verifies under the public key sha256:/);
      const text = await run(['--store', store, 'verify'], auditor);
      expect(text.status).toBe(3);
      expect(text.stderr).toContain('not the trusted ledger key');
      expect(text.stderr).toContain('0 matched, 1 forged');
      expect(text.stderr).not.toContain('Trust basis: anchored');
      expect(text.stderr).toContain('Trust basis: the hash chain only (not anchored) — none of the 1 checkpoint(s)');
    });

    it("then verify against the sponsor's external checkpoint copy names the rewrite and exits 3", async () => {
      expect(readFileSync(externalCopy, 'utf8').trim().split('\n')).toHaveLength(1);
      const result = await run(['--store', store, '--json', 'verify', '--checkpoints', externalCopy, '--public-key', publicKey], attacker);
      expect(result.status).toBe(3);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, anchored: true, fault: { damage: 'checkpoint-mismatch', position: 21 } });
    });

    it("then pinning the attacker's key over the auditor's pin is refused (TRUST.KEY_CONFLICT)", async () => {
      const forgedKey = join(dir.path, 'forged.pub.pem');
      expect((await run(['--store', store, 'checkpoint', '--export-public-key', forgedKey], attacker)).status).toBe(0);
      const result = await run(['--store', store, 'verify', '--pin-key', forgedKey], auditor);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('[TRUST.KEY_CONFLICT]');
    });

    it('then the printable report under the pinned key does not call the log anchored either', async () => {
      // The report runs signed in: a monitor is added after the forged checkpoint, which vouches for nothing either way.
      const s = await openEventStore(store);
      try {
        await addReadyUser(new Identity(s, systemClock, identityPolicy()), USERS.admin, { username: 'auditmon', fullName: 'Audit Monitor', role: 'monitor', password: PASSWORD });
      } finally {
        await s.close();
      }
      const out = join(dir.path, 'forged-report.html');
      const result = await run(['--store', store, '--as', 'auditmon', 'report', '--out', out], { ...auditor, TRIAL_LEDGER_PASSWORD: PASSWORD });
      expect(result.status).toBe(0);
      const html = readFileSync(out, 'utf8');
      expect(html).not.toContain('Trust basis: anchored');
      expect(html).toContain('Trust basis: the hash chain only (not anchored) — none of the 1 checkpoint(s)');
    });
  });
});

describe('a key left beside the store by an earlier version', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('is never used nor replaced: checkpoint refuses with LEDGER_KEY.BESIDE_STORE and says how to move it', async () => {
    const data = join(dir.path, 'data');
    mkdirSync(data);
    const s = new SqliteEventStore(join(data, 'ledger.sqlite'));
    await seedAuditLedger(s);
    await s.close();
    writeFileSync(join(data, 'ledger.key.pem'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const keyDir = join(dir.path, 'keys');
    const result = await run(['--store', `sqlite:${join(data, 'ledger.sqlite')}`, 'checkpoint'], { TRIAL_LEDGER_KEY_DIR: keyDir });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('[LEDGER_KEY.BESIDE_STORE]');
    expect(result.stderr).toContain(`mv ${join(data, 'ledger.key.pem')} ${join(keyDir, 'ledger.key.pem')}`);
    expect(existsSync(join(keyDir, 'ledger.key.pem'))).toBe(false);
    expect(existsSync(join(data, 'ledger.checkpoints.jsonl'))).toBe(false);
  });
});

/** A data directory with its ledger, the operator's and the auditor's key directories, and the auditor's copy of the public key. */
const operatorAndAuditor = () => {
  const dir = tempDir();
  const data = join(dir.path, 'data');
  const db = join(data, 'ledger.sqlite');
  return {
    dir,
    data,
    db,
    store: `sqlite:${db}`,
    operator: { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'operator') },
    auditor: { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'auditor') },
    publicKey: join(dir.path, 'auditor-inbox', 'ledger.pub.pem'),
  };
};

describe('when the attacker does not re-sign but deletes the checkpoint file after rewriting the chain', () => {
  const { dir, data, db, store, operator, auditor, publicKey } = operatorAndAuditor();

  beforeAll(async () => {
    mkdirSync(data);
    mkdirSync(join(dir.path, 'auditor-inbox'));
    const s = new SqliteEventStore(db);
    const seeded = await seedAuditLedger(s);
    await s.close();
    expect((await run(['--store', store, 'checkpoint', '--export-public-key', publicKey], operator)).status).toBe(0);
    expect((await run(['--store', store, 'checkpoint'], operator)).status).toBe(0);
    expect((await run(['--store', store, 'verify', '--pin-key', publicKey], auditor)).status).toBe(0);
    rewriteDoseAndRecompute(db, seeded.doseToCorrect);
    rmSync(join(data, 'ledger.checkpoints.jsonl'));
  });
  afterAll(() => dir.remove());

  it('then verify under the pinned key finds the checkpoints it confirmed withdrawn (exit 3) and warns that none vouches for the log (CHECKPOINTS.NONE_UNDER_TRUSTED_KEY), in JSON and in text', async () => {
    const json = await run(['--store', store, '--json', 'verify'], auditor);
    expect(json.status).toBe(3);
    const report = JSON.parse(json.stdout) as { ok: boolean; anchored: boolean; checkpointsWithdrawn: unknown; warnings: { code: string }[]; trust: { statement: string } };
    expect(report.ok).toBe(false);
    expect(report.checkpointsWithdrawn).toEqual({ recordedThrough: expect.any(Number), latestMatched: null });
    expect(report.anchored).toBe(false);
    expect(report.warnings.map((w) => w.code)).toContain('CHECKPOINTS.NONE_UNDER_TRUSTED_KEY');
    expect(report.trust.statement).toContain('no signed checkpoint was found');
    expect(report.trust.statement).not.toContain('verify --pin-key');
    const text = await run(['--store', store, 'verify'], auditor);
    expect(text.status).toBe(3);
    expect(text.stderr).toContain('CHECKPOINTS WITHDRAWN: a checkpoint at position');
    expect(text.stderr).toContain('WARNING [CHECKPOINTS.NONE_UNDER_TRUSTED_KEY]');
  });

  it('and so does verify with the key given on the command line; with no key chosen there is nothing to warn about', async () => {
    const given = await run(['--store', store, '--json', 'verify', '--public-key', publicKey], { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'other') });
    expect((JSON.parse(given.stdout) as { warnings: { code: string }[] }).warnings.map((w) => w.code)).toContain('CHECKPOINTS.NONE_UNDER_TRUSTED_KEY');
    const unpinned = await run(['--store', store, '--json', 'verify'], { TRIAL_LEDGER_KEY_DIR: join(dir.path, 'nobody') });
    expect((JSON.parse(unpinned.stdout) as { warnings: { code: string }[] }).warnings.map((w) => w.code)).not.toContain('CHECKPOINTS.NONE_UNDER_TRUSTED_KEY');
  });
});

describe('when checkpoints the auditor confirmed are cut from the end of the checkpoint file', () => {
  const { dir, data, db, store, operator, auditor, publicKey } = operatorAndAuditor();
  const checkpointFile = join(data, 'ledger.checkpoints.jsonl');
  const recordedThrough = (): number | undefined => readTrustFile(join(dir.path, 'auditor', 'trusted-keys.json'))[0]?.checkpointedThrough;
  const appendOne = async (): Promise<void> => {
    const s = new SqliteEventStore(db);
    await s.append({ writes: [{ streamId: `later-${Date.now()}`, expectedVersion: 0, events: [testEvent()] }] });
    await s.close();
  };

  beforeAll(async () => {
    mkdirSync(data);
    mkdirSync(join(dir.path, 'auditor-inbox'));
    const s = new SqliteEventStore(db);
    await seedAuditLedger(s);
    await s.close();
    expect((await run(['--store', store, 'checkpoint', '--export-public-key', publicKey], operator)).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('then a pin made before any checkpoint expects none; each verify --pin-key raises what it expects to the latest checkpoint matched', async () => {
    expect((await run(['--store', store, 'verify', '--pin-key', publicKey], auditor)).status).toBe(0);
    expect(recordedThrough()).toBeUndefined();
    expect((await run(['--store', store, 'checkpoint'], operator)).status).toBe(0);
    const reader = new SqliteEventStore(db);
    const first = (await reader.head()).position;
    await reader.close();
    expect((await run(['--store', store, 'verify', '--pin-key', publicKey], auditor)).status).toBe(0);
    expect(recordedThrough()).toBe(first);
    await appendOne();
    expect((await run(['--store', store, 'checkpoint'], operator)).status).toBe(0);
    expect((await run(['--store', store, 'verify'], auditor)).status).toBe(0);
    expect(recordedThrough()).toBe(first);
    expect((await run(['--store', store, 'verify', '--pin-key', publicKey], auditor)).status).toBe(0);
    expect(recordedThrough()).toBe(first + 1);
  });

  it('then verify under the pinned key finds the last checkpoint withdrawn and exits 3; an older copy given with --checkpoints is not held to it', async () => {
    const lines = readFileSync(checkpointFile, 'utf8').trim().split('\n');
    const olderCopy = join(dir.path, 'older-copy.jsonl');
    writeFileSync(olderCopy, `${lines.slice(0, -1).join('\n')}\n`);
    writeFileSync(checkpointFile, `${lines.slice(0, -1).join('\n')}\n`);
    const result = await run(['--store', store, '--json', 'verify'], auditor);
    expect(result.status).toBe(3);
    const report = JSON.parse(result.stdout) as { ok: boolean; checkpointsWithdrawn: { recordedThrough: number; latestMatched: number | null } };
    expect(report.ok).toBe(false);
    expect(report.checkpointsWithdrawn.latestMatched).toBe(report.checkpointsWithdrawn.recordedThrough - 1);
    expect((await run(['--store', store, '--json', 'verify', '--checkpoints', olderCopy], auditor)).status).toBe(0);
  });
});

describe('when the operator, who holds the signing key, rewrites the chain and re-signs it with that same key', () => {
  const { dir, data, db, store, operator, auditor, publicKey } = operatorAndAuditor();
  const checkpointFile = join(data, 'ledger.checkpoints.jsonl');
  const olderCopy = join(dir.path, 'auditor-copy.jsonl');
  let confirmedHash: string;

  beforeAll(async () => {
    mkdirSync(data);
    mkdirSync(join(dir.path, 'auditor-inbox'));
    // Users who sign in (the report runs as a monitor) beside the fixture's own.
    await seedUsers(store);
    const s = new SqliteEventStore(db);
    const seeded = await seedAuditLedger(s);
    await s.close();
    expect((await run(['--store', store, 'checkpoint', '--export-public-key', publicKey], operator)).status).toBe(0);
    expect((await run(['--store', store, 'checkpoint'], operator)).status).toBe(0);
    writeFileSync(olderCopy, readFileSync(checkpointFile));
    expect((await run(['--store', store, 'verify', '--pin-key', publicKey], auditor)).status).toBe(0);
    confirmedHash = (JSON.parse(readFileSync(checkpointFile, 'utf8').trim()) as { note: string }).note.match(/\nchain \d+ ([0-9a-f]{64})\n/)?.[1] ?? '';
    rewriteDoseAndRecompute(db, seeded.doseToCorrect);
    rmSync(checkpointFile);
    expect((await run(['--store', store, 'checkpoint'], operator)).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('then the pin remembers the chain hash it confirmed, not only the position', () => {
    expect(confirmedHash).toMatch(/^[0-9a-f]{64}$/);
    expect(readTrustFile(join(dir.path, 'auditor', 'trusted-keys.json'))[0]).toMatchObject({ checkpointedHash: confirmedHash });
  });

  it('then verify under the pinned key finds the log rewritten since it was confirmed and exits 3, though every checkpoint now matches', async () => {
    const json = await run(['--store', store, '--json', 'verify'], auditor);
    expect(json.status).toBe(3);
    const report = JSON.parse(json.stdout) as { ok: boolean; checkpoints: { matched: number }; checkpointsWithdrawn: unknown; rewrittenSinceConfirmed: { confirmedHash: string; hash: string | null } };
    expect(report.ok).toBe(false);
    expect(report.checkpoints.matched).toBe(1);
    expect(report.checkpointsWithdrawn).toBeNull();
    expect(report.rewrittenSinceConfirmed).toMatchObject({ confirmedHash });
    expect(report.rewrittenSinceConfirmed.hash).not.toBe(confirmedHash);
    const text = await run(['--store', store, 'verify'], auditor);
    expect(text.status).toBe(3);
    expect(text.stderr).toContain('REWRITTEN SINCE CONFIRMED');
  });

  it('and so does verify with the auditor’s own older copy of the checkpoints', async () => {
    expect((await run(['--store', store, 'verify', '--checkpoints', olderCopy], auditor)).status).toBe(3);
  });

  it('and the printable report the auditor takes away under the pinned key says DAMAGED (rewritten since confirmed), never INTACT', async () => {
    const out = join(dir.path, 'auditor-report.html');
    const result = await run(['--store', store, '--as', 'monitor', 'report', '--out', out], { ...auditor, TRIAL_LEDGER_PASSWORD: PASSWORD });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const page = readFileSync(out, 'utf8');
    expect(page).not.toContain('class="verdict ok"');
    expect(page).toContain('<p class="verdict bad">DAMAGED: REWRITTEN SINCE CONFIRMED');
    expect(page).toContain(confirmedHash);
  });
});

/**
 * What the auditor confirmed under a pinned key follows the ledger, not its path: a copy of the store at
 * another path (`pin2/ledger.sqlite`, the same signing key in the operator's key directory) was verified as
 * a store with no pin — unanchored and intact, exit 0 — with its checkpoints deleted, or rewritten and
 * re-signed with the same key; re-pinning it there started again from nothing confirmed.
 */
describe('when the store is copied to another path after the auditor confirmed the pin', () => {
  const { dir, data, db, store, operator, auditor, publicKey } = operatorAndAuditor();
  const copyOf = (name: string, checkpoints: boolean): string => {
    const to = join(dir.path, name);
    mkdirSync(to);
    copyFileSync(db, join(to, 'ledger.sqlite'));
    if (checkpoints) copyFileSync(join(data, 'ledger.checkpoints.jsonl'), join(to, 'ledger.checkpoints.jsonl'));
    return join(to, 'ledger.sqlite');
  };
  let seeded: SeededLedger;

  beforeAll(async () => {
    mkdirSync(data);
    mkdirSync(join(dir.path, 'auditor-inbox'));
    const s = new SqliteEventStore(db);
    seeded = await seedAuditLedger(s);
    await s.close();
    expect((await run(['--store', store, 'checkpoint', '--export-public-key', publicKey], operator)).status).toBe(0);
    expect((await run(['--store', store, 'checkpoint'], operator)).status).toBe(0);
    expect((await run(['--store', store, 'verify', '--pin-key', publicKey], auditor)).status).toBe(0);
  });
  afterAll(() => dir.remove());

  it('then a genuine copy with its checkpoints verifies intact and anchored under the pin (no false alarm)', async () => {
    const copy = copyOf('genuine', true);
    const result = await run(['--store', `sqlite:${copy}`, '--json', 'verify'], auditor);
    expect(result.status).toBe(0);
    expect((JSON.parse(result.stdout) as { anchored: boolean }).anchored).toBe(true);
  });

  it('then a copy with its checkpoints deleted is held to what was confirmed: CHECKPOINTS WITHDRAWN, exit 3', async () => {
    const copy = copyOf('withdrawn', false);
    const result = await run(['--store', `sqlite:${copy}`, '--json', 'verify'], auditor);
    expect(result.status).toBe(3);
    expect((JSON.parse(result.stdout) as { checkpointsWithdrawn: unknown }).checkpointsWithdrawn).not.toBeNull();
  });

  it('then a copy rewritten and re-signed with the same key is REWRITTEN SINCE CONFIRMED, exit 3, re-pinned there or not', async () => {
    const copy = copyOf('rewritten', false);
    rewriteDoseAndRecompute(copy, seeded.doseToCorrect);
    expect((await run(['--store', `sqlite:${copy}`, 'checkpoint'], operator)).status).toBe(0);
    const result = await run(['--store', `sqlite:${copy}`, 'verify'], auditor);
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('REWRITTEN SINCE CONFIRMED');
    expect((await run(['--store', `sqlite:${copy}`, 'verify', '--pin-key', publicKey], auditor)).status).toBe(3);
    expect((await run(['--store', `sqlite:${copy}`, 'verify'], auditor)).status).toBe(3);
  });

  it('then an entry of an older trust file (keyed by path only) is still read, and confirming it records the ledger it vouches for', async () => {
    const file = join(dir.path, 'auditor', 'trusted-keys.json');
    const pins = readTrustFile(file);
    expect(pins[0]?.ledger).toMatch(/^[0-9a-f]{64}$/);
    const { ledger: _ledger, ...legacy } = pins[0] as PinnedKey;
    writeFileSync(file, JSON.stringify({ version: 1, pins: [legacy] }), { mode: 0o600 });
    expect((await run(['--store', store, 'verify'], auditor)).status).toBe(0);
    expect((await run(['--store', store, 'verify', '--pin-key', publicKey], auditor)).status).toBe(0);
    expect(readTrustFile(file)[0]?.ledger).toBe(pins[0]?.ledger);
  });
});
