import request from 'supertest';
import { RECORDED_REFUSALS_PER_MINUTE } from '@trial-ledger/identity';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/**
 * Role refusals are recorded in the append-only ledger, and token-authenticated routes are not
 * rate-limited: before, one account could add an `AuthorizationRefused` event per request for as long
 * as it kept asking (60 refused `GET /api/v1/users` by an investigator: 60 events). The refusals go on
 * being refused; only the first ones of a minute are recorded, per account.
 */
describe('one account cannot grow the ledger without bound by being refused', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(() => api.close());

  it(`every refusal is a 403, but at most ${RECORDED_REFUSALS_PER_MINUTE} a minute are recorded for one account; another account's are still recorded`, async () => {
    const before = await api.headPosition();
    const attempts = RECORDED_REFUSALS_PER_MINUTE + 15;
    const statuses: number[] = [];
    for (let i = 0; i < attempts; i += 1) statuses.push((await request(api.http).get('/api/v1/users').set('Authorization', api.auth('coordinator'))).status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(attempts);
    const refusalsOf = async (role: string, after: number): Promise<number> =>
      (await api.eventsAfter(after)).filter((e) => e.type === 'AuthorizationRefused' && e.metadata.actor.role === role).length;
    expect(await refusalsOf('coordinator', before)).toBe(RECORDED_REFUSALS_PER_MINUTE);
    expect((await api.eventsAfter(before)).filter((e) => e.type !== 'AuthorizationRefused')).toEqual([]);

    const next = await api.headPosition();
    const other = await request(api.http).get('/api/v1/users').set('Authorization', api.auth('investigator'));
    expect(other.status).toBe(403);
    expect(await refusalsOf('investigator', next)).toBe(1);
  });
});
