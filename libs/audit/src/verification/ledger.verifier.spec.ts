import { mkdtempSync, rmSync, statSync, readFileSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { v7 as uuidv7 } from 'uuid';
import { SqliteEventStore, FixedClock } from '@trial-ledger/event-store';
import { appendBulk, seedAuditLedger, USERS, type SeededLedger } from '../testing/audit-ledger.fixture';
import { SqliteAttacker } from '../testing/sqlite-attacker';
import { ensureLedgerKey, loadPublicKey, exportPublicKeyPem, publicKeyFingerprint, type LedgerSigningKey } from './ledger-key';
import { parseCheckpoints, readCheckpointFile, signCheckpoint, type SignedCheckpoint } from './signed-checkpoint';
import { createCheckpoint, startAutoCheckpoints } from './checkpointing';
import { verifyLedger, type LedgerVerification } from './ledger.verifier';

/**
 * Tamper detection against a real SQLite file (Part 11 §11.10(b)(e)): each test plays an attacker with
 * write access to the file who drops the append-only triggers and edits rows; the verifier must name
 * the first bad position and the kind of damage.
 */
describe('verifyLedger', () => {
  let dir: string;
  let file: string;
  let key: LedgerSigningKey;
  let checkpointFile: string;
  let head: number;

  const verifyFile = async (checkpoints?: SignedCheckpoint[], publicKey = key.publicKey): Promise<LedgerVerification> => {
    const store = new SqliteEventStore(file);
    try {
      return await verifyLedger(store, checkpoints ? { checkpoints, publicKey } : {});
    } finally {
      await store.close();
    }
  };
  const attack = (edit: (attacker: SqliteAttacker) => void): void => {
    const attacker = new SqliteAttacker(file);
    try {
      edit(attacker);
    } finally {
      attacker.close();
    }
  };
  /** One UPDATE that must hit exactly one row. */
  const edit = (sql: string, ...params: unknown[]): void =>
    attack((a) => expect(a.exec(sql, ...params)).toBe(1));
  const hashAt = (position: number): string => {
    const attacker = new SqliteAttacker(file);
    try {
      return attacker.row(position).hash as string;
    } finally {
      attacker.close();
    }
  };
  let seeded: SeededLedger;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-verify-'));
    file = join(dir, 'ledger.sqlite');
    checkpointFile = join(dir, 'ledger.checkpoints.jsonl');
    key = ensureLedgerKey(join(dir, 'ledger.key.pem'));
    const clock = new FixedClock('2026-03-01T09:00:00.000Z');
    const store = new SqliteEventStore(file, { clock });
    seeded = await seedAuditLedger(store);
    await appendBulk(store, 10, 3);
    await createCheckpoint(store, key, checkpointFile, clock); // early checkpoint
    await appendBulk(store, 30, 3);
    await createCheckpoint(store, key, checkpointFile, clock); // head checkpoint
    head = (await store.head()).position;
    await store.close();
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given an untouched ledger, when verified, then it is intact and every event was checked', async () => {
    const result = await verifyFile(readCheckpointFile(checkpointFile));
    expect(result).toMatchObject({ ok: true, eventsChecked: head, headPosition: head, fault: null });
    expect(result.checkpoints).toMatchObject({ total: 2, matched: 2, forged: 0 });
  });

  it('given one payload byte changed, then content-altered at that position', async () => {
    const position = seeded.doseToCorrect.globalPosition;
    edit(`UPDATE events SET data = replace(data, '"doseMg":12', '"doseMg":13') WHERE global_position = ?`, position);
    const result = await verifyFile();
    expect(result.ok).toBe(false);
    expect(result.fault).toMatchObject({ position, damage: 'content-altered', eventId: seeded.doseToCorrect.eventId });
  });

  it('given a byte changed that keeps the JSON meaning (added whitespace), then content-altered all the same', async () => {
    edit(`UPDATE events SET data = replace(data, '"cycle":1,', '"cycle": 1,') WHERE global_position = ?`, seeded.doseToCorrect.globalPosition);
    expect((await verifyFile()).fault).toMatchObject({ position: seeded.doseToCorrect.globalPosition, damage: 'content-altered' });
  });

  it('given the actor of an event changed, then content-altered at that position', async () => {
    edit(`UPDATE events SET metadata = replace(metadata, 'Chloé Coordinator', 'Dr Ivan Investigator') WHERE global_position = 7`);
    expect((await verifyFile()).fault).toMatchObject({ position: 7, damage: 'content-altered' });
  });

  it('given recorded_at changed, then content-altered at that position', async () => {
    edit(`UPDATE events SET recorded_at = '2026-02-28T09:00:00.000Z' WHERE global_position = 12`);
    expect((await verifyFile()).fault).toMatchObject({ position: 12, damage: 'content-altered' });
  });

  it('given an event deleted, then the gap is named at its position', async () => {
    edit('DELETE FROM events WHERE global_position = 15');
    expect((await verifyFile()).fault).toMatchObject({ position: 15, damage: 'position-gap' });
  });

  it('given an event deleted and the later ones renumbered, then event-removed at its position', async () => {
    attack((a) => {
      a.exec('DELETE FROM events WHERE global_position = 15');
      a.shift(16, -1);
    });
    expect((await verifyFile()).fault).toMatchObject({ position: 15, damage: 'event-removed' });
  });

  it('given an event inserted with a self-consistent hash, then event-inserted at its position', async () => {
    attack((a) => {
      a.shift(10, +1);
      a.insertForged({
        eventId: uuidv7(), type: 'SubjectScreened', schemaVersion: 1, streamId: 'subject-LANR-HGNET-01-S999', streamVersion: 1, globalPosition: 10,
        data: { studyId: 'LANR-HGNET-01', subjectId: 'S999', screeningDate: '2026-01-05', consentDate: '2026-01-04', sex: 'M', birthYear: 1970 },
        metadata: { actor: USERS.coordinator, reason: null, correlationId: uuidv7(), causationId: null, idempotencyKey: null, source: 'api', protocolVersion: 1, recordedAt: '2026-03-01T09:00:00.000Z' },
      });
    });
    expect((await verifyFile()).fault).toMatchObject({ position: 10, damage: 'event-inserted' });
  });

  it('given two events swapped, then events-reordered at the first of them', async () => {
    attack((a) => {
      a.exec('UPDATE events SET global_position = -1 WHERE global_position = 21');
      a.exec('UPDATE events SET global_position = 21 WHERE global_position = 22');
      a.exec('UPDATE events SET global_position = 22 WHERE global_position = -1');
    });
    expect((await verifyFile()).fault).toMatchObject({ position: 21, damage: 'events-reordered' });
  });

  it('given the tail cut off, then the chain alone verifies but the signed checkpoint names the first missing position', async () => {
    attack((a) => a.exec('DELETE FROM events WHERE global_position > ?', head - 3));
    expect((await verifyFile()).ok).toBe(true);
    const result = await verifyFile(readCheckpointFile(checkpointFile));
    expect(result.fault).toMatchObject({ position: head - 2, damage: 'truncated' });
  });

  it('given an event altered and the whole chain recomputed, then only the signed checkpoint catches it, naming the range', async () => {
    const [early] = readCheckpointFile(checkpointFile);
    const target = early.position + 5;
    attack((a) => {
      expect(a.exec(`UPDATE events SET data = replace(data, '"ctcaeGrade":1', '"ctcaeGrade":3') WHERE global_position = ?`, target)).toBe(1);
      a.rehashFrom(target);
    });
    expect((await verifyFile()).ok).toBe(true);
    const result = await verifyFile(readCheckpointFile(checkpointFile));
    expect(result.fault).toMatchObject({ position: head, from: early.position + 1, damage: 'checkpoint-mismatch' });
    expect(result.fault?.message).toContain(`between positions ${early.position + 1} and ${head}`);
  });

  it('given a checkpoint edited to match a rewritten log, then its signature does not verify', async () => {
    const [early, latest] = readCheckpointFile(checkpointFile);
    attack((a) => {
      expect(a.exec(`UPDATE events SET data = replace(data, '"ctcaeGrade":1', '"ctcaeGrade":3') WHERE global_position = ?`, early.position + 1)).toBe(1);
      a.rehashFrom(early.position + 1);
    });
    const rewrittenHead = hashAt(head);
    expect(rewrittenHead).not.toBe(latest.hash);
    const result = await verifyFile([early, { ...latest, hash: rewrittenHead }]);
    expect(result.fault).toMatchObject({ position: head, damage: 'checkpoint-forged' });
  });

  it('given the attacker also replaced the key and re-signed, then the regulator’s exported public key exposes it', async () => {
    const regulatorCopy = join(dir, 'regulator.pub.pem');
    writeFileSync(regulatorCopy, exportPublicKeyPem(key));
    attack((a) => {
      expect(a.exec(`UPDATE events SET data = replace(data, 'Mona Monitor', 'Mona Monitor-Smith') WHERE global_position = 4`)).toBe(1);
      a.rehashFrom(4);
    });
    const attackerKey = generateKeyPairSync('ed25519');
    const forgedKey: LedgerSigningKey = { ...attackerKey, fingerprint: publicKeyFingerprint(attackerKey.publicKey) };
    const reSigned = signCheckpoint(forgedKey, { position: head, hash: hashAt(head) }, '2026-03-02T00:00:00.000Z');
    // Against the attacker's own key everything "verifies" — which is why the regulator keeps a copy.
    expect((await verifyFile([reSigned], attackerKey.publicKey)).ok).toBe(true);
    const result = await verifyFile([reSigned], loadPublicKey(regulatorCopy));
    expect(result.fault).toMatchObject({ position: head, damage: 'checkpoint-forged' });
    expect(result.fault?.message).toContain('not the trusted ledger key');
  });
});

