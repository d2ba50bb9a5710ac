import { existsSync, rmSync } from 'node:fs';
import type { Command } from 'commander';
import { DEMO_TEAM, runDemo, type DemoRun, type DemoSummary } from '@trial-ledger/demo';
import { ledgerFiles, readCheckpointFile } from '@trial-ledger/audit';
import { isIsoDate, SYSTEM_ACTOR, type IsoDate } from '@trial-ledger/domain';
import { CI_95, medianInWords, percentInWords } from '@trial-ledger/pfs';
import { openEventStore, sqlitePath, sqliteOpenElsewhere, sqliteWriteLockFreeWithin, storeScheme, type EventStore, type StoredEvent } from '@trial-ledger/event-store';
import { openIdentity } from '../shared/acting-user';
import { CLI_WRITE_LOCK_WAIT_MS, globalOptions, heldLockError, withStore, type GlobalOptions } from '../shared/cli-context';
import { storeSideFiles } from '../shared/output-policy';
import { CliError } from '../shared/cli-errors';
import { startProgress } from '../shared/progress';

export const DEFAULT_DEMO_SEED = '42';

const DEMO_USERNAMES = new Set(DEMO_TEAM.map((u) => u.username));

/**
 * The demo team recorded it, or the system did: on the demo team's behalf (the first administrator),
 * or as a consequence of the team's entries (a system query opened for a detected deviation). A system
 * event about a user outside the team (e.g. a real first administrator) is not the demo's.
 */
const isDemoEvent = (event: StoredEvent): boolean => {
  const author = event.metadata.actor.username;
  if (author !== SYSTEM_ACTOR.username) return DEMO_USERNAMES.has(author);
  const subject = (event.data as { username?: unknown }).username;
  return subject === undefined || (typeof subject === 'string' && DEMO_USERNAMES.has(subject));
};

/**
 * `--fresh` deletes a file, so it first proves the file is an earlier demo: a trial-ledger ledger (a
 * foreign database is refused when opened) whose every event was recorded by the demo team or the
 * system. A real ledger, even one event of it, is never wiped.
 */
const assertEarlierDemo = async (url: string, file: string, checkpointFile: string): Promise<void> => {
  const notDemo = (why: string): CliError =>
    new CliError(`--fresh refuses to delete ${file}: ${why}; only an earlier demo is wiped (use another --store)`, 1, 'DEMO.NOT_A_DEMO_STORE');
  let store;
  try {
    store = await openEventStore(url);
  } catch (error) {
    throw notDemo(`it is not a trial-ledger ledger (${(error as Error).message})`);
  }
  const hashes = new Map<number, string>();
  try {
    for await (const event of store.readAll({ batchSize: 2000 })) {
      if (!isDemoEvent(event)) throw notDemo(`event ${event.globalPosition} (${event.type}) was not recorded by or for the demo team`);
      hashes.set(event.globalPosition, event.hash);
    }
  } finally {
    await store.close();
  }
  // The checkpoints beside it are deleted with it: each must have been signed over this demo's log.
  if (!existsSync(checkpointFile)) return;
  let checkpoints;
  try {
    checkpoints = readCheckpointFile(checkpointFile);
  } catch (error) {
    throw notDemo(`its checkpoint file ${checkpointFile} is not one (${(error as Error).message})`);
  }
  const foreign = checkpoints.find((c) => hashes.get(c.position) !== c.hash);
  if (foreign) throw notDemo(`its checkpoint file ${checkpointFile} holds a checkpoint (position ${foreign.position}) of another log`);
};

/**
 * A store that already holds a ledger, with the way out it allows: `--fresh` replaces an earlier demo only, so it
 * is offered when the log starts as a demo does (`--fresh` then checks every event); any other ledger needs
 * another `--store` — offering `--fresh` there led to DEMO.NOT_A_DEMO_STORE.
 */
const storeNotEmpty = async (store: EventStore): Promise<CliError> => {
  let demoLike = false;
  for await (const event of store.readAll({ batchSize: 1 })) {
    demoLike = isDemoEvent(event);
    break;
  }
  const wayOut = demoLike
    ? 'run the demo with --fresh (it replaces an earlier demo) or on another --store'
    : 'it is no earlier demo, which --fresh alone replaces: run the demo on another --store, e.g. --store sqlite:./data/demo.sqlite';
  return new CliError(`The store ${store.description} already holds a ledger; ${wayOut}`, 1, 'DEMO.STORE_NOT_EMPTY');
};

