import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { createDemoLedger, enrollSubjects, login, raiseEnrollmentCap, screenBody, serveLedger, startProcess, STUDY, type RunningServer } from './api-under-test';
import { formatRate, type BenchLine } from './bench-format';

export interface HttpBenchOptions {
  readonly connections: number;
  readonly seconds: number;
}

export interface LoadFigures {
  readonly accepted: number;
  readonly refused: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** CPU time the server process spent per accepted command (Linux only): steadier than rates on a shared machine. */
  readonly cpuMsPerCommand: number | undefined;
}

/** User + system CPU time of a process in ms, from /proc (undefined where there is none). */
export const cpuMsOf = (pid: number | undefined): number | undefined => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    // utime and stime are fields 14 and 15 of stat(5), in clock ticks of 10 ms on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
};

/**
 * Resolves once the server has used less than a tenth of a core over a second (or after `timeoutMs`):
 * a server just started on a large ledger may still be building what readiness does not wait for (the
 * audit-trail index, the first save of its read models), which a load measured then would be charged.
 */
export const untilIdle = async (server: RunningServer, timeoutMs = 60_000): Promise<void> => {
  for (const until = Date.now() + timeoutMs; Date.now() < until; ) {
    const before = cpuMsOf(server.child.pid);
    await new Promise((done) => setTimeout(done, 1000));
    const after = cpuMsOf(server.child.pid);
    if (before === undefined || after === undefined || after - before < 100) return;
  }
};

