import { Writable } from 'node:stream';
import request from 'supertest';
import type { Actor } from '@trial-ledger/domain';
import { exportOdm, renderLedgerReport, reviewAuditTrail } from '@trial-ledger/audit';
import { queryView, replayMonitoring, replaySubject } from '@trial-ledger/projections';
import type { PfsCause } from '@trial-ledger/pfs';
import { formatReview } from '../../apps/cli/src/audit-trail/audit-trail-review.command';
import { formatPfsCause } from '../../apps/cli/src/pfs/pfs-diff.command';
import { formatQueryThread } from '../../apps/cli/src/query/query.command';
import { formatCasebook } from '../../apps/cli/src/replay/replay.command';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { SESSION_COOKIE } from '../../apps/api/src/viewer/viewer-session';
import { addReadyUser } from '../../libs/identity/src/testing';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

const SUBJECT = 'S001';
/** Two coordinators share a printed name, and so do two monitors: only the username tells each pair apart. */
const COORDINATOR_NAME = 'Sam Lee';
const MONITOR_NAME = 'Kim Park';
const USERS = {
  c1: { username: 'slee', fullName: COORDINATOR_NAME, role: 'coordinator', password: 'orange river passphrase 1' },
  c2: { username: 'sam.lee', fullName: COORDINATOR_NAME, role: 'coordinator', password: 'purple hills passphrase 2' },
  m1: { username: 'kpark', fullName: MONITOR_NAME, role: 'monitor', password: 'silver coast passphrase 3' },
  m2: { username: 'kim.park', fullName: MONITOR_NAME, role: 'monitor', password: 'golden field passphrase 4' },
} as const;
type Who = keyof typeof USERS;
const named = (who: Who): string => `${USERS[who].fullName} (${USERS[who].username}, ${USERS[who].role})`;

const collect = async (write: (out: Writable) => Promise<unknown>): Promise<string> => {
  const chunks: Buffer[] = [];
  const out = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      chunks.push(Buffer.from(chunk));
      done();
    },
  });
  await write(out);
  return Buffer.concat(chunks).toString('utf8');
};

/** `text` with markup removed and runs of white space made one space, as a reader sees it. */
const plain = (text: string): string => text.replace(/<\/?bdi>/g, '').replace(/<[^>]*>/g, ' ').replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&amp;/g, '&').replace(/\s+/g, ' ');

/**
 * Part 11 §11.10(e): the audit trail names who did each thing. Full names are not unique, so every
 * human-readable view that names a person (who recorded, corrected or voided an entry, who verified it,
 * who raised, answered or closed a query) prints the unique username beside the full name: two users of
 * the same name and role are told apart.
 */
