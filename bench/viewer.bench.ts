import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteEventStore, systemClock } from '@trial-ledger/event-store';
import { Identity } from '@trial-ledger/identity';
import { startServer } from '../apps/api/src/main';
import { ReadModelsRunner } from '../apps/api/src/projections/read-models.runner';
import { SESSION_COOKIE } from '../apps/api/src/viewer/viewer-session';
import { printLines, type BenchLine } from './bench-format';
import { writeScaleLedger } from './scale-ledger';

const PASSWORD = 'viewer bench passphrase 01';
const RUNS = 5;

const median = (values: readonly number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/**
 * Viewer page times over a scale ledger of `events` events (one study, ~2,500 subjects at 100k): the
 * server is started on it, its read models caught up, a monitor signed in; then each page is fetched
 * `RUNS` times over real HTTP after one warm-up, and the median and worst times are reported.
 */
export const runViewerBench = async (events: number): Promise<BenchLine[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-viewer-bench-'));
  const file = join(dir, 'ledger.sqlite');
  const head = await writeScaleLedger(file, events);
  // Every scale event is recorded before this instant and every identity event after it.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const afterLedger = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const store = new SqliteEventStore(file);
  const identity = new Identity(store, systemClock, { scrypt: { cost: 2 ** 10, blockSize: 8, parallelization: 1, keyLength: 32, saltLength: 16 } });
  await identity.users.createFirstAdmin({ username: 'admin', fullName: 'Bench Admin', password: PASSWORD }, 'cli');
  const admin = await identity.auth.verifyPassword('admin', PASSWORD, 'cli');
  await identity.users.addUser(admin, { username: 'monitor', fullName: 'Bench Monitor', role: 'monitor', password: PASSWORD }, 'cli');
  const { token } = await identity.auth.login('monitor', PASSWORD, { source: 'api' });
  const server = await startServer({ store, identity, port: 0, logger: false, environment: { ...process.env, TRIAL_LEDGER_LOG_LEVEL: 'warn' } });
  try {
    const started = performance.now();
    await server.app.get(ReadModelsRunner).at((await store.head()).position);
    const catchUp = performance.now() - started;
    const base = `${server.url}/viewer/studies/SCALE-01`;
    const pages: Array<[string, string]> = [
      ['study dashboard', base],
      ['subjects table (sorted by status)', `${base}/subjects?sort=status&order=desc`],
      ['subject casebook', `${base}/subjects/B00001`],
      ['audit trail, default filter (last 7 days = the whole ledger here)', `${base}/audit-trail`],
      ['audit trail, changes only', `${base}/audit-trail?changesOnly=1`],
      ['subject casebook as known at an instant (first: the log folded to it)', `${base}/subjects/B00001?asKnownAt=${encodeURIComponent(afterLedger)}`],
    ];
    const lines: BenchLine[] = [
      { name: 'ledger', value: `${head.toLocaleString('en-US')} events (scale ledger) + identity` },
      { name: 'read models catch-up at start', value: `${Math.round(catchUp)} ms` },
    ];
    for (const [name, url] of pages) {
      const times: number[] = [];
      let first = 0;
      for (let run = 0; run <= RUNS; run += 1) {
        const t0 = performance.now();
        const response = await fetch(url, { headers: { cookie: `${SESSION_COOKIE}=${token}` } });
        const body = await response.text();
        if (response.status !== 200) throw new Error(`${name}: HTTP ${response.status} ${body.slice(0, 200)}`);
        if (run === 0) first = performance.now() - t0; // run 0 fills the caches (verification, past state)
        else times.push(performance.now() - t0);
      }
      lines.push({ name, value: `first ${Math.round(first)} ms; then median ${Math.round(median(times))} ms, worst ${Math.round(Math.max(...times))} ms (${RUNS} runs)` });
    }
    return lines;
  } finally {
    await server.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

if (require.main === module) {
  const events = Number(process.argv[2] ?? 100_000);
  runViewerBench(events).then(
    (lines) => printLines(`Viewer pages over HTTP (${events.toLocaleString('en-US')}-event ledger)`, lines),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
