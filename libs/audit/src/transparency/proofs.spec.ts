import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger, type SeededLedger } from '../testing/audit-ledger.fixture';
import { SqliteAttacker } from '../testing/sqlite-attacker';
import { createCheckpoint } from '../verification/checkpointing';
import { ensureLedgerKey, type LedgerSigningKey } from '../verification/ledger-key';
import { readCheckpointFile, signCheckpoint, type SignedCheckpoint } from '../verification/signed-checkpoint';
import { verifyProofDocument } from './proof-verification';
import { answerConsistency, answerInclusion, proveConsistency, proveInclusion } from './proofs';
import { verifyTree } from './store-tree';
import { generateKeyPairSync } from 'node:crypto';

describe('transparency-log proofs over a SQLite ledger', () => {
  let dir: string;
  let file: string;
  let store: SqliteEventStore;
  let key: LedgerSigningKey;
  let seeded: SeededLedger;
  let checkpoints: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'proofs-'));
    file = join(dir, 'ledger.sqlite');
    checkpoints = join(dir, 'checkpoints.jsonl');
    store = new SqliteEventStore(file);
    key = ensureLedgerKey(join(dir, 'key.pem'));
    seeded = await seedAuditLedger(store);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const sign = (): Promise<SignedCheckpoint> => createCheckpoint(store, key, checkpoints);

  it('given a signed tree head, an inclusion proof for any event verifies offline with the public key alone', async () => {
    const head = await sign();
    expect(await verifyTree(store)).toMatchObject({ ok: true, size: head.position, fault: null });
    for (const position of [1, 7, head.position]) {
      const proof = await proveInclusion(store, { position }, head);
      const verdict = verifyProofDocument(JSON.parse(JSON.stringify(proof)), key.publicKey);
      expect(verdict).toMatchObject({ ok: true, kind: 'inclusion', position });
    }
  });

  it('never hands out a password hash: an identity event is shown redacted and only its hash is proved', async () => {
    const head = await sign();
    const proof = await proveInclusion(store, { position: 1 }, head);
    expect(proof).toMatchObject({ redacted: true, event: { type: 'UserCreated', data: { passwordHash: '[redacted]' } } });
    expect(JSON.stringify(proof)).not.toContain('SECRETHASHVALUE');
    expect(verifyProofDocument(proof, key.publicKey)).toMatchObject({ ok: true, contentChecked: false, message: expect.stringContaining('redacted') });
    const dose = await proveInclusion(store, { eventId: seeded.doseToCorrect.eventId }, head);
    expect(verifyProofDocument(dose, key.publicKey)).toMatchObject({ ok: true, contentChecked: true });
  });

  it('given a proof file whose "redacted" flag was switched on, then it proves nothing the file says of the event but its hash and position', async () => {
    const head = await sign();
    const dose = await proveInclusion(store, { eventId: seeded.doseToCorrect.eventId }, head);
    // A clinical event is never redacted: flipping the flag does not stop its content being checked.
    const forged = { ...dose, redacted: true, event: { ...dose.event, type: 'SubjectDied', data: { ...dose.event.data, doseMg: 1200 } } };
    expect(verifyProofDocument(forged, key.publicKey)).toMatchObject({ ok: false, message: expect.stringMatching(/content does not match its hash/) });
    const flagOnly = verifyProofDocument({ ...dose, redacted: true }, key.publicKey);
    expect(flagOnly).toMatchObject({ ok: true, contentChecked: true, eventId: seeded.doseToCorrect.eventId });
    // A genuinely redacted identity event: what the file says of it (id, type, stream) is not presented as proved.
    const identity = await proveInclusion(store, { position: 1 }, head);
    const relabelled = { ...identity, event: { ...identity.event, eventId: seeded.doseToCorrect.eventId, type: 'SubjectDied', streamId: 'subject-LANR-HGNET-01-S001' } };
    const verdict = verifyProofDocument(relabelled, key.publicKey);
    expect(verdict).toMatchObject({ ok: true, contentChecked: false, position: 1 });
    expect(verdict.eventId).toBeUndefined();
    expect(verdict.message).not.toMatch(/SubjectDied|subject-LANR-HGNET-01-S001/);
    expect(verdict.message).toMatch(/nothing else the file says of it .* is proved/);
  });

  it('a proof of a voided event still verifies: voiding is an event, nothing is removed', async () => {
    const head = await sign();
    const proof = await proveInclusion(store, { eventId: seeded.voidedDose.eventId }, head);
    expect(verifyProofDocument(proof, key.publicKey)).toMatchObject({ ok: true, eventId: seeded.voidedDose.eventId });
    const voiding = await proveInclusion(store, { eventId: seeded.voidEvent.eventId }, head);
    expect(verifyProofDocument(voiding, key.publicKey)).toMatchObject({ ok: true });
  });

  it('refuses an altered event, another key, a wrong size and a flipped path hash', async () => {
    const head = await sign();
    const proof = await proveInclusion(store, { eventId: seeded.doseToCorrect.eventId }, head);
    const altered = { ...proof, event: { ...proof.event, data: { ...proof.event.data, doseMg: 1200 } } };
    expect(verifyProofDocument(altered, key.publicKey)).toMatchObject({ ok: false, message: expect.stringMatching(/content does not match its hash/) });
    expect(verifyProofDocument(proof, generateKeyPairSync('ed25519').publicKey)).toMatchObject({ ok: false, message: expect.stringMatching(/trusted key/) });
    expect(verifyProofDocument({ ...proof, treeSize: proof.treeSize - 1 }, key.publicKey)).toMatchObject({ ok: false });
    const flipped = Buffer.from(proof.proof[0], 'base64');
    flipped[0] ^= 1;
    expect(verifyProofDocument({ ...proof, proof: [flipped.toString('base64'), ...proof.proof.slice(1)] }, key.publicKey)).toMatchObject({ ok: false });
    // Another event's proof (entry i is position i + 1): the message keeps the two numberings apart.
    const other = await proveInclusion(store, { position: seeded.doseToCorrect.globalPosition - 1 }, head);
    expect(verifyProofDocument({ ...proof, event: other.event }, key.publicKey)).toMatchObject({
      ok: false,
      message: `The proof is for entry ${proof.leafIndex} (position ${proof.leafIndex + 1}), but the event is at position ${other.event.globalPosition}`,
    });
    for (const hostile of [null, [], { format: 'other' }, { ...proof, proof: 'x' }, { ...proof, event: { __proto__: { hash: 'a' } } }, { ...proof, leafIndex: -1 }]) {
      expect(() => verifyProofDocument(hostile, key.publicKey)).toThrow(expect.objectContaining({ code: 'PROOF.MALFORMED' }));
    }
  });

  it('given a proof file whose event data nests thousands of levels deep (a few kilobytes), then PROOF.MALFORMED, not a stack overflow', async () => {
    const head = await sign();
    const proof = await proveInclusion(store, { eventId: seeded.doseToCorrect.eventId }, head);
    // Built as the JSON a hostile file holds (JSON.parse is iterative; the canonical-JSON content check is not).
    const deep: unknown = JSON.parse(`${'['.repeat(20_000)}${']'.repeat(20_000)}`);
    const hostile = { ...proof, event: { ...proof.event, data: { ...proof.event.data, deep } } };
    expect(() => verifyProofDocument(hostile, key.publicKey)).toThrow(expect.objectContaining({ code: 'PROOF.MALFORMED' }));
    const redactedDeep = { ...hostile, redacted: true, event: { ...hostile.event, data: { ...hostile.event.data, note: '[redacted]' } } };
    expect(() => verifyProofDocument(redactedDeep, key.publicKey)).toThrow(expect.objectContaining({ code: 'PROOF.MALFORMED' }));
  });

  it('given a ledger damaged after the tree head was signed (content edited, chain recomputed), then the inclusion proof fails against the stored tree', async () => {
    const head = await sign();
    const attacker = new SqliteAttacker(file);
    const target = seeded.doseToCorrect.globalPosition;
    attacker.exec(`UPDATE events SET data = json_set(data, '$.doseMg', 1200) WHERE global_position = ?`, target);
    attacker.rehashFrom(target);
    attacker.close();
    const reopened = new SqliteEventStore(file);
    try {
      await expect(proveInclusion(reopened, { position: target }, head)).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
      // The stored nodes still hold the tree the head signed, so the rewritten tail shows through them too.
      await expect(proveInclusion(reopened, { position: head.position }, head)).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
    } finally {
      await reopened.close();
    }
  });

  it('given a stored Merkle node rewritten, then proofs through it fail and the tree check names the node', async () => {
    const head = await sign();
    const attacker = new SqliteAttacker(file);
    expect(attacker.rewriteMerkleNode(4, 0, Buffer.alloc(32, 7))).toBe(1);
    attacker.close();
    const reopened = new SqliteEventStore(file);
    try {
      // Node (4, 0) covers events 1–16: it is on the path of event 17, not on those of events 1 to 16.
      await expect(proveInclusion(reopened, { position: 17 }, head)).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
      await expect(proveInclusion(reopened, { position: 3 }, head)).resolves.toMatchObject({ leafIndex: 2 });
      expect(await verifyTree(reopened)).toMatchObject({ ok: false, fault: { level: 4, index: 0, stored: '07'.repeat(32) } });
      expect(await verifyTree(store)).toMatchObject({ ok: false, fault: { level: 4, index: 0 } });
    } finally {
      await reopened.close();
    }
  });

  it('proves that a later tree head extends an earlier one, and exposes a rewrite between them', async () => {
    const early = await sign();
    await seedAuditLedger(store, { identity: false, study: false });
    const late = await sign();
    const { document, consistent } = await proveConsistency(store, early, late);
    expect(consistent).toBe(true);
    expect(verifyProofDocument(document, key.publicKey)).toMatchObject({ ok: true, kind: 'consistency' });
    // A forged "later" head whose root is not an extension of the earlier one
    const forged = { ...document, to: document.from.replace(`\n${early.position}\n`, `\n${late.position}\n`).replace(`chain ${early.position} `, `chain ${late.position} `) };
    expect(verifyProofDocument(forged, key.publicKey)).toMatchObject({ ok: false });
    // The heads swapped (the larger first) prove nothing either way: a malformed file, not evidence of a rewrite.
    const swapped = { ...document, from: document.to, to: document.from, fromSize: document.toSize, toSize: document.fromSize };
    expect(() => verifyProofDocument(swapped, key.publicKey)).toThrow(expect.objectContaining({ code: 'PROOF.MALFORMED' }));
    expect(() => verifyProofDocument({ ...document, fromSize: 0 }, key.publicKey)).toThrow(expect.objectContaining({ code: 'PROOF.MALFORMED' }));
    const rootOfOther = (await answerConsistency(store, 3, late.position)).toRoot;
    expect(rootOfOther).toBe(late.treeHead?.rootHash);
  });

  it('given a consistency proof file with hashes taken out or added, then it is malformed — not evidence that history was rewritten', async () => {
    const early = await sign();
    await seedAuditLedger(store, { identity: false, study: false });
    const late = await sign();
    const { document } = await proveConsistency(store, early, late);
    expect(document.proof.length).toBeGreaterThan(1);
    for (const proof of [[], document.proof.slice(1), document.proof.slice(0, -1), [...document.proof, document.proof[0]]]) {
      expect(() => verifyProofDocument({ ...document, proof }, key.publicKey)).toThrow(
        expect.objectContaining({ code: 'PROOF.MALFORMED', message: expect.stringContaining(`needs ${document.proof.length}`) }),
      );
    }
    // The right number of hashes, one of them wrong: that is what a rewrite looks like.
    const flipped = [document.proof[0].startsWith('A') ? `B${document.proof[0].slice(1)}` : `A${document.proof[0].slice(1)}`, ...document.proof.slice(1)];
    expect(verifyProofDocument({ ...document, proof: flipped }, key.publicKey)).toMatchObject({ ok: false, message: expect.stringContaining('history was rewritten') });
  });

  it('given a ledger cut back below a signed tree head (its last events deleted), then proofs against that head say so: LEDGER.TAMPERED, truncated', async () => {
    const early = await sign();
    await seedAuditLedger(store, { identity: false, study: false });
    const late = await sign();
    const attacker = new SqliteAttacker(file);
    expect(attacker.exec('DELETE FROM events WHERE global_position > ?', late.position - 3)).toBe(3);
    attacker.close();
    const reopened = new SqliteEventStore(file);
    try {
      const truncated = { code: 'LEDGER.TAMPERED', details: expect.objectContaining({ damage: 'truncated', position: late.position - 2 }) };
      await expect(proveInclusion(reopened, { position: 1 }, late)).rejects.toMatchObject(truncated);
      await expect(proveConsistency(reopened, early, late)).rejects.toMatchObject(truncated);
      // A size asked for without a signed head is only beyond the head: nothing vouches for it.
      await expect(answerInclusion(reopened, { position: 1 }, late.position)).rejects.toMatchObject({ code: 'PROOF.BEYOND_HEAD' });
    } finally {
      await reopened.close();
    }
  });

  it('refuses what cannot be proved: an unknown event, a position beyond the head, a pre-tree checkpoint, sizes out of order', async () => {
    const head = await sign();
    await expect(answerInclusion(store, { eventId: '__proto__' })).rejects.toMatchObject({ code: 'PROOF.EVENT_NOT_FOUND' });
    await expect(answerInclusion(store, { position: 0 })).rejects.toMatchObject({ code: 'PROOF.INVALID_POSITION' });
    await expect(answerInclusion(store, { position: 1 }, head.position + 1)).rejects.toMatchObject({ code: 'PROOF.BEYOND_HEAD' });
    await expect(answerInclusion(store, { position: head.position }, 1)).rejects.toMatchObject({ code: 'PROOF.NOT_IN_TREE' });
    await expect(answerConsistency(store, 5, 4)).rejects.toMatchObject({ code: 'PROOF.INVALID_RANGE' });
    await expect(answerConsistency(store, 0, 4)).rejects.toMatchObject({ code: 'PROOF.INVALID_RANGE' });
    const legacy = signCheckpoint(key, { position: head.position, hash: head.hash }, head.time);
    await expect(proveInclusion(store, { position: 1 }, legacy)).rejects.toMatchObject({ code: 'PROOF.NOT_A_TREE_HEAD' });
    expect(readCheckpointFile(checkpoints)).toHaveLength(1);
  });

  it('given an event row planted at position 0 (outside the chain), then asked for by id it is LEDGER.TAMPERED, not an internal error', async () => {
    const head = await sign();
    const attacker = new SqliteAttacker(file);
    attacker.exec(
      `INSERT INTO events (global_position, event_id, stream_id, stream_version, type, schema_version, data, metadata, recorded_at, idempotency_key, prev_hash, hash)
       SELECT 0, '01a2371b-0000-7000-8000-000000000001', stream_id, 999, type, schema_version, data, metadata, recorded_at, idempotency_key, prev_hash, hash
       FROM events WHERE global_position = ?`,
      seeded.doseToCorrect.globalPosition,
    );
    attacker.close();
    const reopened = new SqliteEventStore(file);
    try {
      const planted = { eventId: '01a2371b-0000-7000-8000-000000000001' };
      await expect(answerInclusion(reopened, planted)).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
      await expect(proveInclusion(reopened, planted, head)).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
    } finally {
      await reopened.close();
    }
  });
});
