import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addBenchTeam, BENCH_PASSWORD, startProcess } from './api-under-test';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/trial-ledger.js');
const GENERATOR = join(__dirname, 'scale-ledger.js');
const CPU_TIMED = join(__dirname, 'cpu-timed.js');

/** The figures of the scale section (`--scale-columns` names them by key), with the heading each has in the table. */
export const SCALE_COLUMNS = {
  'serve-scratch': 'serve start, from scratch',
  'serve-restart': 'serve start, after a restart',
  report: 'report --out',
  replay: 'replay --position head/2',
  pfs: 'pfs',
  'pfs-no-read-models': 'pfs, no saved read models',
  odm: 'export odm',
} as const;
export type ScaleColumn = keyof typeof SCALE_COLUMNS;
const COLUMN_KEYS = Object.keys(SCALE_COLUMNS) as ScaleColumn[];

/** Wall-clock seconds, and the CPU seconds of the process where known (CLI runs). */
interface Timing {
  readonly wall: number;
  readonly cpu: number | null;
}
type Timings = Partial<Record<ScaleColumn | 'written', Timing>>;

/** A child run timed (through bench/cpu-timed, which reports its CPU time on fd 3); a failing run fails the bench. */
const timeNode = (nodeArgs: readonly string[], script: string, args: readonly string[], cpuTimed = true, env: NodeJS.ProcessEnv = {}): Timing => {
  const started = performance.now();
  const run = spawnSync(process.execPath, [...nodeArgs, ...(cpuTimed ? [CPU_TIMED] : []), script, ...args], {
    stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    maxBuffer: 64 * 2 ** 20,
    env: { ...process.env, ...env },
  });
  if (run.status !== 0) throw new Error(`${[script, ...args].join(' ')} exited with ${String(run.status)}: ${String(run.stderr).slice(0, 500)}`);
  const cpu = Number(String(run.output[3] ?? '').trim());
  return { wall: (performance.now() - started) / 1000, cpu: Number.isFinite(cpu) && cpu > 0 ? cpu : null };
};
const timeCli = (args: readonly string[]): Timing => timeNode([], BIN, args);
/** Exports and the report run as a user and are recorded (DataExported): as the bench's monitor. */
const timeCliAsMonitor = (args: readonly string[]): Timing => timeNode([], BIN, ['--as', 'bench.monitor', ...args], true, { TRIAL_LEDGER_PASSWORD: BENCH_PASSWORD });

/**
 * CPU seconds a running process has used so far (utime + stime, fields 14 and 15 of Linux's
 * /proc/PID/stat, in ticks of 1/100 s); null where there is no /proc.
 */
