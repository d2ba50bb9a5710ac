import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { executeCommand, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import { subjectStreamId } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore, type EventStore } from '@trial-ledger/event-store';
import { ADMIN, COORDINATOR, registerStudy, screening, STUDY_ID, subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';

/**
 * The same request, under one Idempotency-Key, sent by a retrying client to two servers on one ledger:
 * the second server looks the key up before the first has committed, and reads the streams after. A
 * barrier holds the second between the two reads while the first commits, deterministically.
 */
describe('an idempotent repeat committed between the key look-up and the stream read', () => {
  let dir: string;
  let first: SqliteEventStore;
  let second: SqliteEventStore;
  const clock = new FixedClock('2026-06-30T12:00:00.000Z');
  const keyed: CommandEnvelope = { actor: COORDINATOR, source: 'api', idempotencyKey: 'screen-S001', requestHash: 'same-body' };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tl-idem-race-'));
    first = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    second = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await executeCommand(first, registerStudy(), { actor: ADMIN, source: 'cli' }, { clock });
  });
  afterEach(async () => {
    await Promise.all([first.close(), second.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** `store`, whose first read of a stream waits until `barrier` resolves (the look-up by key does not). */
  const heldAtFirstStreamRead = (store: EventStore, barrier: Promise<void>): { store: EventStore; reached: Promise<void> } => {
    let reach!: () => void;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    let held = false;
    const proxy = new Proxy(store, {
      get(target, property, receiver) {
        if (property !== 'readStream') return Reflect.get(target, property, receiver) as unknown;
        return async (...args: Parameters<EventStore['readStream']>) => {
          if (!held) {
            held = true;
            reach();
            await barrier;
          }
          return target.readStream(...args);
        };
      },
    });
    return { store: proxy, reached };
  };

  it('given the first request commits while the second is between look-up and read, when the second decides, then it answers the first outcome and writes nothing', async () => {
    let release!: () => void;
    const barrier = new Promise<void>((resolve) => (release = resolve));
    const held = heldAtFirstStreamRead(second, barrier);
    const repeat = executeCommand(held.store, subjectCommand('ScreenSubject', screening(), 'S001'), keyed, { clock });
    await held.reached;
    const original = await executeCommand(first, subjectCommand('ScreenSubject', screening(), 'S001'), keyed, { clock });
    release();
    const answered = await repeat;
    expect(answered.repeated).toBe(true);
    expect(answered.events.map((e) => e.eventId)).toEqual(original.events.map((e) => e.eventId));
    expect((await first.readStream(subjectStreamId(STUDY_ID, 'S001'))).map((e) => e.type)).toEqual(['SubjectScreened']);
  });
});
