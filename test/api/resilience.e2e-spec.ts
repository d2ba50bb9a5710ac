import request from 'supertest';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';
import { faultyStore, storeFaults, type StoreFaults } from './support/faulty-store';

describe('API under store failures and lost races', () => {
  let api: ApiTestApp;
  let faults: StoreFaults;
  const doses = `/api/v1/studies/${STUDY}/subjects/S001/doses`;

  beforeAll(async () => {
    faults = storeFaults();
    api = await startApiTestApp({ wrapStore: faultyStore(faults), maxCommandAttempts: 3 });
    await enrolledSubject(api, 'S001');
  });
  afterEach(() => Object.assign(faults, { unavailable: false, conflictOnAppend: false, appendCalls: 0 }));
  afterAll(async () => api.close());

  it('given an unreachable store, a command is 503 STORE.UNAVAILABLE with Retry-After, and nothing is written', async () => {
    const head = await api.headPosition();
    faults.unavailable = true;
    const response = await request(api.http).post(doses).set('Authorization', api.auth('coordinator')).send(bodies.dose(1, '2026-03-06'));
    faults.unavailable = false;
    expect([response.status, response.body.code, response.headers['retry-after']]).toEqual([503, 'STORE.UNAVAILABLE', '5']);
    expect(response.body.type).toBe('https://trial-ledger.dev/problems/store-unavailable');
    expect(await api.headPosition()).toBe(head);
  });

  it('given an unreachable store, /health answers 503 so a supervisor takes the instance out of rotation', async () => {
    faults.unavailable = true;
    const response = await request(api.http).get('/health');
    expect([response.status, response.body.code]).toEqual([503, 'STORE.UNAVAILABLE']);
  });

  it('an unpinned command that loses every race is retried, then refused with 409 (retryable), nothing written', async () => {
    const head = await api.headPosition();
    faults.conflictOnAppend = true;
    const response = await request(api.http).post(doses).set('Authorization', api.auth('coordinator')).send(bodies.dose(1, '2026-03-06'));
    expect([response.status, response.body.code, response.body.retryable]).toEqual([409, 'CONCURRENCY.VERSION_CONFLICT', true]);
    expect(faults.appendCalls).toBe(3);
    expect(await api.headPosition()).toBe(head);
  });

  it('a pinned command (If-Match) whose own stream has not moved is decided again when it loses the race on another stream it reads, then refused with 409 (retryable), not 412', async () => {
    const head = await api.headPosition();
    const etag = (await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001`).set('Authorization', api.auth('coordinator')).expect(200)).headers.etag;
    faults.conflictOnAppend = true;
    const response = await request(api.http).post(doses).set('Authorization', api.auth('coordinator')).set('If-Match', etag).send(bodies.dose(1, '2026-03-06'));
    expect([response.status, response.body.code, response.body.retryable]).toEqual([409, 'CONCURRENCY.VERSION_CONFLICT', true]);
    expect(faults.appendCalls).toBe(3);
    expect(await api.headPosition()).toBe(head);
  });

  it('a pinned command (If-Match) naming a stale version of its own stream is refused with 412 and the current ETag, without an append', async () => {
    const etag = (await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001`).set('Authorization', api.auth('coordinator')).expect(200)).headers.etag;
    const stale = `"${Number(JSON.parse(etag)) - 1}"`;
    const response = await request(api.http).post(doses).set('Authorization', api.auth('coordinator')).set('If-Match', stale).send(bodies.dose(1, '2026-03-06'));
    expect([response.status, response.body.code, response.headers.etag]).toEqual([412, 'CONCURRENCY.VERSION_CONFLICT', etag]);
    expect(faults.appendCalls).toBe(0);
  });
});