const cpuSecondsSoFar = (pid: number | undefined): number | null => {
  try {
    const fields = readFileSync(`/proc/${String(pid)}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
};

/**
 * Seconds from spawning `serve` until /health (readiness: the store answers and the read models folded
 * the head) answers 200, and the CPU seconds the server had used by then.
 */
const timeServeStart = async (file: string, keyDir: string): Promise<Timing> => {
  const started = performance.now();
  const server = await startProcess([BIN, '--store', `sqlite:${file}`, '--key-dir', keyDir, '--json', 'serve', '--port', '0']);
  try {
    while ((await fetch(`${server.url}/health`).catch(() => null))?.status !== 200) await new Promise((r) => setTimeout(r, 50));
    return { wall: (performance.now() - started) / 1000, cpu: cpuSecondsSoFar(server.child.pid) };
  } finally {
    // SIGTERM: the server saves its read models and checkpoint on the way out.
    await server.stop();
  }
};

const measure = async (dir: string, events: number, columns: ReadonlySet<ScaleColumn>): Promise<Timings> => {
  const file = join(dir, `scale-${events}.sqlite`);
  // A child with room for the generator's in-memory scenario (1,000,000 events need more than the default heap).
  const timings: Timings = { written: timeNode(['--max-old-space-size=8192'], GENERATOR, [file, String(events)], false) };
  // The signing key a server creates goes to the bench's own directory, never the user's key directory.
  const keyDir = join(dir, 'keys');
  const store = ['--store', `sqlite:${file}`, '--key-dir', keyDir];
  addBenchTeam(store, 'bench.monitor', 'monitor');
  const head = events;
  const run = async (column: ScaleColumn, measureIt: () => Timing | Promise<Timing>): Promise<void> => {
    if (columns.has(column)) timings[column] = await measureIt();
  };
  await run('pfs-no-read-models', () => timeCli([...store, 'pfs', '--study', 'SCALE-01']));
  await run('serve-scratch', () => timeServeStart(file, keyDir));
  await run('serve-restart', () => timeServeStart(file, keyDir));
  await run('report', () => timeCliAsMonitor([...store, 'report', '--study', 'SCALE-01', '--out', join(dir, `report-${events}.html`)]));
  await run('replay', () => timeCli([...store, 'replay', '--study', 'SCALE-01', '--position', String(Math.floor(head / 2))]));
  await run('pfs', () => timeCli([...store, 'pfs', '--study', 'SCALE-01']));
  await run('odm', () => timeCliAsMonitor([...store, 'export', 'odm', '--out', join(dir, `odm-${events}.xml`)]));
  rmSync(join(dir, `odm-${events}.xml`), { force: true });
  return timings;
};

/**
 * `npm run bench -- --only scale [--scale-sizes 10000,100000,1000000] [--scale-columns odm,pfs]`:
 * the read side on ledgers of each size (written through the deciders by bench/scale-ledger, 1,000
 * decisions per group commit), in seconds, with the growth factor per 10× events (linear = 10×). The
 * server runs first, from scratch (no saved read models) and then again after a restart; the CLI
 * commands then read the read models it saved, as they do beside a ledger a server keeps — except
 * "pfs, no saved read models", run before any server, which folds the roster's streams from the log.
 */
export const runScaleBench = async (sizes: readonly number[], only: readonly string[] | null = null): Promise<void> => {
  const unknown = (only ?? []).filter((c) => !(COLUMN_KEYS as string[]).includes(c));
  if (unknown.length > 0) throw new Error(`--scale-columns: unknown ${unknown.join(', ')} (known: ${COLUMN_KEYS.join(', ')})`);
  const columns = new Set<ScaleColumn>(only === null ? COLUMN_KEYS : (only as ScaleColumn[]));
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-scale-bench-'));
  try {
    const results: Array<{ events: number; timings: Timings }> = [];
    const names: Array<ScaleColumn | 'written'> = ['written', ...COLUMN_KEYS.filter((c) => columns.has(c))];
    const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');
    process.stdout.write(`\nScale: load average at start ${load()}\n`);
    for (const events of sizes) {
      results.push({ events, timings: await measure(dir, events, columns) });
      process.stdout.write(`  ${events.toLocaleString('en-US')} events measured; load average ${load()}\n`);
    }
    const header = ['events', ...names.map((n) => (n === 'written' ? 'ledger written' : SCALE_COLUMNS[n]))];
    process.stdout.write(`\nScale (wall-clock seconds, CPU seconds of the process in brackets; ×N = growth against the previous size)\n| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|\n`);
    results.forEach(({ events, timings }, i) => {
      const previous = results[i - 1];
      const cells = names.map((name) => {
        const value = timings[name] as Timing;
        const before = previous?.timings[name];
        const growth = before ? ` ×${(value.wall / before.wall).toFixed(1)}` : '';
        const cpuGrowth = before?.cpu && value.cpu ? ` ×${(value.cpu / before.cpu).toFixed(1)}` : '';
        return `${value.wall.toFixed(2)} s${growth}${value.cpu === null ? '' : ` (CPU ${value.cpu.toFixed(2)} s${cpuGrowth})`}`;
      });
      process.stdout.write(`| ${[events.toLocaleString('en-US'), ...cells].join(' | ')} |\n`);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
