import { copyFileSync } from 'node:fs';
import seedrandom from 'seedrandom';
import type { PostgresTestServer } from '../../../libs/event-store/src/testing/postgres-test-server';
import { lostOrDoubled, readLedger, runLoad, seedLedger } from './ledger-check';
import { LedgerClient, STUDY, startServe, type ServeProcess, sleep } from './ledger-process';

export interface CrashRoundsOptions {
  /** `sqlite:<file>` or a PostgreSQL URL. */
  readonly store: string;
  /** SIGKILLs of `serve`. */
  readonly kills: number;
  /** For PostgreSQL: in this many of the rounds the database crashes too (SIGQUIT of the postmaster, then a restart). */
  readonly databaseCrashes?: number;
  readonly postgres?: PostgresTestServer;
  readonly clients?: number;
  readonly seed?: string;
}

/** One line of the durability table. */
export interface CrashReport {
  readonly store: string;
  readonly serverKills: number;
  readonly databaseCrashes: number;
  readonly acknowledged: number;
  readonly lost: number;
  readonly doubled: number;
  readonly chainOk: boolean;
  /** The read models the restarted server resumed from its checkpoint equal a rebuild from position 0. */
  readonly readModelsMatch: boolean;
  readonly seconds: number;
}

/**
 * The study overview once the server's read models have folded the whole log (`/health/ready`): a server
 * rebuilding from position 0 answers queries while it folds, and the ledger grows with the load's pace.
 */
const overviewOf = async (url: string): Promise<unknown> => {
  for (const until = Date.now() + 60_000; (await fetch(`${url}/health/ready`).catch(() => null))?.status !== 200; ) {
    if (Date.now() > until) throw new Error(`${url} did not become ready within 60 s`);
    await sleep(100);
  }
  const response = await new LedgerClient(url, 'monitor').get(`/api/v1/studies/${STUDY}/overview`);
  if (response.status !== 200) throw new Error(`overview: ${response.status}`);
  return (response.body as { overview: unknown }).overview;
};

/**
 * The crash suite's loop: concurrent clients screen subjects with idempotency keys (retrying each
 * with the same key until it is acknowledged) while `serve` is SIGKILLed at random moments — and, on
 * PostgreSQL, the database crashes in some rounds — then restarted. At the end every acknowledged
 * command must be in the ledger exactly once, the chain must verify, and the read models a restarted
 * server resumed from its checkpoint must equal a rebuild from zero on a copy of the ledger.
 */
export const runCrashRounds = async (options: CrashRoundsOptions): Promise<CrashReport> => {
  const started = Date.now();
  const random = seedrandom(options.seed ?? 'trial-ledger crash suite');
  const sqliteFile = options.store.startsWith('sqlite:') ? options.store.slice('sqlite:'.length) : null;
  let server: ServeProcess = await startServe(options.store);
  await seedLedger(options.store, server.url);
  let stop = false;
  const load = runLoad(() => server.url, { clients: options.clients ?? 4, prefix: `K${Math.floor(random() * 1e6)}`, until: () => stop });
  const crashEvery = options.databaseCrashes ? Math.max(1, Math.floor(options.kills / options.databaseCrashes)) : 0;
  let databaseCrashes = 0;
  try {
    for (let round = 1; round <= options.kills; round += 1) {
      await sleep(400 + Math.floor(random() * 1600));
      server.kill('SIGKILL');
      const crashDatabase = options.postgres && crashEvery > 0 && round % crashEvery === 0 && databaseCrashes < (options.databaseCrashes ?? 0);
      if (crashDatabase) {
        await options.postgres!.restart({ signal: 'SIGQUIT', downMs: Math.floor(random() * 1000) });
        databaseCrashes += 1;
      }
      await server.exited;
      server = await startServe(options.store);
    }
    await sleep(1000);
  } finally {
    stop = true;
  }
  const { acknowledged } = await load;

  // The read models as the last server resumed them, against a rebuild from position 0
  let rebuilt: ServeProcess | null = null;
  let readModelsMatch: boolean;
  try {
    const resumed = await overviewOf(server.url);
    if (sqliteFile) {
      server.kill('SIGTERM');
      await server.exited;
      copyFileSync(sqliteFile, `${sqliteFile}.rebuild`);
      server = await startServe(options.store);
      rebuilt = await startServe(`sqlite:${sqliteFile}.rebuild`);
      readModelsMatch = JSON.stringify(await overviewOf(server.url)) === JSON.stringify(await overviewOf(rebuilt.url)) && JSON.stringify(resumed) !== 'null';
    } else {
      rebuilt = await startServe(options.store);
      readModelsMatch = JSON.stringify(await overviewOf(rebuilt.url)) === JSON.stringify(await overviewOf(server.url));
    }
  } finally {
    rebuilt?.kill('SIGKILL');
    server.kill('SIGTERM');
    await Promise.all([rebuilt?.exited, server.exited]);
  }
  const contents = await readLedger(options.store);
  const { lost, doubled } = lostOrDoubled(acknowledged, contents);
  return {
    store: sqliteFile ? 'SQLite' : 'PostgreSQL',
    serverKills: options.kills,
    databaseCrashes,
    acknowledged: acknowledged.size,
    lost: lost.length,
    doubled: doubled.length,
    chainOk: contents.chainOk,
    readModelsMatch,
    seconds: Math.round((Date.now() - started) / 1000),
  };
};

export const crashTable = (reports: readonly CrashReport[]): string => {
  const header = ['store', 'serve SIGKILLs', 'database crashes', 'acknowledged', 'lost', 'doubled', 'chain', 'read models = rebuild', 'seconds'];
  const rows = reports.map((r) => [r.store, r.serverKills, r.databaseCrashes, r.acknowledged, r.lost, r.doubled, r.chainOk ? 'verifies' : 'BROKEN', r.readModelsMatch ? 'yes' : 'NO', r.seconds].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
};
