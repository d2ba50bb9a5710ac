import { createWriteStream, mkdtempSync, rmSync, statSync, openSync, readSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { auditTrail, writeAuditTrail } from '@trial-ledger/audit';
import { appendBulk } from '../../libs/audit/src/testing/audit-ledger.fixture';

const EVENTS = 200_000;
const MiB = 1024 * 1024;

/**
 * The audit-trail export streams: back-pressure from the file reaches the log reader, so the heap
 * does not grow with the number of rows. 200,000 events give a ~100 MB CSV; the heap may not grow
 * by more than a fraction of that.
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

  it(`given ${EVENTS} events, when exported as CSV, then every row is written and the heap stays bounded`, async () => {
    global.gc?.();
    const baseline = process.memoryUsage().heapUsed;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 20);
    const file = join(dir, 'trail.csv');
    const rows = await writeAuditTrail(auditTrail(store), createWriteStream(file), 'csv');
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const size = statSync(file).size;
    expect(rows).toBe(EVENTS);
    expect(size).toBeGreaterThan(80 * MiB);
    // Buffering the export would add at least its size (UTF-16 in the heap: twice that).
    expect(peak - baseline).toBeLessThan(64 * MiB);
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(200);
    readSync(fd, head, 0, 200, 0);
    closeSync(fd);
    expect(head.toString('utf8')).toMatch(/^position,recorded_at_utc,user_id,username,full_name,role,event_type/);
  }, 300_000);
});
