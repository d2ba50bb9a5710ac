import request from 'supertest';
import { renderLedgerReport } from '@trial-ledger/audit';
import { enrolledSubject, startApiTestApp, type ApiTestApp } from './support/api-test-app';
import { faultyStore, storeFaults, type StoreFaults } from './support/faulty-store';

/** The probes a load balancer and an orchestrator call, and what an anonymous caller learns from them. */
describe('health: liveness and readiness (@nestjs/terminus)', () => {
  let api: ApiTestApp;
  let faults: StoreFaults;
  /** The temp directory of the test ledger: a path that must never reach an unauthenticated caller or an export. */
  let storeDir: string;
  beforeAll(async () => {
    faults = storeFaults();
    api = await startApiTestApp({ wrapStore: faultyStore(faults) });
    storeDir = api.store.filename.replace(/\/[^/]+$/, '');
    await enrolledSubject(api, 'S001');
  });
  afterEach(() => Object.assign(faults, { unavailable: false }));
  afterAll(async () => api.close());

  it.each(['/health', '/health/ready'])('%s: the store answers, no damage was found in the ledger, and the read models are caught up', async (path) => {
    const response = await request(api.http).get(path).expect(200);
    expect(response.body).toEqual({
      status: 'ok',
      info: { store: { status: 'up' }, ledger: { status: 'up' }, readModels: { status: 'up' } },
      error: {},
      details: { store: { status: 'up' }, ledger: { status: 'up' }, readModels: { status: 'up' } },
    });
  });

  it('/health/live: the process answers, whatever the store does', async () => {
    faults.unavailable = true;
    const response = await request(api.http).get('/health/live').expect(200);
    expect(response.body).toMatchObject({ status: 'ok' });
  });

  it.each(['/health', '/health/ready'])('given an unreachable store, %s is 503 STORE.UNAVAILABLE with each check down, and no internals', async (path) => {
    faults.unavailable = true;
    const response = await request(api.http).get(path).expect(503);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'STORE.UNAVAILABLE', checks: { store: { status: 'down' }, readModels: { status: 'down' } } });
    expect(response.text).not.toContain('injected');
  });

  it('tells an anonymous caller nothing about the store: no path, URL, scheme or log position', async () => {
    for (const path of ['/health', '/health/ready', '/health/live']) {
      const response = await request(api.http).get(path).expect(200);
      expect(response.text).not.toContain(storeDir);
      expect(response.text).not.toMatch(/sqlite|postgres|kurrentdb|position|description/i);
    }
  });

  it('keeps the store path out of the ODM export, the verification answer and the report header, for the people they are sent to', async () => {
    const odm = await request(api.http).get('/api/v1/exports/odm').set('Authorization', api.auth('monitor')).buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => done(null, body));
    }).expect(200);
    expect(String(odm.body)).toContain('trial-ledger export of the sqlite ledger through position');
    expect(String(odm.body)).not.toContain(storeDir);
    const verification = await request(api.http).get('/api/v1/ledger/verification').set('Authorization', api.auth('regulator')).expect(200);
    expect(verification.body).toMatchObject({ ok: true, store: 'sqlite' });
    const report = await renderLedgerReport(api.store);
    expect(report).toContain('from the sqlite ledger');
    expect(report).not.toContain(storeDir);
  });
});
