import { startPostgresTestServer, type PostgresTestServer } from './postgres-test-server';

/**
 * One real PostgreSQL for a test file: started before its tests, stopped after them. Returns the
 * running server (call it inside tests and hooks, once `beforeAll` has run).
 */
export const usePostgresTestServer = (): (() => PostgresTestServer) => {
  let server: PostgresTestServer | undefined;
  beforeAll(async () => {
    server = await startPostgresTestServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);
  return () => {
    if (!server) throw new Error('The PostgreSQL test server is not running (use it inside a test or hook)');
    return server;
  };
};
