import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/trial-ledger.js');
export const BENCH_PASSWORD = 'bench password for the local demo team 42';
export const STUDY = 'LANR-HGNET-01';

/** A child process that printed its URL (its first stdout line, plain or the `serve --json` object). */
export interface RunningServer {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

export const startProcess = async (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<RunningServer> => {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, ...env } });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolveLine, reject) => {
    lines.once('line', resolveLine);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${String(code)} before printing its URL`)));
  });
  // Keep draining stdout (the server's log) so a full pipe never blocks it.
  lines.on('line', () => undefined);
  const url = first.startsWith('{') ? (JSON.parse(first) as { url: string }).url : first.trim();
  return {
    url,
    child,
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
};

/** The demo study (28 subjects, its team with `BENCH_PASSWORD`) in a new SQLite file, through the CLI. */
/** Runs the CLI to completion; a failure fails the bench rather than measuring an error page. */
export const runCli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): void => {
  const run = spawnSync(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (run.status !== 0) throw new Error(`trial-ledger ${args.join(' ')} exited with ${String(run.status)}: ${run.stderr.toString().slice(0, 500)}`);
};

/**
 * The first administrator and one more user of `role` on a bench ledger, through the CLI; the new
 * user's temporary password is changed to `BENCH_PASSWORD`, so it can act at once.
 */
export const addBenchTeam = (global: readonly string[], username: string, role: string): void => {
  runCli([...global, 'users', 'create-admin', '--username', 'bench.admin', '--full-name', 'Bench Admin'], { TRIAL_LEDGER_PASSWORD: BENCH_PASSWORD });
  const temporary = `${BENCH_PASSWORD} temporary`;
  runCli([...global, '--as', 'bench.admin', 'users', 'add', '--username', username, '--full-name', `Bench ${role}`, '--role', role, '--reason', 'bench'], {
    TRIAL_LEDGER_PASSWORD: BENCH_PASSWORD,
    TRIAL_LEDGER_NEW_PASSWORD: temporary,
  });
  runCli([...global, '--as', username, 'users', 'change-password'], { TRIAL_LEDGER_PASSWORD: temporary, TRIAL_LEDGER_NEW_PASSWORD: BENCH_PASSWORD });
};

export const createDemoLedger = (file: string): void => {
  const run = spawnSync(process.execPath, [BIN, '--store', `sqlite:${file}`, 'demo', '--fresh'], {
    env: { ...process.env, TRIAL_LEDGER_DEMO_PASSWORD: BENCH_PASSWORD },
    stdio: 'ignore',
  });
  if (run.status !== 0) throw new Error(`demo exited with ${String(run.status)}`);
};

export const serveLedger = (file: string): Promise<RunningServer> => startProcess([BIN, '--store', `sqlite:${file}`, '--json', 'serve', '--port', '0']);

const postJson = (url: string, body: unknown): Promise<Response> =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** The password a bench user chooses in place of the demo's one-time `password` (which allows nothing else). */
const ownPassword = (password: string): string => `${password} chosen`;

/**
 * Opens a session as a demo user (the demo team's shared `password`, `BENCH_PASSWORD` unless given). The
 * demo issues one-time passwords to everyone but the administrator, so the first login is refused with
 * AUTH.PASSWORD_CHANGE_REQUIRED: the user then chooses their own, which a later run against the same
 * ledger signs in with. Any other refusal throws: a bench never measures requests sent without a session.
 */
export const login = async (url: string, username: string, password: string = BENCH_PASSWORD): Promise<string> => {
  let response = await postJson(`${url}/api/v1/auth/login`, { username, password });
  if (response.status === 403) {
    const change = await postJson(`${url}/api/v1/auth/password`, { username, currentPassword: password, newPassword: ownPassword(password) });
    if (change.status !== 200) throw new Error(`password change for ${username}: ${change.status} ${await change.text()}`);
    response = await postJson(`${url}/api/v1/auth/login`, { username, password: ownPassword(password) });
  } else if (response.status === 401) {
    // Changed by an earlier run: the one-time password is spent.
    response = await postJson(`${url}/api/v1/auth/login`, { username, password: ownPassword(password) });
  }
  if (response.status !== 200) throw new Error(`login as ${username}: ${response.status} ${await response.text()}`);
  const { token } = (await response.json()) as { token?: unknown };
  if (typeof token !== 'string' || token === '') throw new Error(`login as ${username}: the answer carries no session token`);
  return token;
};

export const postCommand = async (url: string, token: string, path: string, body: unknown): Promise<Response> =>
  fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });

export const screenBody = (subjectId: string) => ({ subjectId, screeningDate: '2025-01-06', consentDate: '2025-01-05', sex: 'F', birthYear: 1961 });

/** Screens, assesses and enrolls `count` subjects (enrolled on 2025-01-13), so doses and adverse events can be recorded on them. */
export const enrollSubjects = async (url: string, token: string, prefix: string, count: number): Promise<string[]> => {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(4, '0')}`);
  const base = `/api/v1/studies/${STUDY}/subjects`;
  const steps: Array<(id: string) => Promise<Response>> = [
    (id) => postCommand(url, token, base, screenBody(id)),
    (id) =>
      postCommand(url, token, `${base}/${id}/eligibility-assessments`, {
        assessmentDate: '2025-01-10', age: 64, primarySite: 'rectum', whoGrade: 2, ki67Percent: 7.5,
        diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1,
      }),
    (id) => postCommand(url, token, `${base}/${id}/enrollment`, { enrollmentDate: '2025-01-13' }),
  ];
  for (const step of steps) {
    for (let i = 0; i < ids.length; i += 25) {
      const answers = await Promise.all(ids.slice(i, i + 25).map(step));
      const refused = answers.find((a) => a.status !== 201);
      if (refused) throw new Error(`setting up enrolled subjects: ${refused.status} ${await refused.text()}`);
    }
  }
  return ids;
};

/** Raises the study's enrollment cap by a protocol amendment (admin), so the bench can enroll its own subjects. */
export const raiseEnrollmentCap = async (url: string, target: number): Promise<void> => {
  const token = await login(url, 'a.morgan');
  const study = (await (await fetch(`${url}/api/v1/studies/${STUDY}`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
    protocol: { version: number; targetEnrollment: number };
  };
  const protocol = { ...study.protocol, version: study.protocol.version + 1, targetEnrollment: target };
  const answer = await postCommand(url, token, `/api/v1/studies/${STUDY}/protocol-amendments`, { protocol, reason: 'Benchmark: room for the enrolled subjects it doses' });
  if (answer.status !== 201) throw new Error(`protocol amendment: ${answer.status} ${await answer.text()}`);
};
