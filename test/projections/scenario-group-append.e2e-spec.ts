import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addDays } from '@trial-ledger/domain';
import { commandEndAt, SqliteEventStore, verifyStore, type StoredEvent } from '@trial-ledger/event-store';
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

  it('stamps each decision as the command pipeline does: one correlation id per command, its later events caused by its first, a user\'s command from the API', async () => {
    const ledger = new testing.LedgerScenario('GROUP-01');
    ledger.registerStudy({ ...testing.seedProtocol(), studyId: 'GROUP-01', targetEnrollment: 100 });
    const s = ledger.subject('G001');
    s.baseline('2026-01-02', { diameters: [50] });
    s.enrol('2026-01-12');
    s.dose(1, '2026-01-13');
    const store = new SqliteEventStore(join(dir, 'metadata.sqlite'));
    try {
      const stored: StoredEvent[] = await ledger.appendTo(store);
      const enrolled = stored.find((e) => e.type === 'SubjectEnrolled')!;
      const roster = stored.find((e) => e.type === 'SubjectAddedToRoster')!;
      expect(roster.globalPosition).toBe(enrolled.globalPosition + 1);
      expect(enrolled.metadata).toMatchObject({ causationId: null, source: 'api' });
      expect(roster.metadata).toMatchObject({ correlationId: enrolled.metadata.correlationId, causationId: enrolled.eventId, source: 'api' });
      // A command's correlation id is its own, not an event's id, and no two commands share one.
      expect(stored.map((e) => e.eventId)).not.toContain(enrolled.metadata.correlationId);
      const dose = stored.find((e) => e.type === 'DoseAdministered')!;
      expect(dose.metadata.correlationId).not.toBe(enrolled.metadata.correlationId);
      // So a position bound at the enrollment reads through its roster entry, as on a ledger the pipeline wrote.
      expect(await commandEndAt(store, enrolled.globalPosition)).toBe(roster.globalPosition);
      expect(await commandEndAt(store, roster.globalPosition)).toBe(roster.globalPosition);
    } finally {
      await store.close();
    }
  });
});
