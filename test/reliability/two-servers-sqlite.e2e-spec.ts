import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import { openEventStore } from '@trial-ledger/event-store';
import { seedLedger } from './support/ledger-check';
import { PASSWORD, STUDY, screenBody, startServe, type ServeProcess } from './support/ledger-process';

interface Answer {
  readonly status: number;
  readonly etag: string | null;
  readonly replayed: string | null;
  readonly body: Record<string, unknown>;
}

const login = async (url: string, username: string): Promise<string> => {
  const response = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username, password: PASSWORD }) });
  return ((await response.json()) as { token: string }).token;
};

const call = async (url: string, token: string, method: 'GET' | 'POST', path: string, body?: object, headers: Record<string, string> = {}): Promise<Answer> => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, etag: response.headers.get('etag'), replayed: response.headers.get('idempotent-replayed'), body: (await response.json().catch(() => ({}))) as Record<string, unknown> };
};

const eligibility = { assessmentDate: '2026-03-03', age: 64, primarySite: 'rectum', whoGrade: 2, ki67Percent: 7.5, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1 };
const baseline = { assessmentDate: '2026-03-04', modality: 'CT', baseline: true, targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 30, nodal: false }], nonTargetStatus: 'present', newLesions: false };
const dose = (cycle: number) => ({ cycle, administeredOn: `2026-03-${String(5 + cycle * 2).padStart(2, '0')}`, doseMg: 120, route: 'deep-sc', lotNumber: 'LOT-0042', injectionSite: 'left buttock' });

