import request from 'supertest';
import { auditTrailPage } from '@trial-ledger/audit';
import { AuditTrailIndexService } from '../../apps/api/src/projections/audit-trail-index.service';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * A trail page stands at the head of the log as it was when the request came, whether it is read from
 * the index or, while the index is behind, from the log: an event appended while the page is being
 * read is in neither (else the two answers differ in rows and in `hasMore`).
 */
describe('the API audit trail read from the log while the index is behind', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
    await api.app.get(AuditTrailIndexService).indexer.stop();
    await enrolledSubject(api, 'S001');
  });
  afterAll(() => api.close());

  it('is bound to the head when the request came, as a page from the index is', async () => {
    const head = await api.store.head();
    const appended = await request(api.http)
      .post(`/api/v1/studies/${STUDY}/subjects/S001/adverse-events`)
      .set('Authorization', api.auth('coordinator'))
      .send({ term: 'fatigue', onsetDate: '2026-03-09', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' })
      .expect(201);
    // The head as the request found it, before that append committed.
    jest.spyOn(api.store, 'head').mockResolvedValueOnce(head);
    const whole = (await request(api.http).get('/api/v1/audit-trail?subject=S001&pageSize=1000').set('Authorization', api.auth('regulator')).expect(200)).body;
    expect(whole).toEqual(JSON.parse(JSON.stringify(await auditTrailPage(api.store, { subjectId: 'S001', throughPosition: head.position }, 1, 1000))));
    expect(whole.items.map((r: { position: number }) => r.position)).not.toContain(appended.body.position);
    expect(whole.hasMore).toBe(false);
    // The next request stands at the new head and shows it.
    const next = (await request(api.http).get('/api/v1/audit-trail?subject=S001&pageSize=1000').set('Authorization', api.auth('regulator')).expect(200)).body;
    expect(next.items.at(-1).position).toBe(appended.body.position);
  });
});
