import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger } from '../testing/audit-ledger.fixture';
import { createCheckpoint } from '../verification/checkpointing';
import { ensureLedgerKey, type LedgerSigningKey } from '../verification/ledger-key';
import { verifyLedger } from '../verification/ledger.verifier';
import { appendCheckpoint, readCheckpointFile, signCheckpoint } from '../verification/signed-checkpoint';
import { latestTreeHead, readTreeHeads, signTreeHeadAt } from './tree-heads';
import { SqliteAttacker } from '../testing/sqlite-attacker';

describe('checkpoint files: signed tree heads beside the JSON checkpoints written before them', () => {
  let dir: string;
  let store: SqliteEventStore;
  let key: LedgerSigningKey;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tree-heads-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    key = ensureLedgerKey(join(dir, 'key.pem'));
    await seedAuditLedger(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given an old file of JSON checkpoints, when a tree head is added, then both kinds are read and verified', async () => {
    const file = join(dir, 'checkpoints.jsonl');
    const head = await store.head();
    appendCheckpoint(file, signCheckpoint(key, { position: head.position, hash: head.hash }, '2026-02-01T00:00:00.000Z'));
    await seedAuditLedger(store, { identity: false, study: false });
    const signed = await createCheckpoint(store, key, file);
    const lines = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(Object.keys(lines[0])).toEqual(['position', 'hash', 'time', 'publicKeyFingerprint', 'signature']);
    expect(Object.keys(lines[1])).toEqual(['note']);
    const checkpoints = readCheckpointFile(file);
    expect(checkpoints.map((c) => c.treeHead === undefined)).toEqual([true, false]);
    expect(await verifyLedger(store, { checkpoints, publicKey: key.publicKey })).toMatchObject({ ok: true, checkpoints: { total: 2, matched: 2, forged: 0 } });
    expect(readTreeHeads(file)).toEqual([signed]);
    expect(latestTreeHead(readTreeHeads(file), key.publicKey)).toEqual(signed);
  });

  it('reads a bare C2SP note as a checkpoint, and refuses a forged or foreign one', async () => {
    const head = await signTreeHeadAt(store, key, 10);
    const note = join(dir, 'head.note');
    writeFileSync(note, head.treeHead?.note as string);
    expect(latestTreeHead(readTreeHeads(note), key.publicKey)).toMatchObject({ position: 10, treeHead: { treeSize: 10 } });
    writeFileSync(note, (head.treeHead?.note as string).replace('\n10\n', '\n11\n').replace('chain 10 ', 'chain 11 '));
    expect(() => latestTreeHead(readTreeHeads(note), key.publicKey)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.NONE_VALID' }));
    const file = join(dir, 'broken.jsonl');
    appendFileSync(file, '{"note": "not a tree head"}\n');
    expect(() => readTreeHeads(file)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.MALFORMED' }));
    expect(() => readTreeHeads(dir)).toThrow(expect.objectContaining({ code: 'CHECKPOINT.MALFORMED' }));
    await expect(signTreeHeadAt(store, key, 0)).rejects.toMatchObject({ code: 'PROOF.INVALID_RANGE' });
  });

  it('given a head signed by createCheckpoint as anchor, refuses to sign any size once the log was rewritten under the stored tree', async () => {
    const anchor = await createCheckpoint(store, key, join(dir, 'checkpoints.jsonl'));
    await store.close();
    const attack = new SqliteAttacker(join(dir, 'ledger.sqlite'));
    // A payload early in the log changed and the chain recomputed; the stored Merkle nodes left as they were.
    attack.exec(`UPDATE events SET data = replace(data, '"role":"coordinator"', '"role":"admin"') WHERE global_position = 2`);
    attack.rehashFrom(2);
    attack.close();
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    for (const size of [3, 8, anchor.position]) {
      await expect(signTreeHeadAt(store, key, size, { anchor })).rejects.toMatchObject({ code: 'LEDGER.TAMPERED' });
    }
    // Without an anchor the stored tree alone is signed: which is why the CLI always passes one.
    await expect(signTreeHeadAt(store, key, 8)).resolves.toMatchObject({ position: 8 });
  });

  it('given an intact log and an anchor, signs every size up to it', async () => {
    const anchor = await createCheckpoint(store, key, join(dir, 'checkpoints.jsonl'));
    for (const size of [1, 7, 16, 17, anchor.position]) {
      await expect(signTreeHeadAt(store, key, size, { anchor })).resolves.toMatchObject({ position: size, treeHead: { treeSize: size } });
    }
  });
});
