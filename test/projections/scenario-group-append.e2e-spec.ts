import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays } from '@trial-ledger/domain';
import { SqliteEventStore, verifyStore } from '@trial-ledger/event-store';
import { testing } from '@trial-ledger/projections';

/** A scenario of `subjects` enrolled subjects with doses and a follow-up scan (every append also writes the study stream's roster). */
const scenario = (subjects: number): testing.LedgerScenario => {
  const ledger = new testing.LedgerScenario('GROUP-01');
  ledger.registerStudy({ ...testing.seedProtocol(), studyId: 'GROUP-01', targetEnrollment: 100 });
  for (let n = 1; n <= subjects; n += 1) {
    const s = ledger.subject(`G${String(n).padStart(3, '0')}`);
    s.baseline('2026-01-02', { diameters: [50] });
    s.enrol('2026-01-12');
    for (let cycle = 1; cycle <= 3; cycle += 1) s.dose(cycle, addDays('2026-01-13', (cycle - 1) * 28));
    s.followUp('2026-04-06', { diameters: [45] });
  }
  return ledger;
};

describe('LedgerScenario.appendTo with concurrent appends (the scale bench writes 1,000 decisions per group commit)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'scenario-group-append-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const write = async (file: string, chunks: number[], concurrency: number) => {
    const ledger = scenario(12);
    const store = new SqliteEventStore(join(dir, file));
    try {
      // In chunks from given event indexes, as the bench appends every 250 subjects.
      for (const from of chunks) await ledger.appendTo(store, from, concurrency);
      const events = [];
      for await (const e of store.readAll()) events.push({ id: e.eventId, stream: e.streamId, version: e.streamVersion, position: e.globalPosition });
      return { ledger, events, verification: await verifyStore(store) };
    } finally {
      await store.close();
    }
  };

  it('writes the same log as one append per decision: each event at its scenario position and version, the chain intact', async () => {
    const one = await write('one.sqlite', [0], 1);
    const grouped = await write('grouped.sqlite', [0], 50);
    expect(grouped.verification.ok).toBe(true);
    expect(grouped.events.map(({ stream, version, position }) => [stream, version, position])).toEqual(one.events.map(({ stream, version, position }) => [stream, version, position]));
    expect(grouped.events.map((e) => e.id)).toEqual(grouped.ledger.events.map((e) => e.eventId));
    expect(grouped.events.map((e) => e.position)).toEqual(grouped.ledger.events.map((e) => e.globalPosition));
  });

  it('appends from a later event index only the decisions recorded since (the bench appends the scenario in chunks as it grows)', async () => {
    const ledger = new testing.LedgerScenario('GROUP-01');
    ledger.registerStudy({ ...testing.seedProtocol(), studyId: 'GROUP-01', targetEnrollment: 100 });
    const store = new SqliteEventStore(join(dir, 'chunks.sqlite'));
    try {
      ledger.subject('G001').enrol('2026-01-12');
      const first = await ledger.appendTo(store, 0, 7);
      const appended = ledger.events.length;
      ledger.subject('G002').enrol('2026-01-13');
      ledger.subject('G003').enrol('2026-01-14');
      const second = await ledger.appendTo(store, appended, 7);
      expect(first).toHaveLength(appended);
      expect(second.map((e) => e.eventId)).toEqual(ledger.events.slice(appended).map((e) => e.eventId));
      expect((await store.head()).position).toBe(ledger.events.length);
      expect((await verifyStore(store)).ok).toBe(true);
    } finally {
      await store.close();
    }
  });
});
