import { Writable } from 'node:stream';
import request from 'supertest';
import { parse } from 'csv-parse/sync';
import { auditTrail, exportOdm, renderLedgerReport, writeAuditTrail, type AuditTrailRow } from '@trial-ledger/audit';
import { replaySubject } from '@trial-ledger/projections';
import { formatTrailRow } from '../../apps/cli/src/audit-trail/audit-trail.command';
import { formatCasebook } from '../../apps/cli/src/replay/replay.command';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { SESSION_COOKIE } from '../../apps/api/src/viewer/viewer-session';
import { addReadyUser } from '../../libs/identity/src/testing';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

const SUBJECT = 'S001';
/** Two investigators with the same printed name: only the username tells their signatures apart. */
const NAME = 'Dr Sam Lee';
const SIGNERS = [
  { username: 'slee', password: 'first sam lee passphrase', meaning: 'review', scope: 'record' },
  { username: 'sam.lee', password: 'second sam lee passphrase', meaning: 'approval', scope: 'casebook' },
] as const;
const EXPECTED = SIGNERS.map((s) => `${NAME} (${s.username}, investigator)`);

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

/**
 * SPEC §5 / Part 11 §11.50: every human-readable view of a signature shows the signer's full name, the
 * date and time and the meaning. Full names are not unique, so each view shows the signer's unique
 * username beside the name: two investigators called the same are told apart.
 */
describe('signature views name the signer by full name and username', () => {
  let api: ApiTestApp;
  const rows = async (): Promise<AuditTrailRow[]> => {
    const found: AuditTrailRow[] = [];
    for await (const row of auditTrail(api.store, { studyId: STUDY, subjectId: SUBJECT, type: 'CasebookSigned,RecordSigned' })) found.push(row);
    return found;
  };

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, SUBJECT);
    const admin = await api.identity.auth.authenticate(api.tokens.admin);
    const screening = (await api.store.readStream(`subject-${STUDY}-${SUBJECT}`))[0];
    for (const signer of SIGNERS) {
      await addReadyUser(api.identity, admin, { username: signer.username, fullName: NAME, role: 'investigator', password: signer.password, reason: 'another person of the same name' }, 'cli');
      const { token } = await api.identity.auth.login(signer.username, signer.password, { source: 'api' });
      await request(api.http)
        .post(`/api/v1/studies/${STUDY}/subjects/${SUBJECT}/signatures`)
        .set('Authorization', `Bearer ${token}`)
        .set('If-Match', `"${await api.store.streamVersion(`subject-${STUDY}-${SUBJECT}`)}"`)
        .send({ username: signer.username, password: signer.password, meaning: signer.meaning, scope: signer.scope === 'casebook' ? 'casebook' : { eventId: screening.eventId } })
        .expect(201);
    }
    await api.app.get(ReadModelsRunner).at(await api.headPosition());
  });
  afterAll(async () => api?.close());

  it('the viewer casebook page: each signature row reads "Full Name (username, role)", then date-time and meaning', async () => {
    const page = await request(api.http).get(`/viewer/studies/${STUDY}/subjects/${SUBJECT}`).set('Cookie', `${SESSION_COOKIE}=${api.tokens.monitor}`).expect(200);
    const section = page.text.slice(page.text.indexOf('id="signatures"'));
    const signatureRows = [...section.matchAll(/<tr><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)].map((m) => [m[1], m[3]]);
    expect(signatureRows).toEqual([
      [EXPECTED[0], 'Review: I have reviewed these data'],
      [EXPECTED[1], 'Approval: I approve these data as complete and accurate'],
    ]);
  });

  it('replay (CLI text): each signature line names the username beside the full name', async () => {
    const replayed = await replaySubject(api.store, STUDY, SUBJECT);
    const text = formatCasebook(replayed.casebook, replayed.asOf);
    const lines = text.slice(text.indexOf('Signatures:')).split('\n').slice(1);
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^  ${EXPECTED[0].replace(/[().]/g, '\\$&')} \\S+ — Review: I have reviewed these data — electronic signature \\S+ covering .+$`)), expect.stringMatching(new RegExp(`^  ${EXPECTED[1].replace(/[().]/g, '\\$&')} \\S+ — Approval: I approve these data as complete and accurate — electronic signature \\S+ covering the whole casebook through version \\d+$`))]);
  });

  it('the printable report: each signature block names the username beside the full name', async () => {
    const html = await renderLedgerReport(api.store, { studyId: STUDY, subjectId: SUBJECT, clock: api.clock });
    const blocks = [...html.matchAll(/<div class="signature"><div><strong>([^<]*)<\/strong> \(([^)]*)\)<\/div>/g)].map((m) => `${m[1]} (${m[2]})`);
    expect(blocks).toEqual(EXPECTED);
  });

  it('the ODM export: each signer is a User whose DisplayName carries the username, and each signature annotation names it', async () => {
    const xml = await collect((out) => exportOdm(api.store, out, { studyId: STUDY, clock: api.clock }));
    const displayNames = [...xml.matchAll(/<LoginName>([^<]*)<\/LoginName>\s*<DisplayName>([^<]*)<\/DisplayName>/g)].filter((m) => m[2].startsWith(NAME)).map((m) => [m[1], m[2]]);
    expect(displayNames).toEqual(SIGNERS.map((s, i) => [s.username, EXPECTED[i]]));
    expect([...xml.matchAll(/Signed by ([^,]*\([^)]*\)), meaning: (\w+)/g)].map((m) => [m[1], m[2]])).toEqual([
      [`${NAME} (slee)`, 'Review'],
      [`${NAME} (sam.lee)`, 'Approval'],
    ]);
    const validation = await validateOdmXml(xml);
    expect(validation.errors.map((e) => e.rawMessage)).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it('the audit trail: the text line, the CSV row and the JSON row each carry the username beside the full name', async () => {
    const trail = await rows();
    expect(trail.map((r) => r.eventType)).toEqual(['RecordSigned', 'CasebookSigned']);
    expect(trail.map((r) => formatTrailRow(r).split('\n')[0])).toEqual([expect.stringContaining(`  ${EXPECTED[0]}  `), expect.stringContaining(`  ${EXPECTED[1]}  `)]);
    const csv = parse(await collect((out) => writeAuditTrail((async function* () { yield* trail; })(), out, 'csv')), { columns: true }) as Array<Record<string, string>>;
    expect(csv.map((r) => [r.full_name, r.username, JSON.parse(r.fields).meaning])).toEqual([
      [NAME, 'slee', 'review'],
      [NAME, 'sam.lee', 'approval'],
    ]);
  });

  it('the API: the signature list and the casebook give the username beside the full name', async () => {
    const listed = await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/${SUBJECT}/signatures`).set('Authorization', api.auth('monitor')).expect(200);
    expect(listed.body.signatures.map((s: { signerFullName: string; signerUsername: string; meaning: string }) => [s.signerFullName, s.signerUsername, s.meaning])).toEqual([
      [NAME, 'slee', 'review'],
      [NAME, 'sam.lee', 'approval'],
    ]);
    const casebook = await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/${SUBJECT}/casebook`).set('Authorization', api.auth('monitor')).expect(200);
    expect(casebook.body.casebook.signatures.map((s: { signedBy: { fullName: string; username: string } }) => [s.signedBy.fullName, s.signedBy.username])).toEqual([
      [NAME, 'slee'],
      [NAME, 'sam.lee'],
    ]);
  });
});