describe('ledger key and checkpoints', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'audit-key-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('given no key file, when ensured, then an Ed25519 key is created with mode 0600 and kept on the next call', () => {
    const file = join(dir, 'ledger.key.pem');
    const first = ensureLedgerKey(file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.privateKey.asymmetricKeyType).toBe('ed25519');
    expect(ensureLedgerKey(file).fingerprint).toBe(first.fingerprint);
    expect(readFileSync(file, 'utf8')).toContain('PRIVATE KEY');
  });

  it('given a tampered log, when a checkpoint is requested, then it refuses to sign', async () => {
    const file = join(dir, 'ledger.sqlite');
    const key = ensureLedgerKey(join(dir, 'ledger.key.pem'));
    const store = new SqliteEventStore(file);
    await seedAuditLedger(store);
    await store.close();
    const attacker = new SqliteAttacker(file);
    expect(attacker.exec(`UPDATE events SET data = replace(data, 'rectum', 'sigmoid-colon') WHERE global_position = 8`)).toBe(1);
    attacker.close();
    const reopened = new SqliteEventStore(file);
    await expect(createCheckpoint(reopened, key, join(dir, 'c.jsonl'))).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
    await reopened.close();
  });

  it('given automatic checkpoints every 10 events, when 35 events are appended, then positions 10, 20 and 30 are signed', async () => {
    const store = new SqliteEventStore(':memory:', { pollMs: 10 });
    const key = ensureLedgerKey(join(dir, 'ledger.key.pem'));
    const file = join(dir, 'auto.jsonl');
    const subscription = await startAutoCheckpoints(store, { key, file, every: 10 });
    await appendBulk(store, 35, 4, 7);
    await subscription.waitFor(35);
    await subscription.stop();
    const checkpoints = parseCheckpoints(readFileSync(file, 'utf8'));
    expect(checkpoints.map((c) => c.position)).toEqual([10, 20, 30]);
    expect((await verifyLedger(store, { checkpoints, publicKey: key.publicKey })).ok).toBe(true);
    await store.close();
  });

  /** Automatic checkpoints every 5 events over a seeded file whose position 8 an attacker edited. */
  const autoCheckpointsAfter = async (sql: string, hideRaw: boolean): Promise<{ tampered: Array<{ message: string; position: number }>; signed: number[] }> => {
    const file = join(dir, 'ledger.sqlite');
    const seeding = new SqliteEventStore(file);
    await seedAuditLedger(seeding);
    await seeding.close();
    const attacker = new SqliteAttacker(file);
    expect(attacker.exec(sql)).toBe(1);
    attacker.close();
    const opened = new SqliteEventStore(file);
    // A store without the stored bytes (KurrentDB, say) is followed through its parsed events.
    const store = hideRaw ? Object.assign(Object.create(opened) as SqliteEventStore, { subscribeRaw: undefined }) : opened;
    const tampered: Array<{ message: string; position: number }> = [];
    const checkpoints = join(dir, 'auto.jsonl');
    const subscription = await startAutoCheckpoints(store, { key: ensureLedgerKey(join(dir, 'ledger.key.pem')), file: checkpoints, every: 5, onTamper: (message, position) => void tampered.push({ message, position }) });
    await subscription.waitFor((await opened.head()).position);
    await subscription.stop();
    await opened.close();
    return { tampered, signed: parseCheckpoints(readFileSync(checkpoints, 'utf8')).map((c) => c.position) };
  };

  it('given a byte changed that keeps the JSON meaning, when a server checkpoints automatically, then it reports the damage at that position and signs nothing after it', async () => {
    // Only a check of the stored bytes (as `verify` makes) sees this: the parsed event is unchanged.
    const { tampered, signed } = await autoCheckpointsAfter(`UPDATE events SET data = replace(data, '":', '": ') WHERE global_position = 8`, false);
    expect(tampered).toEqual([{ message: expect.stringContaining('8'), position: 8 }]);
    expect(signed).toEqual([5]);
  });

  it('given a store without stored bytes, when a payload is changed, then automatic checkpoints still report it from the parsed events', async () => {
    const { tampered, signed } = await autoCheckpointsAfter(`UPDATE events SET data = replace(data, 'rectum', 'sigmoid-colon') WHERE global_position = 8`, true);
    expect(tampered).toEqual([{ message: expect.any(String), position: 8 }]);
    expect(signed).toEqual([5]);
  });
});
