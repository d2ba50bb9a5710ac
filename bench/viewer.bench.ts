import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteEventStore, systemClock } from '@trial-ledger/event-store';
import { Identity } from '@trial-ledger/identity';
import { startServer } from '../apps/api/src/main';
import { ReadModelsRunner } from '../apps/api/src/projections/read-models.runner';
import { AuditTrailIndexService } from '../apps/api/src/projections/audit-trail-index.service';
import { ViewerReadModels } from '../apps/api/src/viewer/viewer-read-models';
import { SESSION_COOKIE } from '../apps/api/src/viewer/viewer-session';
import { printLines, type BenchLine } from './bench-format';
import { writeScaleLedger } from './scale-ledger';

const PASSWORD = 'viewer bench passphrase 01';
const FIRST_PASSWORD = 'viewer bench first passphrase';
const RUNS = 20;

const percentile = (values: readonly number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
};
const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;

/** The anchor: node:http answering a fixed page of the same size, no framework, no data. */
const staticServer = (body: string): Promise<{ server: Server; url: string }> =>
  new Promise((resolve) => {
    const server = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      response.end(body);
    });
    server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}/` }));
  });

const timed = async (url: string, cookie: string): Promise<{ ms: number; body: string }> => {
  const t0 = performance.now();
  const response = await fetch(url, { headers: { cookie } });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status} ${body.slice(0, 300)}`);
  return { ms: performance.now() - t0, body };
};

/**
 * Viewer page times over a scale ledger of `events` events (one study, 40 events per subject: ~2,500
 * subjects at 100k). The server is started on it, its read models and audit-trail index caught up, a
 * monitor signed in; each page is fetched once (the first: caches fill), then `RUNS` times over real
 * HTTP, p50 and p95 reported beside the same-run anchor (node:http serving a static page of that size).
 * `VIEWER_BENCH_LEDGER=FILE` reuses a ledger written by `node dist/bench/scale-ledger.js FILE N` (copied).
 */
export const runViewerBench = async (events: number): Promise<BenchLine[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-viewer-bench-'));
  const file = join(dir, 'ledger.sqlite');
  const reuse = process.env.VIEWER_BENCH_LEDGER;
  if (reuse !== undefined && existsSync(reuse)) copyFileSync(reuse, file);
  else await writeScaleLedger(file, events);
  // Every scale event is recorded before this instant and every identity event after it.
  await new Promise((resolve) => setTimeout(resolve, 5));
  const afterLedger = new Date().toISOString();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const store = new SqliteEventStore(file);
  const head = (await store.head()).position;
  const identity = new Identity(store, systemClock, { scrypt: { cost: 2 ** 10, blockSize: 8, parallelization: 1, keyLength: 32, saltLength: 16 } });
  await identity.users.createFirstAdmin({ username: 'admin', fullName: 'Bench Admin', password: PASSWORD }, 'cli');
  const admin = await identity.auth.verifyPassword('admin', PASSWORD, 'cli');
  await identity.users.addUser(admin, { username: 'monitor', fullName: 'Bench Monitor', role: 'monitor', password: FIRST_PASSWORD }, 'cli');
  await identity.auth.changePassword({ username: 'monitor', currentPassword: FIRST_PASSWORD, newPassword: PASSWORD }, { source: 'cli' });
  const { token } = await identity.auth.login('monitor', PASSWORD, { source: 'api' });
  const cookie = `${SESSION_COOKIE}=${token}`;
  const started = performance.now();
  const server = await startServer({ store, identity, port: 0, logger: false, environment: { ...process.env, TRIAL_LEDGER_LOG_LEVEL: 'warn' } });
  const anchors: Server[] = [];
  try {
    const position = (await store.head()).position;
    await server.app.get(ReadModelsRunner).at(position);
    await server.app.get(AuditTrailIndexService).readyAt(position);
    // Readiness also waits for the dashboard digests derived after start: a load balancer sends the first page then.
    const viewerModels = server.app.get(ViewerReadModels);
    while (!viewerModels.isWarm) await new Promise((resolve) => setTimeout(resolve, 20));
    const catchUp = performance.now() - started;
    const base = `${server.url}/viewer/studies/SCALE-01`;
    const asOf = `asKnownAt=${encodeURIComponent(afterLedger)}`;
    const pages: Array<[string, string]> = [
      ['study dashboard', base],
      ['subjects table (sorted by status, desc)', `${base}/subjects?sort=status&order=desc`],
      ['subject casebook', `${base}/subjects/B01234`],
      ['audit trail, default (last 7 days = the whole ledger here)', `${base}/audit-trail`],
      ['audit trail, one subject', `${base}/audit-trail?subject=B01234`],
      ['audit trail, changes only', `${base}/audit-trail?changesOnly=1`],
      ['audit trail, type + role, page 2', `${base}/audit-trail?type=AdverseEventReported&role=coordinator&before=${Math.floor(head / 2)}`],
      ['asKnownAt: subject casebook', `${base}/subjects/B01234?${asOf}`],
      ['asKnownAt: audit trail', `${base}/audit-trail?${asOf}`],
      ['asKnownAt: study dashboard', `${base}?${asOf}`],
      ['asKnownAt: subjects table', `${base}/subjects?${asOf}`],
      // Each download appends its DataExported first: the log grows under the pages that follow.
      ['download: audit-trail CSV of one subject (recorded, then streamed)', `${base}/audit-trail/export?subject=B01234&format=csv`],
      ['study dashboard, log grown since the last verdict', base],
      ['audit trail, default, log grown', `${base}/audit-trail`],
    ];
    const lines: BenchLine[] = [
      { name: 'ledger', value: `${head.toLocaleString('en-US')} events (scale ledger) + identity; ${RUNS} runs per page after one first fetch` },
      { name: 'server start + read models and trail index caught up', value: `${Math.round(catchUp)} ms` },
    ];
    for (const [name, url] of pages) {
      const first = await timed(url, cookie);
      const anchor = await staticServer(first.body);
      anchors.push(anchor.server);
      const times: number[] = [];
      const anchorTimes: number[] = [];
      for (let run = 0; run < RUNS; run += 1) {
        times.push((await timed(url, cookie)).ms);
        anchorTimes.push((await timed(anchor.url, '')).ms);
      }
      lines.push({
        name,
        value: `p50 ${ms(percentile(times, 50))}, p95 ${ms(percentile(times, 95))} (first ${ms(first.ms)}) | anchor p50 ${ms(percentile(anchorTimes, 50))}, p95 ${ms(percentile(anchorTimes, 95))} | ${Math.round(first.body.length / 1024)} KiB`,
      });
    }
    return lines;
  } finally {
    for (const anchor of anchors) anchor.close();
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
