import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { addBenchTeam, login, screenBody, startProcess } from './api-under-test';
import { formatRate, type BenchLine } from './bench-format';
import { line, load, untilIdle, type HttpBenchOptions, type LoadFigures } from './http.bench';
import { writeScaleLedger } from './scale-ledger';

const BIN = join(resolve(__dirname, '../..'), 'bin/trial-ledger.js');
const STUDY = 'SCALE-01';

interface SizeFigures {
  readonly events: number;
  readonly screen: LoadFigures;
  readonly adverse: LoadFigures;
}

/**
 * One ledger of `events` events (bench/scale-ledger: 40 per subject), given a team (the first
 * administrator and a coordinator, through the CLI with their own key directory), served as its own
 * process, loaded once its read models have caught up (`/health/ready`) and it is idle: ScreenSubject on new subjects,
 * then ReportAdverseEvent round-robin over `subjects` of the subjects the ledger holds (the same number
 * on every size, so that concurrent commands on one subject conflict as often on each).
 */
const measureSize = async (dir: string, events: number, subjects: number, options: HttpBenchOptions): Promise<SizeFigures> => {
  const file = join(dir, `api-${events}.sqlite`);
  const head = await writeScaleLedger(file, events);
  const global = ['--store', `sqlite:${file}`, '--key-dir', join(dir, `keys-${events}`)];
  addBenchTeam(global, 'bench.coordinator', 'coordinator');
  const server = await startProcess([BIN, ...global, '--json', 'serve', '--port', '0']);
  try {
    while ((await fetch(`${server.url}/health/ready`).catch(() => null))?.status !== 200) await new Promise((done) => setTimeout(done, 200));
    await untilIdle(server);
    const token = await login(server.url, 'bench.coordinator');
    let screened = 0;
    const screen = await load(server, options, () => ({ path: `/api/v1/studies/${STUDY}/subjects`, body: screenBody(`N${(screened += 1)}`) }), token);
    let n = 0;
    const adverse = await load(
      server,
      options,
      () => {
        n += 1;
        const id = `B${String((n % subjects) + 1).padStart(5, '0')}`;
        return { path: `/api/v1/studies/${STUDY}/subjects/${id}/adverse-events`, body: { term: 'fatigue', onsetDate: '2024-06-03', ctcaeGrade: 1, serious: false, relatedness: 'unlikely related' } };
      },
      token,
    );
    return { events: head, screen, adverse };
  } finally {
    await server.stop();
  }
};

const ratio = (large: LoadFigures, small: LoadFigures): string => `${((100 * large.perSecond) / Math.max(small.perSecond, 1)).toFixed(0)} %`;

/**
 * `npm run bench -- --only http-scale`: the API's command throughput on a small and a large ledger
 * (default 1,000 and 100,000 events), each size in its own server, the large size's figure as a
 * percentage of the small one's (target: within 20 %).
 */
export const runHttpScaleBench = async (options: HttpBenchOptions & { readonly sizes: readonly number[] }): Promise<BenchLine[]> => {
  const dir = mkdtempSync(join(tmpdir(), 'trial-ledger-http-scale-'));
  try {
    const results: SizeFigures[] = [];
    // The smallest ledger's subjects (40 events each): the adverse events go to as many subjects on every size.
    const subjects = Math.max(1, Math.floor(Math.min(...options.sizes) / 40));
    for (const events of options.sizes) results.push(await measureSize(dir, events, subjects, options));
    const lines = results.flatMap((r) => [
      line(`API ScreenSubject, ${r.events.toLocaleString('en-US')}-event ledger`, r.screen),
      line(`API ReportAdverseEvent, ${r.events.toLocaleString('en-US')}-event ledger`, r.adverse),
    ]);
    const [small, large] = [results[0], results.at(-1)!];
    if (results.length > 1) {
      lines.push({ name: `largest vs smallest ledger, ScreenSubject`, value: `${ratio(large.screen, small.screen)} (${formatRate(large.screen.perSecond, 'commands/s')})` });
      lines.push({ name: `largest vs smallest ledger, ReportAdverseEvent`, value: `${ratio(large.adverse, small.adverse)} (${formatRate(large.adverse.perSecond, 'commands/s')})` });
    }
    return lines;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
