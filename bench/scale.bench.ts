import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startProcess } from './api-under-test';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/trial-ledger.js');
const GENERATOR = join(__dirname, 'scale-ledger.js');

/** The figures of the scale section, in the order they are measured (the server first: it saves the read models the CLI then reads). */
export const SCALE_COLUMNS = ['serve start, from scratch', 'serve start, after a restart', 'report --out', 'replay --position head/2', 'pfs', 'pfs, no saved read models', 'export odm'] as const;
export type ScaleColumn = (typeof SCALE_COLUMNS)[number];

type Timings = Partial<Record<ScaleColumn | 'ledger written', number>>;

/** Seconds a child process takes; a failing run fails the bench rather than timing an error message. */
const timeNode = (args: readonly string[]): number => {
  const started = performance.now();
  const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited with ${String(run.status)}: ${run.stderr.toString().slice(0, 500)}`);
  return (performance.now() - started) / 1000;
};
const timeCli = (args: readonly string[]): number => timeNode([BIN, ...args]);

/** Seconds from spawning `serve` until /health (readiness: the store answers and the read models folded the head) answers 200. */
const timeServeStart = async (file: string): Promise<number> => {
  const started = performance.now();
  const server = await startProcess([BIN, '--store', `sqlite:${file}`, '--json', 'serve', '--port', '0']);
  try {
    while ((await fetch(`${server.url}/health`).catch(() => null))?.status !== 200) await new Promise((r) => setTimeout(r, 50));
    return (performance.now() - started) / 1000;
  } finally {
    // SIGTERM: the server saves its read models and checkpoint on the way out.
    await server.stop();
  }
};

const measure = async (dir: string, events: number, columns: ReadonlySet<ScaleColumn>): Promise<Timings> => {
  const file = join(dir, `scale-${events}.sqlite`);
  // A child with room for the generator's in-memory scenario (1,000,000 events need more than the default heap).
  const timings: Timings = { 'ledger written': timeNode(['--max-old-space-size=8192', GENERATOR, file, String(events)]) };
  const store = ['--store', `sqlite:${file}`];
  const head = events;
  const run = async (column: ScaleColumn, measureIt: () => number | Promise<number>): Promise<void> => {
    if (columns.has(column)) timings[column] = await measureIt();
  };
  await run('pfs, no saved read models', () => timeCli([...store, 'pfs', '--study', 'SCALE-01']));
  await run('serve start, from scratch', () => timeServeStart(file));
  await run('serve start, after a restart', () => timeServeStart(file));
  await run('report --out', () => timeCli([...store, 'report', '--study', 'SCALE-01', '--out', join(dir, `report-${events}.html`)]));
  await run('replay --position head/2', () => timeCli([...store, 'replay', '--study', 'SCALE-01', '--position', String(Math.floor(head / 2))]));
  await run('pfs', () => timeCli([...store, 'pfs', '--study', 'SCALE-01']));
  await run('export odm', () => timeCli([...store, 'export', 'odm', '--out', join(dir, `odm-${events}.xml`)]));
  rmSync(join(dir, `odm-${events}.xml`), { force: true });
  return timings;
};

/**
 * `npm run bench -- --only scale [--scale-sizes 10000,100000,1000000] [--scale-columns 'export odm,pfs']`:
 * the read side on ledgers of each size (written through the deciders by bench/scale-ledger, 1,000
 * decisions per group commit), in seconds, with the growth factor per 10× events (linear = 10×). The
 * server runs first, from scratch (no saved read models) and then again after a restart; the CLI
 * commands then read the read models it saved, as they do beside a ledger a server keeps — except
 * "pfs, no saved read models", run before any server, which folds the roster's streams from the log.
 */
export const runScaleBench = async (sizes: readonly number[], only: readonly string[] | null = null): Promise<void> => {
  const unknown = (only ?? []).filter((c) => !(SCALE_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) throw new Error(`--scale-columns: unknown ${unknown.join(', ')} (known: ${SCALE_COLUMNS.join(', ')})`);
  const columns = new Set<ScaleColumn>(only === null ? SCALE_COLUMNS : (only as ScaleColumn[]));
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-scale-bench-'));
  try {
    const results: Array<{ events: number; timings: Timings }> = [];
    const names = ['ledger written', ...SCALE_COLUMNS.filter((c) => columns.has(c))] as const;
    const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
    process.stdout.write(`\nScale: load average at start ${load()}\n`);
    for (const events of sizes) {
      results.push({ events, timings: await measure(dir, events, columns) });
      process.stdout.write(`  ${events.toLocaleString('en-US')} events measured; load average ${load()}\n`);
    }
    const header = ['events', ...names];
    process.stdout.write(`\nScale (seconds; growth factor against the previous size)\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
    results.forEach(({ events, timings }, i) => {
      const previous = results[i - 1];
      const cells = names.map((name) => {
        const value = timings[name] as number;
        const growth = previous ? ` (×${(value / (previous.timings[name] as number)).toFixed(1)} per ${(events / previous.events).toFixed(0)}×)` : '';
        return `${value.toFixed(2)} s${growth}`;
      });
      process.stdout.write(`| ${[events.toLocaleString('en-US'), ...cells].join(' | ')} |\n`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
