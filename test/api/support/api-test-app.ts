import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import type { DestinationStream } from 'pino';
import type { Role } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore, type EventStore, type StoredEvent } from '@trial-ledger/event-store';
import { Identity } from '@trial-ledger/identity';
import { FAST_SCRYPT, RecordingLogger, addReadyUser } from '../../../libs/identity/src/testing';
import { AppModule } from '../../../apps/api/src/app.module';
import type { ApiModuleOptions } from '../../../apps/api/src/shared/tokens';
import { configureApp, createHttpAdapter, initApp } from '../../../apps/api/src/main';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export const STUDY = 'LANR-HGNET-01';
/** Recording time of the test ledger: after every clinical date the scenarios use. */
export const TEST_NOW = '2026-09-01T09:00:00.000Z';

/** One user per role, logged in: `Authorization: Bearer <token>`. */
export type Tokens = Readonly<Record<Role, string>>;

export interface ApiTestApp {
  readonly app: NestFastifyApplication;
  /** The Node HTTP server for supertest. */
  readonly http: ReturnType<NestFastifyApplication['getHttpServer']>;
  readonly store: SqliteEventStore;
  readonly clock: FixedClock;
  readonly identity: Identity;
  readonly tokens: Tokens;
  /** Every route Fastify serves, as `METHOD /path`, recorded as Nest registered them (`onRoute`). */
  readonly servedRoutes: readonly string[];
  /** `Authorization` header value for a role. */
  auth(role: Role): string;
  /** The log's head position: asserted unchanged after every refused request ("writes nothing"). */
  headPosition(): Promise<number>;
  /** Events appended after a position (what a refused request must not have written). */
  eventsAfter(position: number): Promise<StoredEvent[]>;
  close(): Promise<void>;
}

const USERS: ReadonlyArray<{ username: string; fullName: string; role: Exclude<Role, 'admin'>; password: string }> = [
  { username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', password: 'investigator passphrase 1' },
  { username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator', password: 'coordinator passphrase 1' },
  { username: 'mona', fullName: 'Mona Monitor', role: 'monitor', password: 'monitor passphrase 0001' },
  { username: 'rex', fullName: 'Rex Regulator', role: 'regulator', password: 'regulator passphrase 01' },
];

/**
 * The API over a fresh temp-file SQLite store, built from a Nest TestingModule, with a real
 * `Identity` on the same ledger (cheap scrypt) and one logged-in user per role.
 */
export interface ApiTestOptions {
  readonly bodyLimit?: string;
  readonly maxCommandAttempts?: number;
  /** Wraps the store the API sees (fault injection); identity keeps the real one. */
  readonly wrapStore?: (store: EventStore) => EventStore;
  /** Where the app's JSON log goes, at level `info` (without it the test run's level applies: test/quiet-log.setup.cjs). */
  readonly logDestination?: DestinationStream;
  /** The environment the app is configured from (default: the test process's). */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** The signed checkpoints the exports check the log against (`ApiModuleOptions.signedCheckpoints`). */
  readonly signedCheckpoints?: ApiModuleOptions['signedCheckpoints'];
  /** Where damage found in the ledger is reported (`ApiModuleOptions.ledgerIntegrity`; `serve` feeds it from its checkpoint verifier). */
  readonly ledgerIntegrity?: ApiModuleOptions['ledgerIntegrity'];
}

export const startApiTestApp = async ({ wrapStore, ...options }: ApiTestOptions = {}): Promise<ApiTestApp> => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-api-'));
  const clock = new FixedClock(TEST_NOW);
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock, pollMs: 20 });
  // The security log is kept for assertions rather than written to the test run's stderr.
  const identity = new Identity(store, clock, { scrypt: FAST_SCRYPT }, { logger: new RecordingLogger() });
  await identity.users.createFirstAdmin({ username: 'ada', fullName: 'Ada Admin', password: 'correct horse battery staple' }, 'cli');
  const admin = await identity.auth.verifyPassword('ada', 'correct horse battery staple', 'cli');
  for (const user of USERS) await addReadyUser(identity, admin, user, 'cli');
  const login = async (username: string, password: string): Promise<string> => (await identity.auth.login(username, password, { source: 'api' })).token;
  const tokens: Tokens = {
    admin: await login('ada', 'correct horse battery staple'),
    investigator: await login('ivan', USERS[0].password),
    coordinator: await login('cora', USERS[1].password),
    monitor: await login('mona', USERS[2].password),
    regulator: await login('rex', USERS[3].password),
  };

  const environment = options.environment ?? (options.logDestination ? { ...process.env, TRIAL_LEDGER_LOG_LEVEL: 'info' } : undefined);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ store: wrapStore ? wrapStore(store) : store, clock, identity, environment, ...options })] }).compile();
  const app = configureApp(moduleRef.createNestApplication<NestFastifyApplication>(createHttpAdapter(), { bodyParser: false, logger: false }));
  const servedRoutes: string[] = [];
  app.getHttpAdapter().getInstance().addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) servedRoutes.push(`${method} ${route.url}`);
  });
  await initApp(app);
  const eventsAfter = async (position: number): Promise<StoredEvent[]> => {
    const events: StoredEvent[] = [];
    for await (const event of store.readAll({ afterPosition: position })) events.push(event);
    return events;
  };
  return {
    app,
    http: app.getHttpServer(),
    store,
    clock,
    identity,
    tokens,
    servedRoutes,
    auth: (role) => `Bearer ${tokens[role]}`,
    headPosition: async () => (await store.head()).position,
    eventsAfter,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Request bodies of a subject's life in the seed study, valid as the protocol wants them. */
export const bodies = {
  screen: (subjectId: string) => ({ subjectId, screeningDate: '2026-03-02', consentDate: '2026-03-01', sex: 'F', birthYear: 1961 }),
  eligibility: () => ({
    assessmentDate: '2026-03-03', age: 64, primarySite: 'rectum', whoGrade: 2, ki67Percent: 7.5,
    diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1,
  }),
  baseline: () => ({
    assessmentDate: '2026-03-04', modality: 'CT', baseline: true,
    targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 30, nodal: false }, { lesionId: 'T2', organ: 'lymph node', diameterMm: 15, nodal: true }],
    nonTargetStatus: 'present', newLesions: false,
  }),
  enroll: () => ({ enrollmentDate: '2026-03-05' }),
  dose: (cycle = 1, administeredOn = '2026-03-06') => ({ cycle, administeredOn, doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-0042', injectionSite: 'left buttock' }),
};

export type Api = ApiTestApp;

/** Registers the seed study, screens, confirms eligibility, records the baseline scan and enrolls a subject. */
export const enrolledSubject = async (api: ApiTestApp, subjectId: string): Promise<void> => {
  const base = `/api/v1/studies/${STUDY}/subjects`;
  const post = (path: string, role: Role, body: object) => request(api.http).post(path).set('Authorization', api.auth(role)).send(body);
  const study = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', api.auth('admin'));
  if (study.status === 404) await post('/api/v1/studies', 'admin', {}).expect(201);
  await post(base, 'coordinator', bodies.screen(subjectId)).expect(201);
  await post(`${base}/${subjectId}/eligibility-assessments`, 'investigator', bodies.eligibility()).expect(201);
  await post(`${base}/${subjectId}/tumor-assessments`, 'investigator', bodies.baseline()).expect(201);
  await post(`${base}/${subjectId}/enrollment`, 'investigator', bodies.enroll()).expect(201);
};