/** A closed-loop load of `connections` keep-alive connections for `seconds`; `next` builds each request. */
export const load = async (server: RunningServer, options: HttpBenchOptions, next: () => { path: string; body: unknown }, token?: string): Promise<LoadFigures> => {
  const cpuBefore = cpuMsOf(server.child.pid);
  const result = await autocannon({
    url: server.url,
    connections: options.connections,
    duration: options.seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    requests: [
      {
        setupRequest: (request) => {
          const { path, body } = next();
          return { ...request, path, body: JSON.stringify(body) };
        },
      },
    ],
  });
  const accepted = result['2xx'];
  const cpuAfter = cpuMsOf(server.child.pid);
  return {
    cpuMsPerCommand: cpuBefore === undefined || cpuAfter === undefined || accepted === 0 ? undefined : (cpuAfter - cpuBefore) / accepted,
    accepted,
    refused: result.non2xx + result.errors + result.timeouts,
    perSecond: accepted / options.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
};

export const line = (name: string, f: LoadFigures): BenchLine => ({
  name,
  value:
    `${formatRate(f.perSecond, 'commands/s')}, p50 ${f.p50} ms, p99 ${f.p99} ms` +
    `${f.cpuMsPerCommand === undefined ? '' : `, ${f.cpuMsPerCommand.toFixed(2)} ms server CPU/command`}${f.refused > 0 ? ` (${f.refused} not accepted)` : ''}`,
});

/** Each process of `servers` started in turn, loaded like the API (a fresh screening body per request), and stopped. */
const loadEach = async <K extends string>(servers: ReadonlyArray<readonly [K, readonly string[]]>, options: HttpBenchOptions): Promise<Record<K, LoadFigures>> => {
  const figures: Partial<Record<K, LoadFigures>> = {};
  for (const [name, args] of servers) {
    const server = await startProcess(args);
    let n = 0;
    try {
      figures[name] = await load(server, options, () => ({ path: '/', body: screenBody(`A${(n += 1)}`) }));
    } finally {
      await server.stop();
    }
  }
  return figures as Record<K, LoadFigures>;
};

/** The two anchors: one FULL transaction per request, and one per event-loop turn (group commit). */
const anchors = (dir: string, options: HttpBenchOptions): Promise<Record<'per-request' | 'group', LoadFigures>> =>
  loadEach((['per-request', 'group'] as const).map((mode) => [mode, [join(__dirname, 'http-anchor.js'), join(dir, `anchor-${mode}.sqlite`), mode]] as const), options);

/** The framework's floor: an empty Nest POST route on Express (the API's adapter) and on Fastify. */
const nestFloors = (options: HttpBenchOptions): Promise<Record<'express' | 'fastify', LoadFigures>> =>
  loadEach((['express', 'fastify'] as const).map((adapter) => [adapter, [join(__dirname, 'http-nest-floor.js'), adapter]] as const), options);

/** The API against the anchors: the targets are ≥ 60 % of group commit and ≥ 3× one transaction per request. */
const ratios = (name: string, api: LoadFigures, anchor: Record<'per-request' | 'group', LoadFigures>): BenchLine => ({
  name: `${name} vs anchors`,
  value:
    `${((100 * api.perSecond) / Math.max(anchor.group.perSecond, 1)).toFixed(0)} % of group commit, ` +
    `${(api.perSecond / Math.max(anchor['per-request'].perSecond, 1)).toFixed(2)}× transaction per request` +
    (api.cpuMsPerCommand !== undefined && anchor.group.cpuMsPerCommand ? `, ${(api.cpuMsPerCommand / anchor.group.cpuMsPerCommand).toFixed(1)}× group commit's CPU/command` : ''),
});

/**
 * `npm run bench -- --only http`: the whole API (`trial-ledger serve` over the demo ledger, as its own
 * process: validation, guards, problem details, pipeline, hash chain, group commit) under 50 loopback
 * connections for 10 s, beside the two anchors measured in the same run.
 */
export const runHttpBench = async (options: HttpBenchOptions): Promise<BenchLine[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-http-bench-'));
  try {
    const file = join(dir, 'api.sqlite');
    createDemoLedger(file);
    const server = await serveLedger(file);
    const lines: BenchLine[] = [];
    const api: Array<[string, LoadFigures, string]> = [];
    try {
      await raiseEnrollmentCap(server.url, 3000);
      const token = await login(server.url, 'k.lindqvist');
      const enrolled = await enrollSubjects(server.url, token, 'E', 200);
      const onSchedule = await enrollSubjects(server.url, token, 'W', 2000);
      let screened = 0;
      const screen = await load(server, options, () => ({ path: `/api/v1/studies/${STUDY}/subjects`, body: screenBody(`N${(screened += 1)}`) }), token);
      api.push([`API ScreenSubject (new subject each)`, screen, 'API ScreenSubject']);
      // Round-robin over the enrolled subjects: each gets doses in cycle order a day apart, and adverse events.
      const doses = new Map<string, number>();
      let n = 0;
      const clinical = await load(
        server,
        options,
        () => {
          n += 1;
          const id = enrolled[n % enrolled.length];
          const path = `/api/v1/studies/${STUDY}/subjects/${id}`;
          if (n % 2 === 0) return { path: `${path}/adverse-events`, body: { term: 'diarrhoea', onsetDate: '2025-01-14', ctcaeGrade: 1, serious: false, relatedness: 'possibly related' } };
          const cycle = (doses.get(id) ?? 0) + 1;
          doses.set(id, cycle);
          const administeredOn = new Date(Date.UTC(2025, 0, 13 + cycle)).toISOString().slice(0, 10);
          return { path: `${path}/doses`, body: { cycle, administeredOn, doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-1', injectionSite: 'left buttock' } };
        },
        token,
      );
      api.push([`API RecordDose + ReportAdverseEvent (200 enrolled; every dose off-window: deviation + system query)`, clinical, 'API RecordDose + ReportAdverseEvent, off-window']);
      // As a trial runs: 2,000 enrolled subjects in turn, each dose given on its due day (28 days after the
      // last, so in its window: no deviation, no system query), every other pass an adverse event.
      const cycles = new Map<string, number>();
      let m = 0;
      const onTime = await load(
        server,
        options,
        () => {
          const id = onSchedule[m % onSchedule.length];
          const pass = Math.floor(m / onSchedule.length);
          m += 1;
          const path = `/api/v1/studies/${STUDY}/subjects/${id}`;
          if (pass % 2 === 1) return { path: `${path}/adverse-events`, body: { term: 'fatigue', onsetDate: '2025-01-20', ctcaeGrade: 1, serious: false, relatedness: 'possibly related' } };
          const cycle = (cycles.get(id) ?? 0) + 1;
          cycles.set(id, cycle);
          const administeredOn = new Date(Date.UTC(2025, 0, 14 + 28 * (cycle - 1))).toISOString().slice(0, 10);
          return { path: `${path}/doses`, body: { cycle, administeredOn, doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-1', injectionSite: 'left buttock' } };
        },
        token,
      );
      api.push([`API RecordDose + ReportAdverseEvent (2,000 enrolled; doses on their due day)`, onTime, 'API RecordDose + ReportAdverseEvent, on time']);
    } finally {
      await server.stop();
    }
    const anchor = await anchors(dir, options);
    const floor = await nestFloors(options);
    lines.push(...api.map(([name, figures]) => line(name, figures)));
    lines.push(line('anchor: node:http + better-sqlite3, transaction per request', anchor['per-request']));
    lines.push(line('anchor: node:http + better-sqlite3, group commit', anchor.group));
    lines.push(line('floor: empty Nest route on Express (no store, no validation)', floor.express));
    lines.push(line('floor: empty Nest route on Fastify (no store, no validation)', floor.fastify));
    lines.push({
      name: 'empty Nest route on Express vs anchors',
      value: `${((100 * floor.express.perSecond) / Math.max(anchor.group.perSecond, 1)).toFixed(0)} % of group commit, ${(floor.express.perSecond / Math.max(anchor['per-request'].perSecond, 1)).toFixed(2)}× transaction per request`,
    });
    lines.push(...api.map(([, figures, short]) => ratios(short, figures, anchor)));
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
