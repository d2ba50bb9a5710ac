import { startPostgresTestServer, type PostgresTestServer } from './postgres-test-server';

/**
 * One PostgreSQL for the test file that calls it: started before its tests (`PG_URL`, else the
 * embedded cluster) and stopped after them, every database it made dropped. Answers the server's
 * operations, usable from the tests once it has started. Its own file: the bench imports
 * `postgres-test-server` outside jest, where `beforeAll` does not exist.
 */
export const usePostgresTestServer = (): Omit<PostgresTestServer, 'stop'> => {
  let started: PostgresTestServer | undefined;
  beforeAll(async () => {
    started = await startPostgresTestServer();
  }, 120_000);
  afterAll(async () => {
    await started?.stop();
  }, 60_000);
  const running = (): PostgresTestServer => {
    if (started === undefined) throw new Error('The PostgreSQL test server is used before it has started (outside a test)');
    return started;
  };
  return {
    url: (database) => running().url(database),
    createDatabase: () => running().createDatabase(),
    restart: (options) => running().restart(options),
    terminateBackends: () => running().terminateBackends(),
  };
};