/**
 * `--fresh`: a new store file. Only the embedded store is a file the CLI may delete; a server ledger is never
 * wiped. The earlier demo's files beside it go too: its checkpoints (left behind, they made the new demo's log
 * read as rewritten — `verify` LEDGER DAMAGED, `serve` refused to start), its sessions, read models and index.
 */
const freshStore = async (options: GlobalOptions): Promise<void> => {
  const url = options.store;
  if (storeScheme(url) !== 'sqlite') {
    throw new CliError(`--fresh only creates a new embedded SQLite file; ${storeScheme(url)} ledgers are append-only and never wiped`, 2, 'DEMO.FRESH_UNSUPPORTED');
  }
  const file = sqlitePath(url);
  if (file === ':memory:' || !existsSync(file)) return;
  const { checkpointFile } = ledgerFiles(url, { keyDir: options.keyDir });
  await assertEarlierDemo(url, file, checkpointFile);
  // A file another process is writing (a serve of the earlier demo, a sqlite3 shell) is not deleted under it:
  // its writes would go on into the deleted file and be lost.
  if (!(await sqliteWriteLockFreeWithin(file, CLI_WRITE_LOCK_WAIT_MS))) throw heldLockError(file, '--fresh deleted nothing: stop that process first');
  // Nor one another process has open without writing (an idle serve of that demo, a sqlite3 shell): the server
  // would go on answering from the deleted file, and its next write find the file replaced.
  if (sqliteOpenElsewhere(file)) {
    throw new CliError(`Another process has ${file} open (a serve of that demo, idle or not, a sqlite3 shell); --fresh deleted nothing: stop it first`, 1, 'STORE.LOCKED');
  }
  for (const own of [...storeSideFiles(url), checkpointFile]) rmSync(own, { force: true });
};

const todayUtc = (): IsoDate => new Date().toISOString().slice(0, 10);

const parseToday = (value: string | undefined): IsoDate => {
  const actual = todayUtc();
  if (value === undefined) return actual;
  if (!isIsoDate(value)) throw new CliError(`--today must be a date YYYY-MM-DD (got ${value})`, 2, 'CLI.INVALID_OPTION');
  // Clinical dates may not lie after the server's recording date, so the study cannot be seen from the future.
  if (value > actual) throw new CliError(`--today ${value} lies after the server's date ${actual}`, 2, 'DEMO.TODAY_IN_FUTURE');
  return value;
};

const line = (label: string, value: string): string => `  ${label.padEnd(18)} ${value}`;

const pct = percentInWords;

/** The demo's PFS line; the median and its CI limits in the words `pfs`, the report and the viewer use (NR, NE). */
export const describePfs = (pfs: DemoSummary['pfs']): string => {
  const rates = pfs.rates.map((r) => `${r.day}-day rate ${pct(r.survival)} (${CI_95} ${pct(r.lower)}–${pct(r.upper)})`).join('; ');
  const m = medianInWords(pfs.median, pfs.n, pfs.curveEndsAtZero);
  return `n ${pfs.n}, ${pfs.events} events, ${pfs.censored} censored; median ${m.estimate} (${CI_95} ${m.lower}–${m.upper})${rates ? `; ${rates}` : ''}`;
};

