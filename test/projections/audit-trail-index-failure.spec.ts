import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { appendOne, seedAuditLedger, subjectStream, USERS } from '../../libs/audit/src/testing/audit-ledger.fixture';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { AuditTrailIndexService } from '../../apps/api/src/projections/audit-trail-index.service';
import type { ApiModuleOptions } from '../../apps/api/src/shared/tokens';

const until = async (done: () => boolean, timeoutMs: number): Promise<boolean> => {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return true;
};

/**
 * The server's audit-trail index when its file cannot be written (here: another process holds its
 * write lock; a failing or full disk takes the same path): readiness says so, the log says so once,
 * and the index catches up by itself once the file can be written again.
 */
describe('the audit-trail index of a server whose index file cannot be written for a while', () => {
  let dir: string;
  let events: SqliteEventStore;
  let service: AuditTrailIndexService;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-index-failure-'));
    events = new SqliteEventStore(join(dir, 'ledger.sqlite'), { pollMs: 20 });
    await seedAuditLedger(events);
    service = new AuditTrailIndexService(events, { store: events } as ApiModuleOptions);
    await service.onModuleInit();
    await service.indexer.catchUp();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await service.onModuleDestroy().catch(() => undefined);
    events.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is reported not healthy with one log line while saves fail, then catches up and is healthy again', async () => {
    const errors = jest.spyOn(Logger.prototype, 'error');
    const other = new Database(join(dir, 'ledger.sqlite.audit-index'));
    other.exec('BEGIN IMMEDIATE');
    try {
      expect(service.healthy).toBe(true);
      await appendOne(events, subjectStream('S001'), 'AdverseEventReported', { term: 'Nausea', onsetDate: '2026-02-03', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
      expect(await until(() => !service.healthy, 3000)).toBe(true);
      // Polls and restarts keep trying during this second; each failure is the same one.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(errors.mock.calls.filter(([message]) => String(message).includes('Audit-trail index')).length).toBeLessThanOrEqual(2);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const head = (await events.head()).position;
    expect(await until(() => service.healthy && service.indexer.savedPosition === head, 8000)).toBe(true);
    await expect((await service.readyAt(head)).find({ subjectId: 'S001', types: ['AdverseEventReported'] }, 10, 'newest-first')).resolves.toHaveLength(1);
  }, 20_000);

  it('on a full disk (the index file may not grow: SQLITE_FULL), is not healthy while saves fail and catches up once there is room', async () => {
    // The index's own connection: SQLite's page limit is per connection, and stands in for the disk.
    const db = (service.indexer.index as unknown as { db: Database.Database }).db;
    db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true }) as number}`);
    for (let i = 0; i < 40; i += 1) {
      await appendOne(events, subjectStream('S001'), 'AdverseEventReported', { term: `Nausea ${i} ${'x'.repeat(200)}`, onsetDate: '2026-02-03', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
    }
    expect(await until(() => !service.healthy, 3000)).toBe(true);
    db.pragma('max_page_count = 1073741823');
    const head = (await events.head()).position;
    expect(await until(() => service.healthy && service.indexer.savedPosition === head, 8000)).toBe(true);
    await expect((await service.readyAt(head)).find({ subjectId: 'S001', types: ['AdverseEventReported'] }, 100, 'newest-first')).resolves.toHaveLength(40);
  }, 20_000);
});
