import { PassThrough } from 'node:stream';
import { parseCsv } from '../testing/parse-csv';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger, USERS, appendOne, type SeededLedger } from '../testing/audit-ledger.fixture';
import { auditTrail, auditTrailPage, type AuditTrailRow } from './audit-trail.query';
import { writeAuditTrail } from './audit-trail.writer';
import { eventTypeInWords } from './event-words';

const collect = async <T>(rows: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const row of rows) out.push(row);
  return out;
};

describe('auditTrail', () => {
  let store: SqliteEventStore;
  let seeded: SeededLedger;
  const clock = new FixedClock('2026-01-10T08:00:00.000Z');

  beforeAll(async () => {
    store = new SqliteEventStore(':memory:', { clock });
    seeded = await seedAuditLedger(store);
    clock.set('2026-02-15T12:00:00.000Z');
    await appendOne(store, 'subject-LANR-HGNET-01-S002', 'SubjectDied', { deathDate: '2026-02-14', cause: 'disease progression' }, USERS.investigator);
  });
  afterAll(() => store.close());

  it('given the whole log, then every event appears once, oldest first, with who, when and what', async () => {
    const rows = await collect(auditTrail(store));
    expect(rows.map((r) => r.position)).toEqual(rows.map((_, i) => i + 1));
    const dose = rows.find((r) => r.eventId === seeded.doseToCorrect.eventId) as AuditTrailRow;
    expect(dose).toMatchObject({
      userId: 'u-coord', username: 'ccoord', fullName: 'Chloé Coordinator', role: 'coordinator',
      recordedAt: '2026-01-10T08:00:00.000Z', eventType: 'DoseAdministered', action: 'Dose administered',
      streamId: 'subject-LANR-HGNET-01-S001', studyId: 'LANR-HGNET-01', subjectId: 'S001',
    });
    expect(dose.fields).toMatchObject({ cycle: 1, doseMg: 12, lotNumber: 'L-2291' });
  });

  it('given a type filter naming a type the ledger does not write, then AUDIT.UNKNOWN_EVENT_TYPE with the likeliest meant type; a known type without entries gives none', async () => {
    const refused = await collect(auditTrail(store, { type: 'EntryCorected' })).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'AUDIT.UNKNOWN_EVENT_TYPE', kind: 'validation', details: { unknownTypes: ['EntryCorected'] } });
    expect((refused as Error).message).toContain('did you mean EntryCorrected?');
    await expect(collect(auditTrail(store, { type: ['ProtocolAmended'] }))).resolves.toEqual([]);
  });

  it('given a correction, then its row carries before, after, the reason and the target type', async () => {
    const [row] = await collect(auditTrail(store, { type: 'EntryCorrected' }));
    expect(row).toMatchObject({
      targetEventId: seeded.doseToCorrect.eventId, targetType: 'DoseAdministered',
      before: { doseMg: 12 }, after: { doseMg: 120 }, reason: 'Transcription error: 120 mg per pharmacy log',
    });
  });

  it('given a void, then its row shows the withdrawn values, no after, and the reason', async () => {
    const [row] = await collect(auditTrail(store, { type: 'EntryVoided' }));
    expect(row).toMatchObject({ targetEventId: seeded.voidedDose.eventId, targetType: 'DoseAdministered', after: null, reason: 'Entered for the wrong subject' });
    expect(row.before).toMatchObject({ cycle: 2, doseMg: 120, injectionSite: 'right buttock' });
  });

  it('given identity events, then password hashes never appear', async () => {
    const rows = await collect(auditTrail(store, { type: 'UserCreated' }));
    expect(rows).toHaveLength(4);
    expect(JSON.stringify(rows)).not.toContain('SECRETHASHVALUE');
    expect(rows[0].fields.passwordHash).toBe('[redacted]');
  });

  it('given a subject filter, then only that subject’s events (and its roster entry) are listed', async () => {
    const rows = await collect(auditTrail(store, { subjectId: 'S002' }));
    expect(rows.map((r) => r.eventType)).toEqual(['SubjectScreened', 'EligibilityConfirmed', 'SubjectEnrolled', 'SubjectAddedToRoster', 'AdverseEventReported', 'SubjectDied']);
    expect(rows.every((r) => r.subjectId === 'S002')).toBe(true);
  });

  it('given user, type and time filters, then they combine', async () => {
    const byUser = await collect(auditTrail(store, { user: 'iinv', from: '2026-02-01' }));
    expect(byUser.map((r) => r.eventType)).toEqual(['SubjectDied']);
    const byId = await collect(auditTrail(store, { user: 'u-coord', type: ['EntryCorrected', 'EntryVoided'] }));
    expect(byId).toHaveLength(2);
    const untilJanuary = await collect(auditTrail(store, { to: '2026-01-31' }));
    expect(untilJanuary.some((r) => r.eventType === 'SubjectDied')).toBe(false);
    expect(untilJanuary.length).toBeGreaterThan(20);
  });

  it('given instants finer than the millisecond recordedAt keeps, then "at or after" and "at or before" still hold to the digit', async () => {
    const died = (rows: AuditTrailRow[]) => rows.some((r) => r.eventType === 'SubjectDied');
    // SubjectDied was recorded at 12:00:00.000: before 12:00:00.0001, so not "at or after" it.
    expect(died(await collect(auditTrail(store, { from: '2026-02-15T12:00:00.0001Z' })))).toBe(false);
    expect(died(await collect(auditTrail(store, { from: '2026-02-15T13:00:00.000000001+01:00' })))).toBe(false);
    expect(died(await collect(auditTrail(store, { from: '2026-02-15T12:00:00.000Z' })))).toBe(true);
    expect(died(await collect(auditTrail(store, { from: '2026-02-15T12:00:00.0000Z' })))).toBe(true);
    expect(died(await collect(auditTrail(store, { to: '2026-02-15T12:00:00.0001Z' })))).toBe(true);
    expect(died(await collect(auditTrail(store, { to: '2026-02-15T11:59:59.9999Z' })))).toBe(false);
    // A window inside one millisecond holds no recording instant: empty, not "from lies after to".
    await expect(collect(auditTrail(store, { from: '2026-02-15T12:00:00.0001Z', to: '2026-02-15T12:00:00.0009Z' }))).resolves.toEqual([]);
  });

  it('given a malformed date, then a validation error with a stable code', async () => {
    await expect(collect(auditTrail(store, { from: 'last tuesday' }))).rejects.toMatchObject({ code: 'AUDIT.INVALID_FILTER', kind: 'validation' });
  });

  it('given pages of 10, then they tile the trail and the last says no more', async () => {
    const all = await collect(auditTrail(store));
    const first = await auditTrailPage(store, {}, 1, 10);
    const third = await auditTrailPage(store, {}, 3, 10);
    const last = await auditTrailPage(store, {}, Math.ceil(all.length / 10), 10);
    expect(first).toMatchObject({ hasMore: true, page: 1, pageSize: 10 });
    expect(third.items.map((r) => r.position)).toEqual(all.slice(20, 30).map((r) => r.position));
    expect(last.hasMore).toBe(false);
    await expect(auditTrailPage(store, {}, 0, 10)).rejects.toMatchObject({ code: 'AUDIT.INVALID_PAGE' });
  });

  it('given CSV output, then a header and one parseable record per row, nested values as JSON', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const count = await writeAuditTrail(auditTrail(store, { type: 'EntryCorrected' }), out, 'csv');
    const records = parseCsv(Buffer.concat(chunks).toString('utf8'));
    expect(count).toBe(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ event_type: 'EntryCorrected', full_name: 'Chloé Coordinator', reason: 'Transcription error: 120 mg per pharmacy log', target_type: 'DoseAdministered' });
    expect(JSON.parse(records[0].before)).toEqual({ doseMg: 12 });
  });

  it('given JSON output, then a valid array of the rows', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeAuditTrail(auditTrail(store, { subjectId: 'S002' }), out, 'json');
    const rows = JSON.parse(Buffer.concat(chunks).toString('utf8')) as AuditTrailRow[];
    expect(rows).toHaveLength(6);
    const empty = new PassThrough();
    const emptyChunks: Buffer[] = [];
    empty.on('data', (c: Buffer) => emptyChunks.push(c));
    await writeAuditTrail(auditTrail(store, { subjectId: 'NOBODY' }), empty, 'json');
    expect(JSON.parse(Buffer.concat(emptyChunks).toString('utf8'))).toEqual([]);
  });

  it('renders event types in words', () => {
    expect(eventTypeInWords('TumorAssessmentRecorded')).toBe('Tumor assessment recorded');
    expect(eventTypeInWords('EntryVoided')).toBe('Entry voided (entered in error)');
    expect(eventTypeInWords('AccountPolicyChanged')).toBe('Account policy changed (configuration at server start)');
  });
});
