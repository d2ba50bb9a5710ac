import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPostgresTestServer, type PostgresTestServer } from '../../libs/event-store/src/testing/postgres-test-server';
import { crashTable, runCrashRounds, type CrashReport } from './support/crash-rounds';

/**
 * The crash suite. Inside `npm test` it runs a bounded version (a few kills per store, about two
 * minutes); `npm run test:reliability` runs it with RELIABILITY_KILLS / RELIABILITY_DB_CRASHES set
 * higher and prints the table the README quotes.
 */
const KILLS = Number(process.env.RELIABILITY_KILLS ?? 5);
const DB_CRASHES = Number(process.env.RELIABILITY_DB_CRASHES ?? 2);
const ROUND_BUDGET_MS = 20_000;

describe('crash suite: SIGKILL of serve (and of PostgreSQL) under concurrent idempotent clients', () => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-crash-'));
  const reports: CrashReport[] = [];
  let pg: PostgresTestServer | undefined;

  afterAll(async () => {
    if (reports.length > 0) process.stdout.write(`\nCrash suite (${KILLS} serve kills per store, ${DB_CRASHES} PostgreSQL crashes):\n${crashTable(reports)}\n`);
    await pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const expectDurable = (report: CrashReport): void => {
    expect(report.acknowledged).toBeGreaterThan(KILLS);
    expect({ lost: report.lost, doubled: report.doubled, chainOk: report.chainOk, readModelsMatch: report.readModelsMatch }).toEqual({
      lost: 0,
      doubled: 0,
      chainOk: true,
      readModelsMatch: true,
    });
  };

  it(
    'SQLite: every acknowledged command is in the ledger exactly once, the chain verifies, read models equal a rebuild',
    async () => {
      const report = await runCrashRounds({ store: `sqlite:${join(dir, 'crash.sqlite')}`, kills: KILLS, seed: 'sqlite' });
      reports.push(report);
      expectDurable(report);
    },
    60_000 + KILLS * ROUND_BUDGET_MS,
  );

  it(
    'PostgreSQL (serve killed, the database crashed and restarted): the same holds',
    async () => {
      pg = await startPostgresTestServer();
      const report = await runCrashRounds({ store: await pg.createDatabase(), kills: KILLS, databaseCrashes: DB_CRASHES, postgres: pg, seed: 'postgres' });
      reports.push(report);
      expectDurable(report);
      expect(report.databaseCrashes).toBe(DB_CRASHES);
    },
    120_000 + KILLS * ROUND_BUDGET_MS,
  );
});
