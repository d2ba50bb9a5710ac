import { Test } from '@nestjs/testing';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { openEventStore, systemClock, type EventStore } from '@trial-ledger/event-store';
import { Identity } from '@trial-ledger/identity';
import { FAST_SCRYPT, RecordingLogger, addReadyUser } from '../../libs/identity/src/testing';
import { startPostgresTestServer, type PostgresTestServer } from '../../libs/event-store/src/testing/postgres-test-server';
import { AppModule } from '../../apps/api/src/app.module';
import { configureApp, createHttpAdapter, initApp } from '../../apps/api/src/main';
import { VIEWER_CSP } from '../../apps/api/src/viewer/viewer.module';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A viewer page asked for while the ledger's database is down (a real PostgreSQL stopped, then started
 * again): the sign-in check cannot be made, which is not a lost session. The browser gets a 503 page
 * saying the ledger is unavailable, with Retry-After, and the same session works once it is back.
 */
describe('viewer: the sign-in check while the store is unavailable', () => {
  let pg: PostgresTestServer;
  let store: EventStore;
  let identity: Identity;
  let app: NestFastifyApplication;
  let cookie: string;

  beforeAll(async () => {
    pg = await startPostgresTestServer();
    store = await openEventStore(await pg.createDatabase());
    identity = new Identity(store, systemClock, { scrypt: FAST_SCRYPT }, { logger: new RecordingLogger() });
    await identity.users.createFirstAdmin({ username: 'ada', fullName: 'Ada Admin', password: 'correct horse battery staple' }, 'cli');
    const admin = await identity.auth.verifyPassword('ada', 'correct horse battery staple', 'cli');
    await addReadyUser(identity, admin, { username: 'mona', fullName: 'Mona Monitor', role: 'monitor', password: 'monitor passphrase 0001' }, 'cli');
    cookie = `tl_viewer_session=${(await identity.auth.login('mona', 'monitor passphrase 0001', { source: 'api' })).token}`;
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ store, clock: systemClock, identity })] }).compile();
    app = configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bodyParser: false, logger: false }));
    await initApp(app);
  }, 120_000);
  afterAll(async () => {
    await app?.close();
    await store?.close();
    await pg?.stop();
  });

  it('answers 503 "ledger unavailable" with Retry-After while PostgreSQL is down, not the sign-in page, and keeps the session', async () => {
    await request(app.getHttpServer()).get('/viewer').set('Cookie', cookie).expect(200);
    // PostgreSQL stops (fast shutdown) and stays down for 8 s.
    const restarted = pg.restart({ signal: 'SIGINT', downMs: 8_000 });
    let page: request.Response | null = null;
    for (const until = Date.now() + 8_000; Date.now() < until; await sleep(100)) {
      const response = await request(app.getHttpServer()).get('/viewer').set('Cookie', cookie);
      if (response.status !== 200) {
        page = response;
        break;
      }
    }
    expect(page?.status).toBe(503);
    expect(page?.type).toBe('text/html');
    expect(page?.headers['retry-after']).toBe('5');
    expect(page?.headers['content-security-policy']).toBe(VIEWER_CSP);
    expect(page?.headers.location).toBeUndefined();
    expect(page?.headers['set-cookie']).toBeUndefined();
    expect(page?.text).toContain('The ledger is unavailable');
    await restarted;
    // Once the database is back, the same session reads the page again (the pool reconnects by itself).
    let status = 0;
    for (const until = Date.now() + 20_000; status !== 200 && Date.now() < until; await sleep(200)) status = (await request(app.getHttpServer()).get('/viewer').set('Cookie', cookie)).status;
    expect(status).toBe(200);
  }, 120_000);
});
