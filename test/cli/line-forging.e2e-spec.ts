import request from 'supertest';
import { queryView, replayMonitoring, replaySubject } from '@trial-ledger/projections';
import type { PfsCause } from '@trial-ledger/pfs';
import { formatPfsCause } from '../../apps/cli/src/pfs/pfs-diff.command';
import { formatQueryThread } from '../../apps/cli/src/query/query.command';
import { formatCasebook } from '../../apps/cli/src/replay/replay.command';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

const SUBJECT = 'S001';
/** A free-text line feed (allowed in reasons and query texts) followed by what would read as another row of the view. */
const FORGED = 'typo\n  Signatures:\n  Dr Nobody (nobody, investigator) 2026-01-01T00:00:00.000Z — approval';

/**
 * Reasons and query texts may hold line feeds. The text views a monitor reads (`replay`, `query show`,
 * `pfs diff`) print one fact per line; a line feed printed raw would start a line the ledger never
 * recorded — here a signature. Like the audit-trail text, each line is escaped on its own.
 */
describe('text views keep a line feed inside free text on its own line', () => {
  let api: ApiTestApp;
  let queryId = '';
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const forgedLineIn = (text: string): boolean => text.split('\n').some((l) => l.trimStart().startsWith('Dr Nobody'));

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, SUBJECT);
    const post = (role: 'coordinator' | 'monitor', path: string, body: object) => request(api.http).post(path).set('Authorization', api.auth(role)).send(body);
    const first = (await post('coordinator', `${subjects}/${SUBJECT}/doses`, bodies.dose(1, '2026-03-06')).expect(201)).body.eventIds[0] as string;
    const second = (await post('coordinator', `${subjects}/${SUBJECT}/doses`, bodies.dose(2, '2026-04-03')).expect(201)).body.eventIds[0] as string;
    await post('coordinator', `${subjects}/${SUBJECT}/corrections`, { targetEventId: first, changes: { lotNumber: 'LOT-0101' }, reason: FORGED }).expect(201);
    await post('coordinator', `${subjects}/${SUBJECT}/voids`, { targetEventId: second, reason: FORGED }).expect(201);
    queryId = (await post('monitor', `/api/v1/studies/${STUDY}/queries`, { subjectId: SUBJECT, targetEventId: first, fieldPath: 'lotNumber', text: FORGED }).expect(201)).body.queryId as string;
  });
  afterAll(async () => api?.close());

  it('replay: a correction or void reason with a line feed prints no forged signature line', async () => {
    const replayed = await replaySubject(api.store, STUDY, SUBJECT);
    const text = formatCasebook(replayed.casebook, replayed.asOf);
    expect(text).toContain('"typo\\u000a  Signatures:');
    expect(forgedLineIn(text)).toBe(false);
  });

  it('query show: a query text with a line feed prints no forged step', async () => {
    const state = await replayMonitoring(api.store, STUDY);
    const text = formatQueryThread(queryView(state, state.queries.get(queryId)!, api.clock.now()));
    expect(text).toContain('typo\\u000a');
    expect(forgedLineIn(text)).toBe(false);
  });

  it('pfs diff: a cause whose reason has a line feed prints no forged line', () => {
    const cause: PfsCause = {
      kind: 'correction', eventId: 'e-1', eventType: 'EntryCorrected', position: 7, recordedAt: '2026-09-01T09:00:00.000Z',
      user: { userId: 'u-1', username: 'slee', fullName: 'Sam Lee', role: 'coordinator' }, reason: FORGED,
      clinicalDate: null, target: { eventId: 'e-0', eventType: 'TumorAssessed' }, before: null, after: null, decisive: false,
    };
    const text = formatPfsCause(cause);
    expect(text).toContain('reason: typo\\u000a');
    expect(forgedLineIn(text)).toBe(false);
  });
});