describe('every view names a person by full name and username', () => {
  let api: ApiTestApp;
  const tokens = new Map<Who, string>();
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const queries = `/api/v1/studies/${STUDY}/queries`;
  const post = (who: Who, path: string, body: object) => request(api.http).post(path).set('Authorization', `Bearer ${tokens.get(who)}`).send(body);
  /** Entries: A and C recorded by c1, B and D by c2. */
  const entry: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };
  const queryIds: string[] = [];

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, SUBJECT);
    const admin = await api.identity.auth.authenticate(api.tokens.admin);
    for (const [who, user] of Object.entries(USERS) as Array<[Who, (typeof USERS)[Who]]>) {
      // Two people of one name: the administrator says so (a second account under an active name is refused otherwise).
      await addReadyUser(api.identity, admin, { ...user, reason: 'another person of the same name' }, 'cli');
      tokens.set(who, (await api.identity.auth.login(user.username, user.password, { source: 'api' })).token);
    }
    const dose = async (who: Who, cycle: number, on: string): Promise<string> => (await post(who, `${subjects}/${SUBJECT}/doses`, bodies.dose(cycle, on)).expect(201)).body.eventIds[0];
    entry.A = await dose('c1', 1, '2026-03-06');
    entry.B = await dose('c2', 2, '2026-04-03');
    entry.C = await dose('c1', 3, '2026-05-01');
    entry.D = await dose('c2', 4, '2026-05-29');
    await post('c1', `${subjects}/${SUBJECT}/corrections`, { targetEventId: entry.A, changes: { lotNumber: 'LOT-0101' }, reason: 'label misread by the first' }).expect(201);
    await post('c2', `${subjects}/${SUBJECT}/corrections`, { targetEventId: entry.B, changes: { lotNumber: 'LOT-0202' }, reason: 'label misread by the second' }).expect(201);
    // The last cycle first, so that no void leaves a skipped cycle (a deviation the system would record).
    await post('c1', `${subjects}/${SUBJECT}/voids`, { targetEventId: entry.D, reason: 'duplicate entry, voided by the first' }).expect(201);
    await post('c2', `${subjects}/${SUBJECT}/voids`, { targetEventId: entry.C, reason: 'duplicate entry, voided by the second' }).expect(201);
    await post('m1', `${subjects}/${SUBJECT}/source-verifications`, { targetEventId: entry.A }).expect(201);
    await post('m2', `${subjects}/${SUBJECT}/source-verifications`, { targetEventId: entry.B }).expect(201);
    // A query on A raised, answered and closed by the first of each pair; one on B by the second.
    for (const [target, monitor, coordinator] of [[entry.A, 'm1', 'c1'], [entry.B, 'm2', 'c2']] as Array<[string, Who, Who]>) {
      const opened = await post(monitor, queries, { subjectId: SUBJECT, targetEventId: target, fieldPath: 'lotNumber', text: `Lot of ${target}?` }).expect(201);
      const queryId = opened.body.queryId as string;
      queryIds.push(queryId);
      await post(coordinator, `${queries}/${queryId}/responses`, { text: 'Checked against the label', category: 'confirmed-correct' }).expect(201);
      await post(monitor, `${queries}/${queryId}/close`, { text: 'Thank you' }).expect(201);
    }
    await api.app.get(ReadModelsRunner).at(await api.headPosition());
  });
  afterAll(async () => api?.close());

  describe('the viewer', () => {
    let text = '';
    const entryText = (id: string): string => {
      const start = text.indexOf(`id="entry-${id}"`);
      return plain(text.slice(start, text.indexOf('</article>', start)));
    };
    beforeAll(async () => {
      text = (await request(api.http).get(`/viewer/studies/${STUDY}/subjects/${SUBJECT}`).set('Cookie', `${SESSION_COOKIE}=${tokens.get('m1')}`).expect(200)).text;
    });

    it('names who recorded each entry', () => {
      expect(entryText(entry.A)).toContain(`by ${named('c1')} · log position`);
      expect(entryText(entry.B)).toContain(`by ${named('c2')} · log position`);
    });

    it('names who corrected and who voided each entry', () => {
      expect(entryText(entry.A)).toMatch(new RegExp(`LOT-0101, by ${literal(named('c1'))} at \\S+ \\S+ \\+00:00\\. Reason: label misread by the first`));
      expect(entryText(entry.B)).toMatch(new RegExp(`LOT-0202, by ${literal(named('c2'))} at \\S+ \\S+ \\+00:00\\. Reason: label misread by the second`));
      expect(entryText(entry.C)).toMatch(new RegExp(`Voided [^.]+\\.\\d+ \\+00:00 by ${literal(named('c2'))}\\. Reason: duplicate entry, voided by the second`));
      expect(entryText(entry.D)).toMatch(new RegExp(`Voided [^.]+\\.\\d+ \\+00:00 by ${literal(named('c1'))}\\. Reason: duplicate entry, voided by the first`));
    });

    it('names who source-verified each entry', () => {
      expect(entryText(entry.A)).toContain(`Source-verified by ${named('m1')} at`);
      expect(entryText(entry.B)).toContain(`Source-verified by ${named('m2')} at`);
    });

    it('names who raised, answered and closed each query', () => {
      const thread = (id: string): string[] => [...entryText(id).matchAll(/(opened|responded|closed) at \S+ \S+ \S+ by ([^:[]+?)(?: \[[^\]]*\])?:/g)].map((m) => `${m[1]} by ${m[2]}`);
      expect(thread(entry.A)).toEqual([`opened by ${named('m1')}`, `responded by ${named('c1')}`, `closed by ${named('m1')}`]);
      expect(thread(entry.B)).toEqual([`opened by ${named('m2')}`, `responded by ${named('c2')}`, `closed by ${named('m2')}`]);
      expect(entryText(entry.A)).toContain(`by ${named('m1')})`);
      expect(entryText(entry.B)).toContain(`by ${named('m2')})`);
    });

    it('names the signed-in user in the page header', async () => {
      for (const who of ['m1', 'm2'] as const) {
        const page = await request(api.http).get(`/viewer/studies/${STUDY}/subjects/${SUBJECT}`).set('Cookie', `${SESSION_COOKIE}=${tokens.get(who)}`).expect(200);
        const start = page.text.indexOf('<form class="signout"');
        expect(plain(page.text.slice(start, page.text.indexOf('</form>', start)))).toContain(named(who));
      }
    });

    it('the audit page names each row\'s user by full name and username', async () => {
      const page = await request(api.http).get(`/viewer/studies/${STUDY}/audit-trail?type=EntryCorrected`).set('Cookie', `${SESSION_COOKIE}=${tokens.get('m1')}`).expect(200);
      const users = [...page.text.matchAll(/<tr data-position="\d+">\s*<td>\d+<\/td><td>[^<]*<\/td><td>([^<]*)<\/td>/g)].map((m) => m[1]);
      expect(users).toEqual([`${COORDINATOR_NAME} (sam.lee)`, `${COORDINATOR_NAME} (slee)`]);
    });
  });

  it('replay (CLI text) names who made each correction and void', async () => {
    const replayed = await replaySubject(api.store, STUDY, SUBJECT);
    const text = formatCasebook(replayed.casebook, replayed.asOf);
    const section = (title: string): string[] => text.slice(text.indexOf(title)).split('\n\n')[0].split('\n').slice(1);
    expect(section('Corrections:')).toEqual([
      expect.stringContaining(`"label misread by the first" by ${named('c1')} `),
      expect.stringContaining(`"label misread by the second" by ${named('c2')} `),
    ]);
    expect(section('Voided entries:')).toEqual([
      expect.stringContaining(`"duplicate entry, voided by the first" by ${named('c1')} `),
      expect.stringContaining(`"duplicate entry, voided by the second" by ${named('c2')} `),
    ]);
  });

  it('query show (CLI text) names who raised, answered and closed the query', async () => {
    const state = await replayMonitoring(api.store, STUDY);
    const [first, second] = queryIds.map((id) => formatQueryThread(queryView(state, state.queries.get(id)!, api.clock.now())).split('\n'));
    expect(first[1]).toMatch(new RegExp(`^Opened \\S+ by ${literal(named('m1'))}, monitor query; age \\d+ days$`));
    expect(second[1]).toMatch(new RegExp(`^Opened \\S+ by ${literal(named('m2'))}, monitor query; age \\d+ days$`));
    expect(first.slice(2).map((l) => l.split(' — ')[0].replace(/^ {2}\S+ /, ''))).toEqual([named('m1'), named('c1'), named('m1')]);
    expect(second.slice(2).map((l) => l.split(' — ')[0].replace(/^ {2}\S+ /, ''))).toEqual([named('m2'), named('c2'), named('m2')]);
  });

  describe('the printable report', () => {
    let html = '';
    beforeAll(async () => {
      html = await renderLedgerReport(api.store, { studyId: STUDY, subjectId: SUBJECT, clock: api.clock });
    });

    it('names who recorded each casebook entry', () => {
      const table = html.slice(html.indexOf('<h3>Casebook entries'), html.indexOf('<h3>Corrections and voids'));
      const by = [...table.matchAll(/<td>([^<]*)<\/td><\/tr>/g)].map((m) => m[1]);
      expect(by.filter((b) => b.startsWith(COORDINATOR_NAME))).toEqual([named('c1'), named('c2'), named('c1'), named('c2')]);
    });

    it('names who made each correction and void', () => {
      const table = html.slice(html.indexOf('<h3>Corrections and voids'), html.indexOf('<h3>Electronic signatures'));
      const rows = [...table.matchAll(/<tr><td>[^<]*<\/td><td>([^<]*)<\/td>.*?<td>([^<]*)<\/td><\/tr>/g)].map((m) => [m[1], m[2]]);
      expect(rows).toEqual([
        [named('c1'), 'label misread by the first'],
        [named('c2'), 'label misread by the second'],
        [named('c1'), 'duplicate entry, voided by the first'],
        [named('c2'), 'duplicate entry, voided by the second'],
      ]);
    });

    it('the monitoring section names who verified each entry and who raised, answered and closed each query', () => {
      const section = plain(html.slice(html.indexOf('<h3>Queries and source data verification')));
      expect(section).toContain(`${entry.A} verified by ${named('m1')} at`);
      expect(section).toContain(`${entry.B} verified by ${named('m2')} at`);
      expect(section).toMatch(new RegExp(`opened ${literal(named('m1'))} \\S+: Lot of ${entry.A}\\? · responded ${literal(named('c1'))} \\S+: Checked against the label · closed ${literal(named('m1'))} \\S+`));
      expect(section).toMatch(new RegExp(`opened ${literal(named('m2'))} \\S+: Lot of ${entry.B}\\? · responded ${literal(named('c2'))} \\S+: Checked against the label · closed ${literal(named('m2'))} \\S+`));
    });
  });

  it('the audit-trail review (CLI text) names each user by full name and username', async () => {
    const text = formatReview(await reviewAuditTrail(api.store, { studyId: STUDY }));
    const perUser = text.slice(text.indexOf('Per user:'), text.indexOf('Per subject:')).split('\n').map((l) => l.trim().split(/ {2,}/).slice(0, 2));
    expect(perUser).toEqual(expect.arrayContaining([[`${COORDINATOR_NAME} (slee)`, 'coordinator'], [`${COORDINATOR_NAME} (sam.lee)`, 'coordinator']]));
  });

  it('pfs diff (CLI text) names who made each change', () => {
    const cause = (user: Actor): PfsCause => ({
      kind: 'correction', eventId: 'e-1', eventType: 'EntryCorrected', position: 7, recordedAt: '2026-09-01T09:00:00.000Z', user, reason: 'typo',
      clinicalDate: null, target: { eventId: 'e-0', eventType: 'TumorAssessed' }, before: null, after: null, decisive: false,
    });
    const lines = (['c1', 'c2'] as const).map((who) => formatPfsCause(cause({ userId: `u-${who}`, username: USERS[who].username, fullName: USERS[who].fullName, role: USERS[who].role })).split('\n')[0]);
    expect(lines).toEqual([expect.stringContaining(` by ${named('c1')}`), expect.stringContaining(` by ${named('c2')}`)]);
  });

  it('the ODM export names who verified each entry and who took each step of a query, and stays schema-valid', async () => {
    const xml = await collect((out) => exportOdm(api.store, out, { studyId: STUDY, clock: api.clock }));
    const comments = [...xml.matchAll(/<Comment SponsorOrSite="Sponsor">([^<]*)<\/Comment>/g)].map((m) => m[1]);
    expect(comments.filter((c) => c.startsWith('Source data verified by'))).toEqual([
      expect.stringMatching(new RegExp(`^Source data verified by ${literal(`${MONITOR_NAME} (kpark)`)} at `)),
      expect.stringMatching(new RegExp(`^Source data verified by ${literal(`${MONITOR_NAME} (kim.park)`)} at `)),
    ]);
    const threads = comments.filter((c) => c.startsWith('Query '));
    expect(threads).toEqual([
      expect.stringMatching(new RegExp(`opened by ${literal(named('m1'))} at .* \\| responded by ${literal(named('c1'))} at .* \\| closed by ${literal(named('m1'))} at `)),
      expect.stringMatching(new RegExp(`opened by ${literal(named('m2'))} at .* \\| responded by ${literal(named('c2'))} at .* \\| closed by ${literal(named('m2'))} at `)),
    ]);
    const validation = await validateOdmXml(xml);
    expect(validation.errors.map((e) => e.rawMessage)).toEqual([]);
    expect(validation.valid).toBe(true);
  });
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
