import type { AuditIndexQuery, AuditIndexRow, AuditTrailIndexStore } from './audit-trail-index.port';

/** Whether a row meets every condition of the query (the in-memory store's filter; SQLite's WHERE says the same). */
export const matchesAuditQuery = (row: AuditIndexRow, q: AuditIndexQuery): boolean =>
  (q.studyId === undefined || row.studyId === q.studyId) &&
  (q.subjectId === undefined || row.subjectId === q.subjectId) &&
  (q.user === undefined || row.userId === q.user || row.username === q.user) &&
  (q.role === undefined || row.role === q.role) &&
  (q.types === undefined || q.types.includes(row.eventType)) &&
  (q.changesOnly !== true || row.isChange) &&
  (q.from === undefined || row.recordedAt >= q.from) &&
  (q.to === undefined || row.recordedAt <= q.to) &&
  (q.beforePosition === undefined || row.position < q.beforePosition) &&
  (q.afterPosition === undefined || row.position > q.afterPosition) &&
  (q.throughPosition === undefined || row.position <= q.throughPosition);

/** The index in memory (tests, and ledgers whose read models are not kept in a local file). */
export class InMemoryAuditTrailIndex implements AuditTrailIndexStore {
  private rows: AuditIndexRow[] = [];
  private saved: { position: number; version: number } | null = null;

  async checkpoint(): Promise<{ position: number; version: number } | null> {
    return this.saved;
  }

  async append(rows: readonly AuditIndexRow[], checkpoint: number, version: number): Promise<void> {
    for (const row of rows) this.rows.push({ ...row });
    this.saved = { position: checkpoint, version };
  }

  async find(query: AuditIndexQuery, limit: number, order: 'newest-first' | 'oldest-first', offset = 0): Promise<AuditIndexRow[]> {
    const found: AuditIndexRow[] = [];
    const n = this.rows.length;
    let skipped = 0;
    for (let i = 0; i < n && found.length < limit; i += 1) {
      const row = this.rows[order === 'newest-first' ? n - 1 - i : i];
      if (!matchesAuditQuery(row, query)) continue;
      if (skipped < offset) skipped += 1;
      else found.push(row);
    }
    return found;
  }

  async subjectOfStream(streamId: string): Promise<string | null> {
    return this.rows.find((r) => r.streamId === streamId && r.subjectId !== null)?.subjectId ?? null;
  }

  async streamsOfSubject(studyId: string, subjectId: string, throughPosition: number): Promise<string[]> {
    const rows = this.rows.filter((r) => r.studyId === studyId && r.subjectId === subjectId && r.position <= throughPosition);
    return [...new Set(rows.map((r) => r.streamId))];
  }

  /** Rows in memory cannot be changed by another process: nothing to check. */
  async assertIntact(): Promise<void> {}

  async reset(): Promise<void> {
    this.rows = [];
    this.saved = null;
  }

  async close(): Promise<void> {}
}
