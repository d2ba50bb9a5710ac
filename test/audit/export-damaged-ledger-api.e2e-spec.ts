import request from 'supertest';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { enrolledSubject, startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/**
 * A value edited in the SQLite file under a running server (triggers dropped, hash left as it was): the
 * API's exports are copies of the record, so none is served and no `DataExported` is recorded.
 */
describe('API exports of a ledger whose content no longer matches its hashes', () => {
  let api: ApiTestApp;
  let editedPosition: number;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
    const events = await api.eventsAfter(0);
    const screened = events.find((e) => e.type === 'SubjectScreened');
    if (!screened) throw new Error('no SubjectScreened in the fixture');
    editedPosition = screened.globalPosition;
    const attacker = new SqliteAttacker(api.store.filename);
    expect(attacker.exec(`UPDATE events SET data = replace(data, '"birthYear":', '"birthYear":1') WHERE global_position = ?`, editedPosition)).toBe(1);
    attacker.close();
  });
  afterAll(async () => api.close());

  it.each([
    ['GET /api/v1/exports/odm', '/api/v1/exports/odm'],
    ['GET /api/v1/exports/audit-trail', '/api/v1/exports/audit-trail?format=csv'],
  ])('%s answers 409 LEDGER.TAMPERED naming the position, and records nothing', async (_name, path) => {
    const before = (await api.eventsAfter(0)).length;
    const response = await request(api.http).get(path).set('Authorization', api.auth('monitor'));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'LEDGER.TAMPERED', detail: expect.stringContaining(`LEDGER DAMAGED at position ${editedPosition}: content-altered`) });
    expect((await api.eventsAfter(0)).length).toBe(before);
  });
});
