import request from 'supertest';
import { LedgerIntegrityWatch } from '@trial-ledger/audit';
import { subjectStreamId } from '@trial-ledger/domain';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { bodies, enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/**
 * Once the server has found damage in its ledger (a value edited in the SQLite file, reported to the watch
 * that turns /health red), the judgments made over recorded entries — source data verification, the steps of
 * a query, an electronic signature — are refused before anything is written: each would attest to, or settle
 * a question on, a record that may no longer be what was recorded. Data entry goes on (a new fact is chained
 * and hashed itself).
 */
describe('attestations on a ledger the server found damaged', () => {
  let api: ApiTestApp;
  let watch: LedgerIntegrityWatch;
  let edited = 0;
  let doseId = '';
  let queryId = '';
  const base = `/api/v1/studies/${STUDY}`;
  const post = (path: string, role: 'monitor' | 'coordinator' | 'investigator') => request(api.http).post(path).set('Authorization', api.auth(role));

  beforeAll(async () => {
    watch = new LedgerIntegrityWatch();
    api = await startApiTestApp({ ledgerIntegrity: watch });
    await enrolledSubject(api, 'S001');
    const dose = await post(`${base}/subjects/S001/doses`, 'coordinator').send(bodies.dose()).expect(201);
    doseId = (dose.body as { events: { eventId: string; type: string }[] }).events.find((e) => e.type === 'DoseAdministered')?.eventId ?? '';
    expect(doseId).not.toBe('');
    const opened = await post(`${base}/queries`, 'monitor').send({ subjectId: 'S001', targetEventId: doseId, text: 'Lot number on the pharmacy log?' }).expect(201);
    queryId = (opened.body as { queryId: string }).queryId;
    const screened = (await api.eventsAfter(0)).find((e) => e.type === 'SubjectScreened');
    if (!screened) throw new Error('no SubjectScreened in the fixture');
    edited = screened.globalPosition;
    const attacker = new SqliteAttacker(api.store.filename);
    expect(attacker.exec(`UPDATE events SET data = replace(data, '"birthYear":', '"birthYear":1') WHERE global_position = ?`, edited)).toBe(1);
    attacker.close();
    watch.report(edited, 'content-altered: the stored event no longer matches its hash');
  });
  afterAll(async () => api.close());

  const refusedAndNothingWritten = async (send: () => request.Test): Promise<void> => {
    const head = await api.headPosition();
    const response = await send();
    expect([response.status, response.body.code, response.body.position]).toEqual([409, 'LEDGER.TAMPERED', edited]);
    expect(response.body.detail).toContain(`position ${edited}`);
    expect(await api.eventsAfter(head)).toEqual([]);
  };

  it('source data verification is 409 LEDGER.TAMPERED with the first damaged position, and nothing is written', async () => {
    await refusedAndNothingWritten(() => post(`${base}/subjects/S001/source-verifications`, 'monitor').send({ targetEventId: doseId }));
  });

  it('opening a query is refused the same way', async () => {
    await refusedAndNothingWritten(() => post(`${base}/queries`, 'monitor').send({ subjectId: 'S001', targetEventId: doseId, text: 'Date on the source?' }));
  });

  it.each([
    ['a response', 'responses', 'coordinator', { text: 'Checked against the log', category: 'confirmed-correct' }],
    ['a close', 'close', 'monitor', { text: 'Resolved' }],
    ['a cancel', 'cancel', 'monitor', { text: 'Raised in error' }],
  ] as const)('%s to a query is refused the same way', async (_name, step, role, body) => {
    await refusedAndNothingWritten(() => post(`${base}/queries/${queryId}/${step}`, role).send(body));
  });

  it('an electronic signature is refused the same way, before the password is checked (no SignatureFailed)', async () => {
    const version = `"${await api.store.streamVersion(subjectStreamId(STUDY, 'S001'))}"`;
    await refusedAndNothingWritten(() =>
      post(`${base}/subjects/S001/signatures`, 'investigator').set('If-Match', version).send({ username: 'ivan', password: 'not the passphrase', meaning: 'approval', scope: 'casebook' }),
    );
  });

  it('data entry goes on: a dose is still recorded', async () => {
    await post(`${base}/subjects/S001/doses`, 'coordinator').send(bodies.dose(2, '2026-04-03')).expect(201);
  });
});
