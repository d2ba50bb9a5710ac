import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { AppModule } from '../../../apps/api/src/app.module';
import { configureApp } from '../../../apps/api/src/main';
import type { TokenAuthenticator } from '../../../apps/api/src/shared/tokens';

export interface ApiTestApp {
  readonly app: INestApplication;
  /** The Node HTTP server for supertest. */
  readonly http: Parameters<typeof import('supertest')>[0];
  readonly store: SqliteEventStore;
  readonly clock: FixedClock;
  /** The log's head position: asserted unchanged after every refused request ("writes nothing"). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export const TEST_START = '2026-03-01T09:00:00.000Z';

/** The API over a fresh temp-file SQLite store, built from a Nest TestingModule. */
export const startApiTestApp = async (options: { identity?: TokenAuthenticator; bodyLimit?: string } = {}): Promise<ApiTestApp> => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-api-'));
  const clock = new FixedClock(TEST_START);
  const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock, pollMs: 20 });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ store, clock, ...options })] }).compile();
  const app = moduleRef.createNestApplication({ bodyParser: false, logger: false });
  configureApp(app);
  await app.init();
  return {
    app,
    http: app.getHttpServer(),
    store,
    clock,
    headPosition: async () => (await store.head()).position,
    close: async () => {
      await app.close();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};
