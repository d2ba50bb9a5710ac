import request from 'supertest';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * "What did the ledger say about S on day T" is one call and always gives the same answer: a casebook
 * read as of a past position or instant shows each query's age as it was then, not as it is today.
 */
describe('API: query ages in a casebook read as of the past', () => {
  let api: ApiTestApp;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  it('given a query opened at T and still open 10 days later, when the casebook is read as of T, then its age is 0 days; at the head it is 10', async () => {
    const as = (token: string) => `Bearer ${token}`;
    const post = (path: string, token: string, body: object) => request(api.http).post(path).set('Authorization', as(token)).send(body);
    const doseId = (await post(`${subjects}/S001/doses`, api.tokens.coordinator, bodies.dose(1, '2026-03-06')).expect(201)).body.eventIds[0];
    const opened = await post(`/api/v1/studies/${STUDY}/queries`, api.tokens.monitor, { subjectId: 'S001', targetEventId: doseId, text: 'Please confirm the date' }).expect(201);
    const openedAt = (await api.store.getEvent(opened.body.eventIds[0]))!.metadata.recordedAt;

    api.clock.advance(10 * 86_400_000);
    // Ten days on, the earlier sessions have expired: the regulator logs in again.
    const reader = (await api.identity.auth.login('rex', 'regulator passphrase 01', { source: 'api' })).token;
    const ageIn = async (query: string): Promise<number> => {
      const body = (await request(api.http).get(`${subjects}/S001/casebook${query}`).set('Authorization', as(reader)).expect(200)).body;
      return body.monitoring.entries[doseId].queries[0].ageDays;
    };
    expect(await ageIn('')).toBe(10);
    expect(await ageIn(`?position=${opened.body.position}`)).toBe(0);
    expect(await ageIn(`?asKnownAt=${encodeURIComponent(openedAt)}`)).toBe(0);
    // Both bounds: the earlier wins, for the ages as for the entries. Read at the query's position, its age
    // is measured to that position's recording time, not to a later asKnownAt.
    const fiveDaysOn = new Date(Date.parse(openedAt) + 5 * 86_400_000).toISOString();
    expect(await ageIn(`?asKnownAt=${encodeURIComponent(fiveDaysOn)}`)).toBe(5);
    expect(await ageIn(`?asKnownAt=${encodeURIComponent(fiveDaysOn)}&position=${opened.body.position}`)).toBe(0);
  });
});
