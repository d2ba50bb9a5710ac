import { createWriteStream, mkdtempSync, rmSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { auditTrail, writeAuditTrail } from '@trial-ledger/audit';
import { appendBulk } from '../../libs/audit/src/testing/audit-ledger.fixture';

const EVENTS = 200_000;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** JS heap plus Buffer memory (off-heap), after a full collection: what is actually retained. */
const liveHeap = (): number => {
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
};
const MiB = 1024 * 1024;

/**
 * The audit-trail export streams: back-pressure from the file reaches the log reader, so the heap
 * does not grow with the number of rows. 200,000 events give a ~90 MB CSV; the live heap may not
 * grow by more than a fraction of that.
 */
describe('audit-trail export of a large store', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'audit-large-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
    await appendBulk(store, EVENTS, 28, 5000);
  }, 300_000);
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`given ${EVENTS} events, when exported as CSV, then every row is written and the live heap stays bounded`, async () => {
    // Live memory is measured after a full GC at every 20,000th row, so the figure is what the export
    // retains, not garbage waiting for collection (which varies with load on the machine).
    const baseline = liveHeap();
    let peak = 0;
    const file = join(dir, 'trail.csv');
    const rows = await writeAuditTrail(auditTrail(store), createWriteStream(file), 'csv', (n) => {
      if (n % 20_000 === 0) peak = Math.max(peak, liveHeap() - baseline);
    });
    const size = statSync(file).size;
    expect(rows).toBe(EVENTS);
    expect(size).toBeGreaterThan(80 * MiB);
    // Buffering the export would retain at least its size (over 80 MB).
    expect(peak).toBeLessThan(32 * MiB);
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(200);
    readSync(fd, head, 0, 200, 0);
    closeSync(fd);
    expect(head.toString('utf8')).toMatch(/^position,recorded_at_utc,user_id,username,full_name,role,event_type/);
  }, 300_000);
});