export const describeSummary = (s: DemoSummary): string => {
  const e = s.enrollment;
  const failures = e.screenFailures.map((f) => `${f.subjectId} (${f.failedCriteria.join(', ')})`).join('; ');
  const refusals = s.commands.refused.map((r) => `${r.command} ${r.subjectId ?? ''} refused [${r.code}]`).join('; ');
  const statuses = Object.entries(e.statusCounts).map(([k, n]) => `${k} ${n}`).join(', ');
  const deviations = Object.entries(s.deviations.byCategory).map(([k, n]) => `${k} ${n}`).join(', ');
  const types = Object.entries(s.events.byType).map(([k, n]) => `${k} ${n}`);
  const typeLines: string[] = [];
  for (let i = 0; i < types.length; i += 4) typeLines.push(types.slice(i, i + 4).join(', '));
  return [
    `Demo study ${s.studyId} (protocol v${s.protocolVersion ?? '—'}), seed ${s.seed}, seen from ${s.today}`,
    line('commands', `${s.commands.issued} issued, ${s.commands.recorded} recorded, ${s.commands.refused.length} refused as scripted`),
    line('refused', refusals || 'none'),
    line('screened', `${e.screened}; screen failures ${e.screenFailures.length}: ${failures || 'none'}`),
    line('enrolled', `${e.enrolled}/${e.target ?? '—'}`),
    line('subjects', statuses),
    line('dosing', `${s.dosing.administered} doses, ${s.dosing.outsideWindow} outside the window, ${s.dosing.missed} missed; compliance ${s.dosing.compliancePercent ?? '—'} %`),
    line('deviations', `${s.deviations.total} (${s.deviations.detected} detected, ${s.deviations.recorded} recorded): ${deviations || 'none'}`),
    line('adverse events', `${s.adverseEvents.total} (serious ${s.adverseEvents.serious}, grade ≥ 3 ${s.adverseEvents.grade3OrHigher})`),
    line('events', `${s.events.total} in the ledger`),
    ...typeLines.map((t) => `    ${t}`),
    line('e-signatures', `${s.signatures.casebooksSigned} casebooks approved by the investigator, ${s.signatures.recordsSigned} record reviewed by the monitor; ${s.signatures.superseded} superseded by a later correction`),
    line('PFS', describePfs(s.pfs)),
    ...Object.entries(s.pfs.byReason).map(([reason, n]) => `    ${String(n).padStart(2)} ${reason}`),
    line('hash chain', s.chain.ok ? `verified: ${s.chain.eventsChecked} events, no alteration` : `BROKEN: ${s.chain.fault ?? 'unknown fault'}`),
  ].join('\n');
};

const describeRun = (run: DemoRun, sharedPassword: boolean): string =>
  [
    describeSummary(run.summary),
    line('head', `position ${run.head.position}, hash ${run.head.hash}`),
    '',
    sharedPassword
      ? 'Demo team (one-time password from TRIAL_LEDGER_DEMO_PASSWORD; each user but the administrator first chooses their own with `users change-password`):'
      : 'Demo team (one-time passwords shown once; each user but the administrator first chooses their own with `users change-password --as USER`):',
    ...run.credentials.map((c) => `  ${c.username.padEnd(12)} ${c.role.padEnd(12)} ${c.fullName.padEnd(20)} ${sharedPassword ? '' : c.password}`.trimEnd()),
  ].join('\n');

/** `trial-ledger demo [--seed N] [--fresh] [--today DATE]` (SPEC §6): the whole 28-subject study from a fixed seed. */
export const registerDemo = (program: Command): void => {
  program
    .command('demo')
    .description('Run the whole 28-subject LANR-HGNET-01 study through the command pipeline from a fixed seed, then summarise it')
    .option('--seed <seed>', 'seed of the generated study (same seed and --today: same study)', DEFAULT_DEMO_SEED)
    .option('--today <date>', 'the date the study is seen from; every clinical date lies before it (default: today, UTC)')
    .option('--fresh', 'start from a new embedded store file (deletes the SQLite file named by --store, only if it holds an earlier demo)')
    .action(async (opts: { seed: string; today?: string; fresh?: boolean }, command: Command) => {
      const options = globalOptions(command);
      const today = parseToday(opts.today);
      if (opts.fresh) await freshStore(options);
      const sharedPassword = Boolean(process.env.TRIAL_LEDGER_DEMO_PASSWORD);
      const run = await withStore(options, async (store) => {
        if ((await store.head()).position > 0) throw await storeNotEmpty(store);
        const progress = startProgress('demo', 1);
        try {
          return await runDemo(store, await openIdentity(store), { seed: opts.seed, today, onProgress: (done, total) => progress.update(done, total) });
        } finally {
          progress.stop();
        }
      }, 'the demo stopped there (anything it recorded before stays): run it again once that process is done, with --fresh on a SQLite file it began, or on another --store');
      if (options.json) {
        const users = run.credentials.map((c) => ({ username: c.username, fullName: c.fullName, role: c.role, ...(sharedPassword ? {} : { password: c.password }) }));
        process.stdout.write(`${JSON.stringify({ summary: run.summary, head: run.head, users }, null, 2)}\n`);
      } else {
        process.stdout.write(`${describeRun(run, sharedPassword)}\n`);
      }
      if (!run.summary.chain.ok) process.exitCode = 1;
    });
};