/** Two `serve` processes on one SQLite ledger, as docker/README.md allows on one machine, with clients racing on both. */
describe('two serve processes on one SQLite ledger', () => {
  let dir: string;
  let store: string;
  let a: ServeProcess;
  let b: ServeProcess;
  const tokens = new Map<string, string>();
  const as = (server: ServeProcess, username: string): string => tokens.get(`${server.url} ${username}`)!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'two-servers-'));
    store = `sqlite:${join(dir, 'ledger.sqlite')}`;
    a = await startServe(store);
    await seedLedger(store, a.url);
    b = await startServe(store);
    for (const server of [a, b]) for (const username of ['admin', 'investigator', 'coordinator', 'monitor']) tokens.set(`${server.url} ${username}`, await login(server.url, username));
  }, 120_000);

  afterAll(async () => {
    for (const server of [a, b]) server?.kill('SIGTERM');
    await Promise.all([a?.exited, b?.exited]);
    rmSync(dir, { recursive: true, force: true });
  });

  const subjects = (studyId = STUDY): string => `/api/v1/studies/${studyId}/subjects`;

  /** Screened, eligible, baseline scan, enrolled: each step on the other server than the one before. */
  const ready = async (studyId: string, subjectId: string, enroll: boolean): Promise<void> => {
    expect((await call(a.url, as(a, 'coordinator'), 'POST', subjects(studyId), screenBody(subjectId))).status).toBe(201);
    expect((await call(b.url, as(b, 'investigator'), 'POST', `${subjects(studyId)}/${subjectId}/eligibility-assessments`, eligibility)).status).toBe(201);
    expect((await call(a.url, as(a, 'investigator'), 'POST', `${subjects(studyId)}/${subjectId}/tumor-assessments`, baseline)).status).toBe(201);
    if (enroll) expect((await call(b.url, as(b, 'investigator'), 'POST', `${subjects(studyId)}/${subjectId}/enrollment`, { enrollmentDate: '2026-03-05' })).status).toBe(201);
  };

  it('enrollments racing on both servers for the last places stop at the cap', async () => {
    const studyId = 'CAP-TWO-01';
    expect((await call(a.url, as(a, 'admin'), 'POST', '/api/v1/studies', { protocol: { ...loadDefaultProtocol(), studyId, targetEnrollment: 2 } })).status).toBe(201);
    const ids = ['C1', 'C2', 'C3', 'C4'];
    for (const id of ids) await ready(studyId, id, false);
    const answers = await Promise.all(ids.map((id, i) => { const server = i % 2 === 0 ? a : b; return call(server.url, as(server, 'investigator'), 'POST', `${subjects(studyId)}/${id}/enrollment`, { enrollmentDate: '2026-03-05' }); }));
    expect(answers.map((r) => r.status).sort()).toEqual([201, 201, 409, 409]);
    expect(answers.filter((r) => r.status === 409).map((r) => r.body.code)).toEqual(['ENROLLMENT.CAP_REACHED', 'ENROLLMENT.CAP_REACHED']);
  }, 60_000);

  it('one Idempotency-Key sent at once to both servers (twice each) writes once, and every answer is the first outcome', async () => {
    const answers = await Promise.all([a, b, a, b].map((server) => call(server.url, as(server, 'coordinator'), 'POST', subjects(), screenBody('K001'), { 'Idempotency-Key': 'screen-K001' })));
    expect(answers.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(answers.filter((r) => r.replayed === null)).toHaveLength(1);
    expect(new Set(answers.map((r) => JSON.stringify(r.body))).size).toBe(1);
    const opened = await openEventStore(store);
    let screenings = 0;
    for await (const event of opened.readAll({})) if (event.type === 'SubjectScreened' && (event.data as { subjectId: string }).subjectId === 'K001') screenings += 1;
    await opened.close();
    expect(screenings).toBe(1);
  }, 60_000);

  it('signatures naming one reviewed version race a dose on the other server: whatever lands first, no signature covers an unreviewed dose', async () => {
    await ready(STUDY, 'G001', true);
    expect((await call(a.url, as(a, 'coordinator'), 'POST', `${subjects()}/G001/doses`, dose(1))).status).toBe(201);
    const reviewed = (await call(a.url, as(a, 'investigator'), 'GET', `${subjects()}/G001`)).etag!;
    const sign = { username: 'investigator', password: PASSWORD, meaning: 'review', scope: 'casebook' };
    const answers = await Promise.all([
      call(a.url, as(a, 'investigator'), 'POST', `${subjects()}/G001/signatures`, sign, { 'If-Match': reviewed }),
      call(b.url, as(b, 'investigator'), 'POST', `${subjects()}/G001/signatures`, sign, { 'If-Match': reviewed }),
      call(b.url, as(b, 'coordinator'), 'POST', `${subjects()}/G001/doses`, dose(2)),
    ]);
    expect(answers[2].status).toBe(201);
    // At most one signature, and only one that landed before the dose; the rest are 412
    const signed = answers.slice(0, 2).filter((r) => r.status === 201);
    expect(answers.slice(0, 2).filter((r) => r.status !== 201).map((r) => [r.status, r.body.code])).toEqual(Array(2 - signed.length).fill([412, 'CONCURRENCY.VERSION_CONFLICT']));
    expect(signed.length).toBeLessThanOrEqual(1);
    for (const signature of signed) expect(Number(signature.body.position)).toBeLessThan(Number(answers[2].body.position));
  }, 60_000);

  it("a write on one server is read at its position on the other (?minPosition=), and both keep their audit trails without finding each other's saves an alteration", async () => {
    let last = 0;
    for (let i = 0; i < 12; i += 1) {
      const server = i % 2 === 0 ? a : b;
      const answer = await call(server.url, as(server, 'coordinator'), 'POST', subjects(), screenBody(`X${String(i).padStart(3, '0')}`));
      expect(answer.status).toBe(201);
      last = Number(answer.body.position);
    }
    for (const server of [a, b]) {
      const casebook = await call(server.url, as(server, 'monitor'), 'GET', `${subjects()}/X011/casebook?minPosition=${last}`);
      expect(casebook.status).toBe(200);
      const trail = await call(server.url, as(server, 'monitor'), 'GET', `/api/v1/audit-trail?study=${STUDY}&subject=X011`);
      expect(trail.status).toBe(200);
      expect(JSON.stringify(trail.body)).toContain('SubjectScreened');
    }
    // Each server's index and read models waited for the other's saves; none was taken for tampering
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    for (const server of [a, b]) {
      expect(server.stderr()).not.toContain('altered outside the server');
      expect((await fetch(`${server.url}/health`)).status).toBe(200);
    }
  }, 60_000);
});
