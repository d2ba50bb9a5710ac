import request from 'supertest';
import type { Role } from '@trial-ledger/domain';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * `POST …/adverse-event-outcomes` (RecordAdverseEventOutcome): the outcome of a reported AE (SDTM AEOUT) and its
 * end date (AEENDTC), shown on the AE in the casebook; each refusal an RFC 9457 problem with its code, and
 * nothing written.
 */
describe('API: adverse event outcomes', () => {
  let api: ApiTestApp;
  const subject = `/api/v1/studies/${STUDY}/subjects/S001`;
  const outcomes = `${subject}/adverse-event-outcomes`;
  let aeId = '';

  const post = (path: string, role: Role, body: object) => request(api.http).post(path).set('Authorization', api.auth(role)).send(body);
  const reportAe = async (term: string, onsetDate: string, over: object = {}): Promise<string> =>
    (await post(`${subject}/adverse-events`, 'coordinator', { term, onsetDate, ctcaeGrade: 2, serious: false, relatedness: 'possibly related', ...over }).expect(201)).body.eventIds[0] as string;
  const casebookAe = async (eventId: string) => {
    const body = (await request(api.http).get(`${subject}/casebook?minPosition=${await api.headPosition()}`).set('Authorization', api.auth('monitor')).expect(200)).body;
    return ((body.casebook ?? body).adverseEvents as Array<{ eventId: string }>).find((a) => a.eventId === eventId);
  };
  const refused = async (body: object, status: number, code: string, role: Role = 'coordinator') => {
    const head = await api.headPosition();
    const response = await post(outcomes, role, body);
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await api.headPosition()).toBe(head);
    return response.body;
  };

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
    aeId = await reportAe('diarrhoea', '2026-03-20');
  });
  afterAll(async () => api.close());

  it('records recovering, then recovered with its end date (201): the casebook shows the current outcome and end date', async () => {
    expect(await casebookAe(aeId)).toMatchObject({ outcome: null, endDate: null });
    const recovering = await post(outcomes, 'coordinator', { adverseEventId: aeId, outcome: 'recovering' }).expect(201);
    expect(recovering.body.events.map((e: { type: string }) => e.type)).toEqual(['AdverseEventOutcomeRecorded']);
    expect((await api.store.getEvent(recovering.body.eventIds[0]))?.data).toEqual({ adverseEventId: aeId, outcome: 'recovering', endDate: null });
    expect(await casebookAe(aeId)).toMatchObject({ outcome: 'recovering', endDate: null });
    const recovered = await post(outcomes, 'investigator', { adverseEventId: aeId, outcome: 'recovered', endDate: '2026-04-02' }).expect(201);
    expect(await casebookAe(aeId)).toMatchObject({ outcome: 'recovered', endDate: '2026-04-02', outcomeRecord: { eventId: recovered.body.eventIds[0], recordedBy: { username: 'ivan' } } });
  });

  it('a correction of the outcome through /corrections moves the end date, and must satisfy the same rules', async () => {
    const id = (await post(outcomes, 'coordinator', { adverseEventId: aeId, outcome: 'recovered', endDate: '2026-04-03' }).expect(201)).body.eventIds[0] as string;
    await post(`${subject}/corrections`, 'coordinator', { targetEventId: id, changes: { endDate: '2026-04-04' }, reason: 'date per the clinic letter' }).expect(201);
    expect(await casebookAe(aeId)).toMatchObject({ outcome: 'recovered', endDate: '2026-04-04', outcomeRecord: { eventId: id, corrected: true } });
    const head = await api.headPosition();
    const before = await post(`${subject}/corrections`, 'coordinator', { targetEventId: id, changes: { endDate: '2026-03-01' }, reason: 'typo' });
    expect({ status: before.status, code: before.body.code }).toEqual({ status: 409, code: 'AE.END_BEFORE_ONSET' });
    expect(await api.headPosition()).toBe(head);
  });

  it('refuses what a data manager would query, with a stable code and nothing written', async () => {
    expect(await refused({ adverseEventId: aeId, outcome: 'recovered' }, 400, 'AE.END_DATE_REQUIRED')).toMatchObject({ field: 'endDate', outcome: 'recovered' });
    await refused({ adverseEventId: aeId, outcome: 'recovered-with-sequelae', endDate: null }, 400, 'AE.END_DATE_REQUIRED');
    await refused({ adverseEventId: aeId, outcome: 'not-recovered', endDate: '2026-04-02' }, 400, 'AE.END_DATE_NOT_ALLOWED');
    expect(await refused({ adverseEventId: aeId, outcome: 'recovered', endDate: '2026-03-19' }, 409, 'AE.END_BEFORE_ONSET')).toMatchObject({ onsetDate: '2026-03-20', endDate: '2026-03-19' });
    await refused({ adverseEventId: aeId, outcome: 'fatal', endDate: '2026-04-02' }, 409, 'AE.FATAL_WITHOUT_DEATH');
    await refused({ adverseEventId: aeId, outcome: 'recovered', endDate: '2026-04-04' }, 409, 'AE.OUTCOME_UNCHANGED');
    await refused({ adverseEventId: '0190aaaa-0000-7000-8000-000000000000', outcome: 'recovering' }, 404, 'AE.NOT_FOUND');
    // A role refusal writes the refusal itself (AuthorizationRefused, Part 11 §11.10(g)) and nothing else.
    const head = await api.headPosition();
    const forbidden = await post(outcomes, 'monitor', { adverseEventId: aeId, outcome: 'recovering' });
    expect({ status: forbidden.status, code: forbidden.body.code }).toEqual({ status: 403, code: 'AUTH.ROLE_NOT_ALLOWED' });
    expect((await api.eventsAfter(head)).map((e) => e.type)).toEqual(['AuthorizationRefused']);
  });

  it('refuses malformed bodies in the DTO: an outcome outside the AEOUT codes, a malformed end date, a missing id', async () => {
    const enumProblem = await refused({ adverseEventId: aeId, outcome: 'resolved', endDate: '2026-04-02' }, 400, 'VALIDATION.FAILED');
    expect(enumProblem.errors).toEqual([expect.objectContaining({ field: 'outcome' })]);
    const dateProblem = await refused({ adverseEventId: aeId, outcome: 'recovered', endDate: '2026-02-30' }, 400, 'VALIDATION.FAILED');
    expect(dateProblem.errors).toEqual([expect.objectContaining({ field: 'endDate', constraint: 'isCalendarDate' })]);
    const missing = await refused({ outcome: 'recovering' }, 400, 'VALIDATION.FAILED');
    expect([...new Set(missing.errors.map((e: { field: string }) => e.field))]).toEqual(['adverseEventId']);
  });

  it('names the AE by the idempotency key of its report (adverseEventIdempotencyKey), as an import line can: recorded with its event id', async () => {
    const reported = await post(`${subject}/adverse-events`, 'coordinator', { term: 'rash', onsetDate: '2026-03-23', ctcaeGrade: 1, serious: false, relatedness: 'unlikely', idempotencyKey: 'ae-rash-1' }).expect(201);
    const recorded = await post(outcomes, 'coordinator', { adverseEventIdempotencyKey: 'ae-rash-1', outcome: 'recovered', endDate: '2026-03-30' }).expect(201);
    expect((await api.store.getEvent(recorded.body.eventIds[0]))?.data).toEqual({ adverseEventId: reported.body.eventIds[0], outcome: 'recovered', endDate: '2026-03-30' });
    await refused({ adverseEventIdempotencyKey: 'no-such-report', outcome: 'recovering' }, 404, 'AE.NOT_FOUND');
    const both = await refused({ adverseEventId: reported.body.eventIds[0], adverseEventIdempotencyKey: 'ae-rash-1', outcome: 'recovering' }, 400, 'VALIDATION.FAILED');
    expect(both.errors).toEqual([expect.objectContaining({ field: 'adverseEventId' })]);
  });

  it('refuses an outcome for a voided AE (AE.VOIDED), and the void of an AE that has an outcome (ENTRY.INVALIDATES_LATER_ENTRY)', async () => {
    const voided = await reportAe('nausea (entered twice)', '2026-03-21');
    await post(`${subject}/voids`, 'coordinator', { targetEventId: voided, reason: 'entered twice' }).expect(201);
    await refused({ adverseEventId: voided, outcome: 'recovering' }, 409, 'AE.VOIDED');
    const head = await api.headPosition();
    const response = await post(`${subject}/voids`, 'coordinator', { targetEventId: aeId, reason: 'entered in error' });
    expect({ status: response.status, code: response.body.code, cause: response.body.cause }).toEqual({ status: 409, code: 'ENTRY.INVALIDATES_LATER_ENTRY', cause: 'AE.VOIDED' });
    expect(await api.headPosition()).toBe(head);
  });

  it('records fatal once the death is on record, ending on the date of death', async () => {
    const fatal = await reportAe('myocardial infarction', '2026-04-10', { ctcaeGrade: 5, serious: true });
    await post(`${subject}/death`, 'investigator', { deathDate: '2026-04-12', cause: 'myocardial infarction' }).expect(201);
    await refused({ adverseEventId: fatal, outcome: 'fatal', endDate: '2026-04-11' }, 409, 'AE.FATAL_END_NOT_DEATH_DATE');
    await post(outcomes, 'investigator', { adverseEventId: fatal, outcome: 'fatal', endDate: '2026-04-12' }).expect(201);
    expect(await casebookAe(fatal)).toMatchObject({ outcome: 'fatal', endDate: '2026-04-12' });
  });

  it('is refused while the study is locked (STUDY.LOCKED)', async () => {
    const other = await reportAe('fatigue', '2026-03-25');
    await post(`/api/v1/studies/${STUDY}/lock`, 'admin', { reason: 'interim analysis' }).expect(201);
    await refused({ adverseEventId: other, outcome: 'recovering' }, 409, 'STUDY.LOCKED');
    await post(`/api/v1/studies/${STUDY}/unlock`, 'admin', { reason: 'interim analysis done' }).expect(201);
  });

  it('the audit trail lists each outcome and the correction of one, with who, when and why (type filter by the new event type)', async () => {
    const trail = (type: string) => request(api.http).get(`/api/v1/audit-trail?subject=S001&type=${type}`).set('Authorization', api.auth('monitor')).expect(200);
    const outcomes = (await trail('AdverseEventOutcomeRecorded')).body.items as Array<Record<string, unknown>>;
    expect(outcomes.length).toBeGreaterThanOrEqual(3);
    expect(outcomes[0]).toMatchObject({ eventType: 'AdverseEventOutcomeRecorded', fullName: 'Cora Coordinator' });
    const corrections = (await trail('EntryCorrected')).body.items as Array<Record<string, unknown>>;
    expect(corrections).toContainEqual(expect.objectContaining({ targetType: 'AdverseEventOutcomeRecorded', before: { endDate: '2026-04-03' }, after: { endDate: '2026-04-04' }, reason: 'date per the clinic letter' }));
  });

  it("the viewer's casebook page lists each AE with its outcome (the CDISC term) and end date", async () => {
    await api.app.get(ReadModelsRunner).at(await api.headPosition());
    const page = await request(api.http).get(`/viewer/studies/${STUDY}/subjects/S001`).set({ Cookie: `tl_viewer_session=${api.tokens.monitor}` }).expect(200);
    expect(page.text).toContain('<th scope="col">Outcome</th><th scope="col">End date</th>');
    expect(page.text).toMatch(/<td class="text">diarrhoea<\/td><td>2026-03-20<\/td>.*?<td>recovered\/resolved<\/td><td>2026-04-04<\/td><\/tr>/);
    expect(page.text).toMatch(/<td class="text">fatigue<\/td><td>2026-03-25<\/td>.*?<td>—<\/td><td>—<\/td><\/tr>/);
  });

  it('is documented in the OpenAPI document: the route, its roles and the AEOUT codes', async () => {
    const doc = (await request(api.http).get('/api/docs-json').expect(200)).body as {
      paths: Record<string, { post?: { summary?: string } }>;
      components: { schemas: Record<string, { properties: Record<string, { enum?: string[] }>; required?: string[] }> };
    };
    expect(doc.paths['/api/v1/studies/{studyId}/subjects/{subjectId}/adverse-event-outcomes']?.post?.summary).toMatch(/AEOUT/);
    const schema = doc.components.schemas.RecordAdverseEventOutcomeRequestDto;
    expect(schema.properties.outcome.enum).toEqual(['recovered', 'recovering', 'not-recovered', 'recovered-with-sequelae', 'fatal', 'unknown']);
    // adverseEventId or adverseEventIdempotencyKey: either, so neither is required on its own.
    expect(schema.required).toEqual(['outcome']);
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(['adverseEventId', 'adverseEventIdempotencyKey', 'outcome', 'endDate']));
  });
});
