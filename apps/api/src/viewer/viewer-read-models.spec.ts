import { SqliteEventStore, type Clock, type EventStore, type ReadAllOptions, type StoredEvent } from '@trial-ledger/event-store';
import { clinicalReadModelsAt, testing } from '@trial-ledger/projections';
import type { QueryBus } from '@nestjs/cqrs';
import type { ReadModelsRunner } from '../projections/read-models.runner';
import { ViewerReadModels } from './viewer-read-models';

const STUDY = 'LANR-HGNET-01';

/** A store that counts the events read through `readAll` (what a fold of the log costs). */
const counting = (store: EventStore): { store: EventStore; read: () => number } => {
  let read = 0;
  const wrapped = new Proxy(store, {
    get(target, name, receiver) {
      if (name !== 'readAll') return Reflect.get(target, name, receiver) as unknown;
      return async function* (options?: ReadAllOptions): AsyncIterable<StoredEvent> {
        for await (const event of target.readAll(options)) {
          read += 1;
          yield event;
        }
      };
    },
  });
  return { store: wrapped, read: () => read };
};

/**
 * `?asKnownAt=` on the dashboard and the subjects table folds the log up to the position known then. Each distinct
 * instant used to cost a fold from position 0 (and two requests at once, two folds): a reader clicking through
 * instants, or a script, made the server fold the whole log again and again. A past state is now folded on from the
 * nearest one kept below it, one fold at a time, and a few states are kept, least recently used dropped first.
 */
describe('ViewerReadModels: pages as known at past instants', () => {
  let sqlite: SqliteEventStore;
  let instants: string[];
  let head: number;

  beforeAll(async () => {
    let ms = Date.parse('2026-03-01T00:00:00.000Z');
    const clock: Clock = { now: () => new Date((ms += 1000)).toISOString() };
    sqlite = new SqliteEventStore(':memory:', { clock });
    const ledger = new testing.LedgerScenario(STUDY);
    ledger.registerStudy();
    for (const id of ['S001', 'S002', 'S003', 'S004']) {
      const s = ledger.subject(id);
      s.screen('2026-01-05');
      s.baseline('2026-01-05');
      s.confirmEligibility('2026-01-05');
      s.enrol('2026-01-05');
      for (let cycle = 1; cycle <= 6; cycle += 1) s.dose(cycle, `2026-0${1 + Math.floor(cycle / 3)}-1${cycle}`);
    }
    await ledger.appendTo(sqlite);
    const events: StoredEvent[] = [];
    for await (const event of sqlite.readAll({})) events.push(event);
    head = events.length;
    // The recording time of every fourth append: instants in log order.
    instants = [...new Set(events.map((e) => e.metadata.recordedAt))].filter((_, i) => i % 4 === 3);
  });
  afterAll(async () => {
    await sqlite?.close();
  });

  const viewer = (store: EventStore): ViewerReadModels => new ViewerReadModels(store, { at: async () => null } as unknown as ReadModelsRunner, {} as QueryBus);

  it('given instants asked in log order, then each state is the full fold at its position, and the log is read about once in all', async () => {
    const { store, read } = counting(sqlite);
    const models = viewer(store);
    for (const instant of instants) {
      const state = await models.at(instant);
      expect(state.documents).toEqual((await clinicalReadModelsAt(sqlite, { toPosition: state.position })).state);
    }
    expect(instants.length).toBeGreaterThan(8);
    expect(read()).toBeLessThanOrEqual(head);
  });

  it('given one instant asked by several pages at once, then the log is folded once', async () => {
    const { store, read } = counting(sqlite);
    const models = viewer(store);
    const states = await Promise.all([1, 2, 3, 4].map(() => models.at(instants[instants.length - 1])));
    expect(new Set(states.map((s) => s.documents)).size).toBe(1);
    expect(read()).toBe(states[0].position);
  });

  it('given more instants than are kept, then an earlier one is folded again from the nearest state kept below it, not from position 0', async () => {
    const { store, read } = counting(sqlite);
    const models = viewer(store);
    // Asked in reverse: every fold starts from 0 (nothing is kept below), so the first ones asked are dropped.
    for (const instant of [...instants].reverse()) await models.at(instant);
    const lowest = await models.at(instants[0]);
    const before = read();
    const again = await models.at(instants[instants.length - 1]);
    expect(again.documents).toEqual((await clinicalReadModelsAt(sqlite, { toPosition: again.position })).state);
    // Folded on from a kept state below it, so fewer events than its position.
    expect(read() - before).toBeLessThan(again.position - lowest.position + 1);
  });
});
