import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startProcess } from './api-under-test';
import { writeScaleLedger } from './scale-ledger';

const BIN = join(resolve(__dirname, '../..'), 'bin/trial-ledger.js');

type Timings = Record<string, number>;

/** Seconds a CLI run takes; a failing command fails the bench rather than timing an error message. */
const timeCli = (args: readonly string[]): number => {
  const started = performance.now();
  const run = spawnSync(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 64 * 2 ** 20 });
  if (run.status !== 0) throw new Error(`trial-ledger ${args.join(' ')} exited with ${String(run.status)}: ${run.stderr.toString().slice(0, 500)}`);
  return (performance.now() - started) / 1000;
};

/** Seconds from spawning `serve` until it answers /health. */
const timeServeStart = async (file: string): Promise<number> => {
  const started = performance.now();
  const server = await startProcess([BIN, '--store', `sqlite:${file}`, '--json', 'serve', '--port', '0']);
  try {
    while ((await fetch(`${server.url}/health`).catch(() => null))?.status !== 200) await new Promise((r) => setTimeout(r, 50));
    return (performance.now() - started) / 1000;
  } finally {
    await server.stop();
  }
};

const measure = async (dir: string, events: number): Promise<Timings> => {
  const file = join(dir, `scale-${events}.sqlite`);
  const head = await writeScaleLedger(file, events);
  const store = ['--store', `sqlite:${file}`];
  const timings: Timings = {};
  timings['report --out'] = timeCli([...store, 'report', '--study', 'SCALE-01', '--out', join(dir, `report-${events}.html`)]);
  timings['replay --position head/2'] = timeCli([...store, 'replay', '--study', 'SCALE-01', '--position', String(Math.floor(head / 2))]);
  timings['pfs'] = timeCli([...store, 'pfs', '--study', 'SCALE-01']);
  timings['export odm'] = timeCli([...store, 'export', 'odm', '--out', join(dir, `odm-${events}.xml`)]);
  timings['serve start, from scratch'] = await timeServeStart(file);
  timings['serve start, after a restart'] = await timeServeStart(file);
  return timings;
};

/**
 * `npm run bench -- --only scale`: the read side on ledgers of each size (written through the deciders
 * by bench/scale-ledger), in seconds, with the growth factor per 10× events (linear = 10×). "From
 * scratch" is the first `serve` on the file (no saved read models); "after a restart" the next one.
 */
export const runScaleBench = async (sizes: readonly number[]): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-scale-bench-'));
  try {
    const results: Array<{ events: number; timings: Timings }> = [];
    for (const events of sizes) results.push({ events, timings: await measure(dir, events) });
    const names = Object.keys(results[0]?.timings ?? {});
    const header = ['events', ...names];
    const rows = results.map(({ events, timings }, i) => [
      events.toLocaleString('en-US'),
      ...names.map((name) => {
        const previous = results[i - 1];
        const growth = previous ? ` (×${(timings[name] / previous.timings[name]).toFixed(1)} per ${(events / previous.events).toFixed(0)}×)` : '';
        return `${timings[name].toFixed(2)} s${growth}`;
      }),
    ]);
    process.stdout.write(`\nScale (seconds; growth factor against the previous size)\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
    for (const row of rows) process.stdout.write(`| ${row.join(' | ')} |\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
