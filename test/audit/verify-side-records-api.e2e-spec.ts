import request from 'supertest';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { enrolledSubject, startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/** `GET /api/v1/ledger/verification` reports what lies outside the chain, as `trial-ledger verify` does. */
describe('API verification: side records and defences', () => {
  let api: ApiTestApp;
  const verification = async () =>
    (await request(api.http).get('/api/v1/ledger/verification').set('Authorization', api.auth('monitor')).expect(200)).body as {
      ok: boolean;
      fault: unknown;
      sideRecords: { faults: Array<{ record: string; problem: string }> };
      warnings: Array<{ code: string }>;
    };

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  it('given a clean ledger, then ok with no side-record faults and no warnings', async () => {
    expect(await verification()).toMatchObject({ ok: true, fault: null, sideRecords: { faults: [] }, warnings: [] });
  });

  it('given a row planted in idempotency_keys and the triggers dropped, then ok is false, the row is named, and the missing triggers are warned about', async () => {
    const [victim] = await api.eventsAfter(0);
    const attacker = new SqliteAttacker(api.store.filename);
    attacker.exec(
      'INSERT INTO idempotency_keys (idempotency_key, request_hash, event_ids, stream_versions, last_position, recorded_at) VALUES (?, NULL, ?, ?, ?, ?)',
      'planted-key', JSON.stringify([victim.eventId]), JSON.stringify({ [victim.streamId]: victim.streamVersion }), victim.globalPosition, victim.metadata.recordedAt,
    );
    attacker.close();

    const report = await verification();

    expect(report).toMatchObject({ ok: false, fault: null });
    expect(report.sideRecords.faults).toEqual([expect.objectContaining({ record: 'planted-key', problem: 'planted' })]);
    expect(report.warnings.map((w) => w.code)).toEqual(['STORE.TRIGGER_MISSING', 'STORE.TRIGGER_MISSING']);
  });
});
