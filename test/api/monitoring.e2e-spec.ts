import request from 'supertest';
import type { Role } from '@trial-ledger/domain';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

describe('API: monitor queries and source data verification', () => {
  let api: ApiTestApp;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const queries = `/api/v1/studies/${STUDY}/queries`;
  const post = (path: string, role: Role, body: object, headers: Record<string, string> = {}) =>
    request(api.http).post(path).set('Authorization', api.auth(role)).set(headers).send(body);
  const get = (path: string, role: Role) => request(api.http).get(path).set('Authorization', api.auth(role));
  const doseOf = async (subjectId: string, cycle: number, date: string): Promise<string> =>
    (await post(`${subjects}/${subjectId}/doses`, 'coordinator', bodies.dose(cycle, date)).expect(201)).body.eventIds[0];
  const open = (targetEventId: string, subjectId = 'S001', extra: object = {}) =>
    post(queries, 'monitor', { subjectId, targetEventId, fieldPath: 'administeredOn', text: 'The date differs from the pharmacy log', ...extra });
  /** A refused request writes nothing but, for a role refusal, the `AuthorizationRefused` that logs it. */
  const refused = async (call: () => Promise<request.Response>, status: number, code: string): Promise<void> => {
    const head = await api.headPosition();
    const response = await call();
    expect([response.status, response.body.code]).toEqual([status, code]);
    expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
    expect((await api.eventsAfter(head)).map((e) => e.type)).toEqual(status === 403 ? ['AuthorizationRefused'] : []);
  };

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
    await enrolledSubject(api, 'S002');
  });
  afterAll(async () => api.close());

  it('walks a query through its life: open, answer, close, correction after closing (closed-modified), reopen, answer, close', async () => {
    const doseId = await doseOf('S001', 1, '2026-03-06');
    const opened = await open(doseId).expect(201);
    const { queryId } = opened.body;
    expect(queryId).toMatch(/^[0-9a-f]{32}$/);
    expect(opened.headers.etag).toBe('"1"');
    expect(opened.headers.location).toBe(`${queries}/${queryId}`);
    const stored = await api.store.getEvent(opened.body.eventIds[0]);
    expect(stored).toMatchObject({ streamId: `query-${STUDY}-${queryId}`, type: 'QueryOpened', data: { target: { subjectId: 'S001', eventId: doseId, fieldPath: 'administeredOn' }, origin: 'monitor' } });
    expect(stored?.metadata.actor.username).toBe('mona');

    await post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'Checked: the log is right, entry wrong', category: 'data-missing' }, { 'If-Match': '"1"' }).expect(201);
    expect((await get(`${queries}/${queryId}`, 'regulator').expect(200)).body.status).toBe('answered');
    await post(`${queries}/${queryId}/close`, 'monitor', { text: 'Thank you' }).expect(201);
    expect((await get(`${queries}?status=closed`, 'investigator').expect(200)).body.queries.map((q: { queryId: string }) => q.queryId)).toContain(queryId);

    const correction = await post(`${subjects}/S001/corrections`, 'coordinator', { targetEventId: doseId, changes: { administeredOn: '2026-03-07' }, reason: 'pharmacy log' }).expect(201);
    const modified = (await get(`${queries}/${queryId}`, 'monitor').expect(200)).body;
    expect(modified.status).toBe('closed-modified');
    expect(modified.thread.map((t: { kind: string }) => t.kind)).toEqual(['opened', 'responded', 'closed', 'target-corrected']);
    expect(modified.thread[3]).toMatchObject({ eventId: correction.body.eventIds[0], reason: 'pharmacy log', whileOpen: false });

    const reopened = await post(`${queries}/${queryId}/reopen`, 'monitor', { text: 'Please attach the source for the new date' }).expect(201);
    expect((await api.store.getEvent(reopened.body.eventIds[0]))?.type).toBe('QueryReopened');
    expect((await get(`${queries}/${queryId}`, 'coordinator').expect(200)).body.status).toBe('open');
    await post(`${queries}/${queryId}/responses`, 'investigator', { text: 'Source attached', category: 'data-corrected' }).expect(201);
    await post(`${queries}/${queryId}/close`, 'monitor', {}).expect(201);
    // Closing a closed query decides nothing.
    const again = await post(`${queries}/${queryId}/close`, 'monitor', {}).expect(200);
    expect(again.body.events).toEqual([]);
    expect((await get(`${queries}/${queryId}`, 'monitor').expect(200)).body.status).toBe('closed');
  });

  it('links a correction made while the query is open to it', async () => {
    const doseId = await doseOf('S002', 1, '2026-03-06');
    const { queryId } = (await open(doseId, 'S002').expect(201)).body;
    const correction = await post(`${subjects}/S002/corrections`, 'coordinator', { targetEventId: doseId, changes: { administeredOn: '2026-03-08' }, reason: 'query' }).expect(201);
    const view = (await get(`${queries}/${queryId}`, 'monitor').expect(200)).body;
    expect(view).toMatchObject({ status: 'open', linkedChangeIds: [correction.body.eventIds[0]] });
    // A correction of another field than the questioned one is not linked.
    await post(`${subjects}/S002/corrections`, 'coordinator', { targetEventId: doseId, changes: { lotNumber: 'LOT-0043' }, reason: 'label' }).expect(201);
    expect((await get(`${queries}/${queryId}`, 'monitor').expect(200)).body.linkedChangeIds).toHaveLength(1);
    await post(`${queries}/${queryId}/cancel`, 'monitor', { text: 'raised in error' }).expect(201);
    await refused(() => post(`${queries}/${queryId}/reopen`, 'monitor', {}), 409, 'QUERY.CANCELLED');
  });

  it('refuses, with a problem and nothing written: wrong roles, unknown targets and queries, bad fields, stale If-Match, a reused key', async () => {
    const doseId = (await get(`${subjects}/S001/events`, 'monitor').expect(200)).body.events.find((e: { type: string }) => e.type === 'DoseAdministered').eventId;
    for (const role of ['coordinator', 'investigator', 'regulator', 'admin'] as const) {
      await refused(() => post(queries, role, { subjectId: 'S001', targetEventId: doseId, text: 'x' }), 403, 'AUTH.ROLE_NOT_ALLOWED');
    }
    await refused(() => open('no-such-event'), 404, 'ENTRY.NOT_FOUND');
    await refused(() => open(doseId, 'S999'), 404, 'SUBJECT.NOT_FOUND');
    await refused(() => open(doseId, 'S001', { fieldPath: '__proto__' }), 400, 'QUERY.INVALID_FIELD_PATH');
    await refused(() => open(doseId, 'S001', { fieldPath: 'constructor' }), 400, 'QUERY.FIELD_NOT_FOUND');
    await refused(() => open(doseId, 'S001', { text: 'fine \u202e enif' }), 400, 'VALIDATION.UNPRINTABLE_CHARACTER');
    await refused(() => open(doseId, 'S001', { text: 'fine \u200f enif' }), 400, 'VALIDATION.UNPRINTABLE_CHARACTER');
    await refused(() => open(doseId, 'S001', { text: 'ok', ['__proto__']: { polluted: true } }), 400, 'REQUEST.FORBIDDEN_KEY');
    await refused(() => open(doseId, 'S001', { unknown: 1 }), 400, 'VALIDATION.FAILED');
    const { queryId } = (await open(doseId).expect(201)).body;
    await refused(() => post(`${queries}/${queryId}/responses`, 'monitor', { text: 'x', category: 'other' }), 403, 'AUTH.ROLE_NOT_ALLOWED');
    await refused(() => post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'x', category: 'fixed-it' }), 400, 'VALIDATION.FAILED');
    await refused(() => post(`${queries}/${queryId}/close`, 'coordinator', {}), 403, 'AUTH.ROLE_NOT_ALLOWED');
    await refused(() => post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'x', category: 'other' }, { 'If-Match': '"7"' }), 412, 'CONCURRENCY.VERSION_CONFLICT');
    await refused(() => post(`${queries}/${'0'.repeat(32)}/close`, 'monitor', {}), 404, 'QUERY.NOT_FOUND');
    await refused(() => post(`${queries}/not-a-query/close`, 'monitor', {}), 400, 'VALIDATION.FAILED');
    await post(`${queries}/${queryId}/close`, 'monitor', {}).expect(201);
    await refused(() => post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'late', category: 'other' }), 409, 'QUERY.CLOSED');
    await refused(() => post(`${queries}/${queryId}/cancel`, 'monitor', {}), 409, 'QUERY.CLOSED');
    await refused(() => get(queries, 'admin'), 403, 'AUTH.ROLE_NOT_ALLOWED');
    await refused(() => get(`/api/v1/studies/NOPE-01/queries`, 'monitor'), 404, 'STUDY.NOT_REGISTERED');
    await refused(() => get(`${queries}?status=resolved`, 'monitor'), 400, 'VALIDATION.FAILED');
  });

  it('answers a retried open with the same query (Idempotent-Replayed) and refuses the key with another body', async () => {
    const doseId = await doseOf('S002', 2, '2026-04-03');
    const first = await open(doseId, 'S002', { idempotencyKey: 'q-retry-1' }).expect(201);
    const retry = await open(doseId, 'S002', { idempotencyKey: 'q-retry-1' }).expect(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual(first.body);
    await refused(() => open(doseId, 'S002', { idempotencyKey: 'q-retry-1', text: 'another question' }), 422, 'IDEMPOTENCY.KEY_REUSED');
  });

  it('opens a system query for a detected deviation, and lists it by opener, subject and age', async () => {
    const late = await post(`${subjects}/S002/doses`, 'coordinator', bodies.dose(3, '2026-05-15')).expect(201);
    const deviation = (await Promise.all(late.body.eventIds.map((id: string) => api.store.getEvent(id)))).find((e) => e?.type === 'ProtocolDeviationDetected');
    expect(deviation).toBeDefined();
    const list = (await get(`${queries}?openedBy=system&subject=S002`, 'coordinator').expect(200)).body.queries;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ origin: 'system', status: 'open', deviationEventId: deviation!.eventId, target: { subjectId: 'S002', eventId: late.body.eventIds[0] }, ageDays: 0 });
    const opened = (await api.eventsAfter(deviation!.globalPosition)).find((e) => e.type === 'QueryOpened');
    expect(opened?.metadata).toMatchObject({ actor: { userId: 'system' }, source: 'system', causationId: deviation!.eventId, correlationId: deviation!.metadata.correlationId });
    expect((await get(`${queries}?minAgeDays=1&openedBy=system`, 'monitor').expect(200)).body.queries).toEqual([]);
    // A retried dose (same Idempotency-Key) is answered as the first time and opens no second query.
    const retried = () => post(`${subjects}/S002/doses`, 'coordinator', bodies.dose(4, '2026-06-20'), { 'Idempotency-Key': 'late-dose-4' });
    await retried().expect(201);
    const systemQueries = async (): Promise<number> => (await get(`${queries}?openedBy=system&subject=S002`, 'monitor').expect(200)).body.queries.length;
    const afterFirst = await systemQueries();
    expect(afterFirst).toBe(2);
    const head = await api.headPosition();
    expect((await retried().expect(201)).headers['idempotent-replayed']).toBe('true');
    expect(await systemQueries()).toBe(afterFirst);
    expect(await api.headPosition()).toBe(head);
    // The site answers a system query like any other.
    await post(`${queries}/${list[0].queryId}/responses`, 'investigator', { text: 'Patient was hospitalised', category: 'confirmed-correct' }).expect(201);
  });

  it('records source data verification, revoked by a later correction, as per-subject progress', async () => {
    const doseId = await doseOf('S001', 2, '2026-04-03');
    const sdv = `${subjects}/S001/source-verifications`;
    await refused(() => post(sdv, 'investigator', { targetEventId: doseId }), 403, 'AUTH.ROLE_NOT_ALLOWED');
    await refused(() => post(sdv, 'monitor', { targetEventId: 'nope' }), 404, 'ENTRY.NOT_FOUND');
    const verified = await post(sdv, 'monitor', { targetEventId: doseId }).expect(201);
    expect((await api.store.getEvent(verified.body.eventIds[0]))).toMatchObject({ type: 'RecordSourceVerified', streamId: `sdv-${STUDY}-S001` });
    expect((await post(sdv, 'monitor', { targetEventId: doseId }).expect(200)).body.events).toEqual([]);
    let progress = (await get(sdv, 'regulator').expect(200)).body;
    expect(progress.items.find((i: { targetEventId: string }) => i.targetEventId === doseId)).toMatchObject({ status: 'verified', verifiedBy: { username: 'mona' } });
    expect(progress.verified).toBe(1);
    const correction = await post(`${subjects}/S001/corrections`, 'coordinator', { targetEventId: doseId, changes: { lotNumber: 'LOT-0099' }, reason: 'label misread' }).expect(201);
    progress = (await get(sdv, 'monitor').expect(200)).body;
    expect(progress).toMatchObject({ verified: 0, revoked: 1 });
    expect(progress.items.find((i: { targetEventId: string }) => i.targetEventId === doseId).revokedBy).toMatchObject({ kind: 'correction', eventId: correction.body.eventIds[0] });
    await post(sdv, 'monitor', { targetEventId: doseId }).expect(201);
    expect((await get(sdv, 'monitor').expect(200)).body).toMatchObject({ verified: 1, revoked: 0 });
    // A subject that does not exist has no SDV progress to show (not "0 entries"), as it has no casebook.
    const unknown = await get(`${subjects}/S999/source-verifications`, 'monitor');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'SUBJECT.NOT_FOUND']);
  });

  it('records a follow-up assessment without a baseline, with a missing-baseline-assessment deviation and a system query', async () => {
    await post(subjects, 'coordinator', bodies.screen('S003')).expect(201);
    await post(`${subjects}/S003/eligibility-assessments`, 'investigator', bodies.eligibility()).expect(201);
    await post(`${subjects}/S003/enrollment`, 'investigator', bodies.enroll()).expect(201);
    const followUp = { ...bodies.baseline(), assessmentDate: '2026-05-28', baseline: false };
    const recorded = await post(`${subjects}/S003/tumor-assessments`, 'investigator', followUp).expect(201);
    expect(recorded.body.events.map((e: { type: string }) => e.type)).toEqual(['TumorAssessmentRecorded', 'ProtocolDeviationDetected']);
    const list = (await get(`${queries}?subject=S003`, 'monitor').expect(200)).body.queries;
    expect(list).toMatchObject([{ origin: 'system', target: { eventId: recorded.body.eventIds[0] } }]);
  });

  it('shows a monitor query on a system-detected deviation beside that deviation in the casebook', async () => {
    const late = await post(`${subjects}/S002/doses`, 'coordinator', bodies.dose(5, '2026-08-20')).expect(201);
    const deviationId = (await Promise.all(late.body.eventIds.map((id: string) => api.store.getEvent(id)))).find((e) => e?.type === 'ProtocolDeviationDetected')!.eventId;
    const { queryId } = (await open(deviationId, 'S002', { fieldPath: null, text: 'Was the delay agreed with the sponsor?' }).expect(201)).body;

    const casebook = (await get(`${subjects}/S002/casebook`, 'investigator').expect(200)).body;
    expect(casebook.casebook.entries.map((e: { eventId: string }) => e.eventId)).toContain(deviationId);
    expect(casebook.monitoring.entries[deviationId]).toMatchObject({ targetEventId: deviationId, sdv: { status: 'not-verified' } });
    expect(casebook.monitoring.entries[deviationId].queries.map((q: { queryId: string }) => q.queryId)).toEqual([queryId]);
    expect(casebook.monitoring.sdv.entries).toBe((await get(`${subjects}/S002/source-verifications`, 'monitor').expect(200)).body.entries);
  });

  it('shows each entry\'s queries and SDV state in the casebook, as of the casebook\'s own position', async () => {
    const casebook = (await get(`${subjects}/S001/casebook`, 'investigator').expect(200)).body;
    const monitored = Object.values(casebook.monitoring.entries as Record<string, { sdv: { status: string }; queries: { status: string }[] }>);
    expect(monitored.some((m) => m.queries.some((q) => q.status === 'closed'))).toBe(true);
    expect(monitored.some((m) => m.sdv.status === 'verified')).toBe(true);
    expect(casebook.monitoring.sdv).toMatchObject({ subjectId: 'S001', verified: 1 });
    const early = (await get(`${subjects}/S001/casebook?position=1`, 'investigator')).body;
    expect(early.monitoring?.sdv?.verified ?? 0).toBe(0);
  });

  it('carries every query and SDV event in the audit trail, attributed to the subject', async () => {
    const trail = (await get(`/api/v1/audit-trail?study=${STUDY}&subject=S001&pageSize=1000`, 'regulator').expect(200)).body.items as { eventType: string; action: string; subjectId: string; studyId: string }[];
    const monitoring = trail.filter((r) => ['QueryOpened', 'QueryResponded', 'QueryClosed', 'QueryReopened', 'QueryCancelled', 'RecordSourceVerified'].includes(r.eventType));
    expect(new Set(monitoring.map((r) => r.eventType))).toEqual(new Set(['QueryOpened', 'QueryResponded', 'QueryClosed', 'QueryReopened', 'RecordSourceVerified']));
    expect(monitoring.every((r) => r.subjectId === 'S001' && r.studyId === STUDY)).toBe(true);
    expect(monitoring.find((r) => r.eventType === 'QueryResponded')?.action).toBe('Query answered by the site');
    // A query event after `from` is still attributed to its subject, though its QueryOpened lies before.
    const doseId = await doseOf('S001', 3, '2026-05-01');
    const { queryId } = (await open(doseId).expect(201)).body;
    api.clock.advance(60_000);
    const from = api.clock.now();
    await post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'as in the log', category: 'confirmed-correct' }).expect(201);
    const later = (await get(`/api/v1/audit-trail?subject=S001&from=${encodeURIComponent(from)}&pageSize=1000`, 'regulator').expect(200)).body.items as { eventType: string }[];
    expect(later.map((r) => r.eventType)).toEqual(['QueryResponded']);
    // Another subject's queries stay out of S001's trail.
    const s002 = (await get(`/api/v1/audit-trail?subject=S002&type=QueryOpened&pageSize=1000`, 'regulator').expect(200)).body.items as { subjectId: string }[];
    expect(s002.length).toBeGreaterThan(0);
    expect(s002.every((r) => r.subjectId === 'S002')).toBe(true);
  });

  it('lists closed-modified queries under status closed, pages the list as the audit trail pages, and counts open queries in the overview', async () => {
    // A query closed, then its target corrected: closed-modified.
    const doses = (await get(`${subjects}/S002/events`, 'monitor').expect(200)).body.events.filter((e: { type: string }) => e.type === 'DoseAdministered');
    const doseId = doses.at(-1).eventId as string;
    const { queryId: changed } = (await open(doseId, 'S002', { fieldPath: 'lotNumber' }).expect(201)).body;
    await post(`${queries}/${changed}/close`, 'monitor', {}).expect(201);
    await post(`${subjects}/S002/corrections`, 'coordinator', { targetEventId: doseId, changes: { lotNumber: 'LOT-0777' }, reason: 'pharmacy log' }).expect(201);
    const all = (await get(`${queries}?pageSize=1000`, 'monitor').expect(200)).body;
    expect(all).toMatchObject({ page: 1, pageSize: 1000, hasMore: false });
    const modified = all.queries.filter((q: { status: string }) => q.status === 'closed-modified');
    expect(modified.map((q: { queryId: string }) => q.queryId)).toContain(changed);
    const closed = (await get(`${queries}?status=closed&pageSize=1000`, 'monitor').expect(200)).body.queries as { queryId: string; status: string }[];
    expect(closed.map((q) => q.status).sort()).toEqual(all.queries.filter((q: { status: string }) => q.status.startsWith('closed')).map((q: { status: string }) => q.status).sort());
    expect(closed.map((q) => q.queryId)).toEqual(expect.arrayContaining(modified.map((q: { queryId: string }) => q.queryId)));
    const onlyModified = (await get(`${queries}?status=closed-modified`, 'monitor').expect(200)).body.queries as { status: string }[];
    expect(onlyModified.every((q) => q.status === 'closed-modified')).toBe(true);

    // Three new queries, then the list page by page: oldest first, every query once.
    for (const fieldPath of ['injectionSite', 'route', 'doseMg']) await open(doseId, 'S002', { fieldPath }).expect(201);
    const total = (await get(`${queries}?pageSize=1000`, 'monitor').expect(200)).body.queries.length;
    expect(total).toBe(all.queries.length + 3);
    const seen: string[] = [];
    for (let page = 1; ; page += 1) {
      const body = (await get(`${queries}?pageSize=2&page=${page}`, 'regulator').expect(200)).body;
      expect(body).toMatchObject({ page, pageSize: 2, hasMore: page * 2 < total });
      seen.push(...body.queries.map((q: { queryId: string }) => q.queryId));
      if (!body.hasMore) break;
    }
    const whole = (await get(queries, 'regulator').expect(200)).body;
    expect(whole).toMatchObject({ page: 1, pageSize: 100, hasMore: false });
    expect(seen).toEqual(whole.queries.map((q: { queryId: string }) => q.queryId));
    expect((await get(`${queries}?page=99`, 'monitor').expect(200)).body).toEqual({ queries: [], page: 99, pageSize: 100, hasMore: false });
    for (const bad of ['page=0', 'page=-1', 'page=1.5', 'page=0x10', 'pageSize=0', 'pageSize=1001', 'pageSize=', 'page=9007199254740993']) {
      await refused(() => get(`${queries}?${bad}`, 'monitor'), 400, 'VALIDATION.FAILED');
    }

    // The overview counts the queries awaiting resolution (open or answered), per study and per subject.
    const unresolved = (await get(`${queries}?pageSize=1000`, 'monitor').expect(200)).body.queries.filter((q: { status: string }) => q.status === 'open' || q.status === 'answered');
    const head = await api.headPosition();
    const overview = (await get(`/api/v1/studies/${STUDY}/overview?minPosition=${head}`, 'monitor').expect(200)).body;
    expect(overview.overview.openQueries).toBe(unresolved.length);
    const perSubject = Object.fromEntries(overview.overview.subjects.map((s: { subjectId: string; openQueries: number }) => [s.subjectId, s.openQueries]));
    for (const subjectId of ['S001', 'S002']) expect({ subjectId, open: perSubject[subjectId] }).toEqual({ subjectId, open: unresolved.filter((q: { subjectId: string }) => q.subjectId === subjectId).length });
    const { queryId } = (await open(doseId, 'S002', { fieldPath: 'cycle' }).expect(201)).body;
    const whileOpen = await api.headPosition();
    await post(`${queries}/${queryId}/close`, 'monitor', {}).expect(201);
    const after = (await get(`/api/v1/studies/${STUDY}/overview?minPosition=${await api.headPosition()}`, 'monitor').expect(200)).body.overview;
    expect(after.openQueries).toBe(unresolved.length);
    // As known while that query was open: the overview folds the query streams up to then.
    const then = (await get(`/api/v1/studies/${STUDY}/overview?position=${whileOpen}`, 'monitor').expect(200)).body.overview;
    expect(then.openQueries).toBe(unresolved.length + 1);
    expect(then.subjects.find((row: { subjectId: string }) => row.subjectId === 'S002').openQueries).toBe(perSubject.S002 + 1);
  });

  it('refuses an Idempotency-Key reused with another body or for another command on every query and SDV route, writing nothing', async () => {
    const doses = (await get(`${subjects}/S001/events`, 'monitor').expect(200)).body.events.filter((e: { type: string }) => e.type === 'DoseAdministered');
    const [first, second] = doses.map((e: { eventId: string }) => e.eventId);
    const { queryId } = (await open(first, 'S001', { fieldPath: 'route' }).expect(201)).body;
    const key = (k: string) => ({ 'Idempotency-Key': k });
    await post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'As given', category: 'confirmed-correct' }, key('resp-1')).expect(201);
    const replay = await post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'As given', category: 'confirmed-correct' }, key('resp-1')).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    await refused(() => post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'Something else', category: 'other' }, key('resp-1')), 422, 'IDEMPOTENCY.KEY_REUSED');
    await refused(() => post(`${queries}/${queryId}/close`, 'coordinator', {}, key('resp-1')), 403, 'AUTH.ROLE_NOT_ALLOWED');
    await post(`${queries}/${queryId}/close`, 'monitor', { text: 'ok' }, key('close-1')).expect(201);
    await refused(() => post(`${queries}/${queryId}/close`, 'monitor', { text: 'another note' }, key('close-1')), 422, 'IDEMPOTENCY.KEY_REUSED');
    await refused(() => post(`${queries}/${queryId}/reopen`, 'monitor', { text: 'ok' }, key('close-1')), 422, 'IDEMPOTENCY.KEY_REUSED');
    const sdv = `${subjects}/S001/source-verifications`;
    // (A first use that recorded nothing — an entry already verified — leaves no key behind: see the README.)
    await post(sdv, 'monitor', { targetEventId: first }, key('sdv-1')).expect(201);
    await refused(() => post(sdv, 'monitor', { targetEventId: second }, key('sdv-1')), 422, 'IDEMPOTENCY.KEY_REUSED');
    await refused(() => post(sdv, 'monitor', { targetEventId: second, idempotencyKey: 'sdv-2', extra: 1 }), 400, 'VALIDATION.FAILED');
  });

  it('closes the system query of a deviation that a correction withdraws, as the system, once; the site is not asked about a deviation off the record', async () => {
    await enrolledSubject(api, 'S005');
    // Enrolled 2026-03-05: cycle 1 is due on days 0–7, so 2026-03-20 is off-window.
    const late = await post(`${subjects}/S005/doses`, 'coordinator', bodies.dose(1, '2026-03-20')).expect(201);
    const doseId = late.body.eventIds[0] as string;
    const [query] = (await get(`${queries}?openedBy=system&subject=S005`, 'monitor').expect(200)).body.queries as { queryId: string; status: string }[];
    expect(query.status).toBe('open');
    const fixed = await post(`${subjects}/S005/corrections`, 'coordinator', { targetEventId: doseId, changes: { administeredOn: '2026-03-07' }, reason: 'date mistyped' }).expect(201);
    const withdrawn = (await Promise.all(fixed.body.eventIds.map((id: string) => api.store.getEvent(id)))).filter((e) => e?.type === 'EntryVoided');
    expect(withdrawn).toHaveLength(1);
    const view = (await get(`${queries}/${query.queryId}`, 'monitor').expect(200)).body;
    expect(view.status).toBe('closed');
    const closing = view.thread.find((t: { kind: string }) => t.kind === 'closed');
    expect(closing).toMatchObject({ by: { username: 'system' } });
    expect(closing.text).toContain('no longer');
    const closedEvent = (await api.eventsAfter(withdrawn[0]!.globalPosition)).find((e) => e.type === 'QueryClosed');
    expect(closedEvent?.metadata).toMatchObject({ actor: { userId: 'system' }, source: 'system', causationId: withdrawn[0]!.eventId });
    const overview = (await get(`/api/v1/studies/${STUDY}/overview?minPosition=${await api.headPosition()}`, 'monitor').expect(200)).body.overview;
    expect(overview.subjects.find((row: { subjectId: string }) => row.subjectId === 'S005').openQueries).toBe(0);
  });

  it('closes the system query of a deviation a correction restates (still off window, on another date) and opens one on its new record: one open query, none saying it no longer holds', async () => {
    await enrolledSubject(api, 'S007');
    const late = await post(`${subjects}/S007/doses`, 'coordinator', bodies.dose(1, '2026-03-20')).expect(201);
    const doseId = late.body.eventIds[0] as string;
    const [query] = (await get(`${queries}?openedBy=system&subject=S007`, 'monitor').expect(200)).body.queries as { queryId: string }[];
    const fixed = await post(`${subjects}/S007/corrections`, 'coordinator', { targetEventId: doseId, changes: { administeredOn: '2026-03-21' }, reason: 'date mistyped' }).expect(201);
    const written = await Promise.all(fixed.body.eventIds.map((id: string) => api.store.getEvent(id)));
    expect(written.map((e) => e?.type)).toEqual(['EntryCorrected', 'EntryVoided', 'ProtocolDeviationDetected']);
    const closing = (await get(`${queries}/${query.queryId}`, 'monitor').expect(200)).body.thread.find((t: { kind: string }) => t.kind === 'closed');
    expect(closing.text).toContain('restated');
    expect(closing.text).not.toContain('no longer');
    const open = (await get(`${queries}?openedBy=system&subject=S007&status=open`, 'monitor').expect(200)).body.queries as { queryId: string; targetEventId: string }[];
    expect(open).toHaveLength(1);
    expect(open[0].queryId).not.toBe(query.queryId);
  });

  it('leaves the system query open when the site voids the detected deviation itself: the entry it was derived from did not change, so the monitor, not the system, closes it', async () => {
    await enrolledSubject(api, 'S006');
    const late = await post(`${subjects}/S006/doses`, 'coordinator', bodies.dose(1, '2026-03-20')).expect(201);
    const deviationId = (await Promise.all(late.body.eventIds.map((id: string) => api.store.getEvent(id)))).find((e) => e?.type === 'ProtocolDeviationDetected')!.eventId;
    const [query] = (await get(`${queries}?openedBy=system&subject=S006`, 'monitor').expect(200)).body.queries as { queryId: string; status: string }[];
    expect(query.status).toBe('open');
    const voided = await post(`${subjects}/S006/voids`, 'coordinator', { targetEventId: deviationId, reason: 'site judged it acceptable' }).expect(201);
    expect((await api.eventsAfter(voided.body.position)).filter((e) => e.type === 'QueryClosed')).toEqual([]);
    const view = (await get(`${queries}/${query.queryId}`, 'monitor').expect(200)).body;
    expect(view.status).toBe('open');
    const overview = (await get(`/api/v1/studies/${STUDY}/overview?minPosition=${await api.headPosition()}`, 'monitor').expect(200)).body.overview;
    expect(overview.subjects.find((row: { subjectId: string }) => row.subjectId === 'S006').openQueries).toBe(1);
  });
});
