import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { verifyStoredTree } from '@trial-ledger/merkle';
import { PostgresEventStore, verifyStore, type StoredEvent } from '@trial-ledger/event-store';
import { startPostgresTestServer, type PostgresTestServer } from '../../libs/event-store/src/testing/postgres-test-server';

const BUILT_STORE = resolve(__dirname, '../../dist/libs/event-store/src/index.js');

/**
 * One writer process: the built store (one-round-trip appends), `rounds` rounds of an append to its own
 * stream, an attempt on the shared `race` stream at the version it just read, and the shared keyed
 * append. Prints what it was answered, as JSON.
 */
const WRITER = String.raw`
const [storePath, url, id, rounds] = process.argv.slice(1);
const { PostgresEventStore } = require(storePath);
const actor = { userId: 'u-1', username: 'w', fullName: 'Writer', role: 'coordinator' };
let n = 0;
const event = (type) => ({ eventId: id + '-' + (n += 1), type, schemaVersion: 1, data: { id, n },
  metadata: { actor, reason: null, correlationId: id + '-c-' + n, causationId: null, idempotencyKey: null, source: 'cli', protocolVersion: 1 } });
(async () => {
  const store = await PostgresEventStore.connect(url, { poolSize: 2 });
  const out = { own: [], raceWon: [], raceRefused: 0, keyed: [] };
  for (let r = 0; r < Number(rounds); r += 1) {
    out.own.push((await store.append({ writes: [{ streamId: 'own-' + id, expectedVersion: r, events: [event('Own')] }] })).lastPosition);
    const seen = await store.streamVersion('race');
    try {
      out.raceWon.push((await store.append({ writes: [{ streamId: 'race', expectedVersion: seen, events: [event('Raced')] }] })).lastPosition);
    } catch (error) {
      if (error.constructor.name !== 'ConcurrencyError') throw error;
      out.raceRefused += 1;
    }
    const keyed = await store.append({ writes: [{ streamId: 'keyed-' + r, expectedVersion: 0, events: [{ ...event('Keyed'), eventId: 'keyed-' + id + '-' + r }] }],
      idempotencyKey: 'round-' + r, requestHash: 'same' });
    out.keyed.push({ position: keyed.lastPosition, repeated: keyed.repeated });
  }
  await store.close();
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { process.stderr.write(String(error && error.stack || error)); process.exit(1); });
`;

interface WriterReport {
  own: number[];
  raceWon: number[];
  raceRefused: number;
  keyed: { position: number; repeated: boolean }[];
}

const runWriter = (url: string, id: string, rounds: number): Promise<WriterReport> =>
  new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', WRITER, BUILT_STORE, url, id, String(rounds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolvePromise(JSON.parse(stdout) as WriterReport) : reject(new Error(`writer ${id} exited ${code}: ${stderr}`))));
  });

describe('one-round-trip PostgreSQL appends from several processes', () => {
  let pg: PostgresTestServer;

  beforeAll(async () => {
    if (!existsSync(BUILT_STORE)) throw new Error(`${BUILT_STORE} is missing: run npm run build first`);
    pg = await startPostgresTestServer();
  }, 120_000);

  afterAll(async () => {
    await pg?.stop();
  }, 60_000);

  it('keeps positions gapless and the chain and tree intact, refuses only the losers of each race, and writes each keyed append once', async () => {
    // Given four writer processes on one database, each with its own pool and its own remembered head
    const url = await pg.createDatabase();
    await (await PostgresEventStore.connect(url)).close();
    const rounds = 15;
    const reports = await Promise.all(['w1', 'w2', 'w3', 'w4'].map((id) => runWriter(url, id, rounds)));

    const store = await PostgresEventStore.connect(url);
    try {
      const all: StoredEvent[] = [];
      for await (const e of store.readAll()) all.push(e);
      // Then every acknowledged append is in the log at the position it was answered with
      const byPosition = new Map(all.map((e) => [e.globalPosition, e]));
      for (const [w, report] of reports.entries()) {
        expect(report.own.map((p) => byPosition.get(p)?.streamId)).toEqual(Array.from({ length: rounds }, () => `own-w${w + 1}`));
        for (const p of report.raceWon) expect(byPosition.get(p)?.streamId).toBe('race');
      }
      // And the race stream holds exactly the winners, one per version; every other attempt was refused
      const race = all.filter((e) => e.streamId === 'race');
      const won = reports.flatMap((r) => r.raceWon);
      expect(race.map((e) => e.globalPosition).sort((a, b) => a - b)).toEqual([...won].sort((a, b) => a - b));
      expect(race.map((e) => e.streamVersion)).toEqual(Array.from({ length: race.length }, (_, i) => i + 1));
      expect(won.length + reports.reduce((sum, r) => sum + r.raceRefused, 0)).toBe(4 * rounds);
      // And each keyed append was written once, every process answered with the same position
      for (let r = 0; r < rounds; r += 1) {
        const answers = reports.map((report) => report.keyed[r]);
        expect(new Set(answers.map((a) => a.position)).size).toBe(1);
        expect(answers.filter((a) => !a.repeated)).toHaveLength(1);
        expect(all.filter((e) => e.streamId === `keyed-${r}`)).toHaveLength(1);
      }
      // And positions are gapless, the chain verifies and the Merkle tree matches the events
      expect(all.map((e) => e.globalPosition)).toEqual(Array.from({ length: all.length }, (_, i) => i + 1));
      expect(all).toHaveLength(4 * rounds + won.length + rounds);
      expect(await verifyStore(store)).toMatchObject({ ok: true, eventsChecked: all.length });
      async function* hashes(): AsyncIterable<string> {
        for (const e of all) yield e.hash;
      }
      expect(await verifyStoredTree(hashes(), { treeNodes: (ids) => store.treeNodes(ids) })).toMatchObject({ ok: true, size: all.length });
    } finally {
      await store.close();
    }
  }, 120_000);
});
