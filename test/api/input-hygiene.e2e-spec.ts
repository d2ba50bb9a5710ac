import request from 'supertest';
import { bodies, enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

/** What an attacker or a careless client types: control characters in free text, impossible dates in query strings. */
describe('API input hygiene: free text and query parameters', () => {
  let api: ApiTestApp;
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  const refusedWithoutWriting = async (send: () => request.Test, status: number, code: string): Promise<request.Response> => {
    const head = await api.headPosition();
    const response = await send().expect(status);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toBe(code);
    expect(await api.headPosition()).toBe(head);
    return response;
  };

  it.each([
    ['an ANSI escape in the lot number', { lotNumber: 'LOT\u001b[2J42' }, 'lotNumber', 'U+001B'],
    ['a right-to-left override in the injection site', { injectionSite: 'left \u202ettub' }, 'injectionSite', 'U+202E'],
    ['a NUL in the route', { route: 'deep-sc\u0000' }, 'route', 'U+0000'],
    ['a lone surrogate in the lot number (the ODM export would print U+FFFD)', { lotNumber: 'LOT\ud80042' }, 'lotNumber', 'U+D800'],
    ['the non-character U+FFFE in the injection site (not allowed in XML)', { injectionSite: 'left\ufffe' }, 'injectionSite', 'U+FFFE'],
  ])('when a dose carries %s, then 400 VALIDATION.UNPRINTABLE_CHARACTER naming the field and nothing is written', async (_what, change, field, character) => {
    const response = await refusedWithoutWriting(
      () => request(api.http).post(`${subjects}/S001/doses`).set('Authorization', api.auth('coordinator')).send({ ...bodies.dose(), ...change }),
      400,
      'VALIDATION.UNPRINTABLE_CHARACTER',
    );
    expect(response.body).toMatchObject({ field, character });
  });

  it.each([
    ['a dose of 1e400 mg (read as Infinity)', '"doseMg":1e400', 'VALIDATION.OUT_OF_RANGE'],
    ['a dose of 120.00000000000000001 mg (read as 120)', '"doseMg":120.00000000000000001', 'VALIDATION.PRECISION'],
    ['cycle 9007199254740993 (read as 9007199254740992)', '"cycle":9007199254740993', 'VALIDATION.PRECISION'],
  ])('when a dose body holds %s, then 400 %s naming the member, and nothing is written', async (_what, member, code) => {
    const body = JSON.stringify(bodies.dose()).replace(new RegExp(`"${member.slice(1, member.indexOf('"', 1))}":[^,}]+`), member);
    const response = await refusedWithoutWriting(
      () => request(api.http).post(`${subjects}/S001/doses`).set('Authorization', api.auth('coordinator')).set('Content-Type', 'application/json').send(body),
      400,
      code,
    );
    expect(response.body.pointer).toBe(`/${member.slice(1, member.indexOf('"', 1))}`);
  });

  it('when a study lock reason hides a bidi isolate, then 400 VALIDATION.UNPRINTABLE_CHARACTER and the study stays open', async () => {
    await refusedWithoutWriting(
      () => request(api.http).post(`/api/v1/studies/${STUDY}/lock`).set('Authorization', api.auth('admin')).send({ reason: 'Database lock \u2067for interim' }),
      400,
      'VALIDATION.UNPRINTABLE_CHARACTER',
    );
  });

  it('keeps a reason with a line break as typed', async () => {
    await request(api.http)
      .post(`${subjects}/S001/missed-doses`)
      .set('Authorization', api.auth('coordinator'))
      .send({ cycle: 1, dueOn: '2026-03-05', reason: 'Patient unwell:\nvisit postponed' })
      .expect(201);
  });

  it.each([
    ['the audit trail', '/api/v1/audit-trail?from=2026-02-30'],
    ['the audit trail (an impossible instant)', '/api/v1/audit-trail?to=2026-04-31T10:00:00Z'],
    ['the audit-trail export', '/api/v1/exports/audit-trail?format=csv&from=2026-02-30'],
    ['the PFS analysis', `/api/v1/studies/${STUDY}/pfs?cutoff=2026-02-30`],
    ['the PFS analysis (as known at)', `/api/v1/studies/${STUDY}/pfs?asKnownAt=2026-02-30T00:00:00Z`],
    ['the casebook', `${subjects}/S001/casebook?asKnownAt=2026-13-01`],
    ['the casebook (a negative position)', `${subjects}/S001/casebook?position=-1`],
    ['the audit trail (an unknown parameter)', '/api/v1/audit-trail?frm=2026-01-01'],
    ['the audit trail (a repeated parameter)', '/api/v1/audit-trail?from=2026-01-01&from=2026-01-02'],
    // Names every object inherits: the DTO transformer skips them, so the whitelist must be told.
    ['the audit trail (a parameter named toString)', '/api/v1/audit-trail?toString=1'],
    ['the audit trail (a parameter named __proto__)', '/api/v1/audit-trail?__proto__=1'],
    ['the audit-trail export (a parameter named constructor)', '/api/v1/exports/audit-trail?format=csv&constructor=1'],
    ['the casebook (a parameter named hasOwnProperty)', `${subjects}/S001/casebook?hasOwnProperty=1`],
  ])('when %s is asked with %s, then 400 with a code', async (_what, url) => {
    const response = await request(api.http).get(url).set('Authorization', api.auth('monitor')).expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body.code).toMatch(/^[A-Z]+(\.[A-Z_]+)+$/);
  });
  // Number() would read these as 16, 1000, 10 and 0: a replay as of a position nobody typed.
  it.each([
    ['a hexadecimal position', `${subjects}/S001/casebook?position=0x10`, 'position'],
    ['a position in exponent form', `${subjects}/S001/casebook?position=1e1`, 'position'],
    ['a position left blank', `${subjects}/S001/casebook?position=`, 'position'],
    ['a minimum position with a leading space', `/api/v1/studies/${STUDY}/overview?minPosition=%201`, 'minPosition'],
    ['a page size in exponent form', '/api/v1/audit-trail?pageSize=1e2', 'pageSize'],
    ['an event-history limit in hexadecimal', `${subjects}/S001/events?limit=0x10`, 'limit'],
    ['a PFS diff position left blank', `/api/v1/studies/${STUDY}/pfs/diff?fromPosition=`, 'fromPosition'],
    // Past 2^53 a number is no longer the one typed: 2^53 + 1 would be read as 2^53 (and quoted so in a refusal).
    ['a position past 2^53', `${subjects}/S001/casebook?position=9007199254740993`, 'position'],
    ['an event-history afterVersion past 2^53', `${subjects}/S001/events?afterVersion=9007199254740993`, 'afterVersion'],
    ['a consistency proof size past 2^53', '/api/v1/proofs/consistency?from=1&to=9007199254740993', 'to'],
  ])('when a whole-number parameter is %s, then 400 VALIDATION.FAILED naming it, not a number read some other way', async (_what, url, field) => {
    const response = await request(api.http).get(url).set('Authorization', api.auth('monitor')).expect(400);
    expect(response.body.code).toBe('VALIDATION.FAILED');
    expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ pointer: `/${field}` })]));
  });

  it.each([`${subjects}/S001/casebook?position=999999`, `/api/v1/studies/${STUDY}/overview?position=999999`])(
    'when %s names a position the log has not reached, then 400 REPLAY.POSITION_BEYOND_HEAD, not an answer as of the head',
    async (url) => {
      const response = await request(api.http).get(url).set('Authorization', api.auth('monitor')).expect(400);
      expect(response.body.code).toBe('REPLAY.POSITION_BEYOND_HEAD');
    },
  );

  it.each([
    `${subjects}/S001/casebook?asKnownAt=2999-01-01T00:00:00Z`,
    `/api/v1/studies/${STUDY}/overview?asKnownAt=2999-01-01`,
    `/api/v1/studies/${STUDY}/pfs?asKnownAt=2999-01-01T00:00:00Z`,
  ])('when %s names an instant still to come, then 400 REPLAY.AS_KNOWN_AT_IN_FUTURE, not an answer as of now', async (url) => {
    const response = await request(api.http).get(url).set('Authorization', api.auth('monitor')).expect(400);
    expect(response.body.code).toBe('REPLAY.AS_KNOWN_AT_IN_FUTURE');
  });

  it('when a viewer page is asked as known at an instant still to come, then 400 REPLAY.AS_KNOWN_AT_IN_FUTURE', async () => {
    const page = await request(api.http).get(`/viewer/studies/${STUDY}/subjects/S001?asKnownAt=2999-01-01T00:00:00Z`).set({ Cookie: `tl_viewer_session=${api.tokens.monitor}` }).expect(400);
    expect(page.text).toContain('REPLAY.AS_KNOWN_AT_IN_FUTURE');
  });

  it('reads a whole-number parameter written in decimal digits', async () => {
    const response = await request(api.http).get(`${subjects}/S001/casebook?position=1`).set('Authorization', api.auth('monitor'));
    expect(response.status).not.toBe(400);
  });
});
