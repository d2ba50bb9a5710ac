import request from 'supertest';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/** A sentence someone puts in a link to the viewer, hoping the page shows it as the ledger's word (with a right-to-left override and a NUL). */
const INJECTED = 'Your session expired call +1 555 0100 now';
const SHORT_INJECTED = 'Call IT +1 555 0100 now';
const HOSTILE_ID = encodeURIComponent(`${INJECTED}\u202E\u0000`);

/**
 * The viewer takes study and subject ids from the path as the API does: by the domain's id rules. An id
 * off the rule is refused (400 VALIDATION.FAILED, the rule in words) before anything is read or recorded,
 * and the page does not repeat it — a link cannot make the viewer display a sentence of its choosing.
 */
describe('viewer pages: study and subject ids in the path', () => {
  let api: ApiTestApp;
  const as = (role: 'monitor' | 'coordinator') => ({ Cookie: `tl_viewer_session=${api.tokens[role]}` });

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each([
    ['casebook, subject id', `/viewer/studies/${STUDY}/subjects/${HOSTILE_ID}`],
    ['casebook as known then, subject id', `/viewer/studies/${STUDY}/subjects/${HOSTILE_ID}?asKnownAt=2026-09-01T00:00:00Z`],
    ['dashboard, study id', `/viewer/studies/${HOSTILE_ID}`],
    ['subjects, study id', `/viewer/studies/${HOSTILE_ID}/subjects`],
    ['trail, study id', `/viewer/studies/${HOSTILE_ID}/audit-trail`],
    ['download, study id', `/viewer/studies/${HOSTILE_ID}/audit-trail/export?format=csv`],
  ])('%s: refused with the rule, not repeated on the page, nothing recorded', async (_name, url) => {
    const before = await api.headPosition();
    const page = await request(api.http).get(url).set(as('monitor')).expect(400);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('VALIDATION.FAILED');
    expect(page.text).not.toContain(INJECTED);
    expect(page.text).not.toContain('\u202E');
    expect(page.text).not.toContain('\u0000');
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  /** The "as known at" field takes what is typed (40 characters at most); a link can put a sentence there as well as in the path. */
  it.each([
    ['dashboard', `/viewer/studies/${STUDY}`],
    ['subjects', `/viewer/studies/${STUDY}/subjects`],
    ['casebook', `/viewer/studies/${STUDY}/subjects/S001`],
    ['trail', `/viewer/studies/${STUDY}/audit-trail`],
  ])('%s: an asKnownAt that is no instant is refused without repeating it', async (_name, url) => {
    const before = await api.headPosition();
    const page = await request(api.http).get(`${url}?asKnownAt=${encodeURIComponent(`\u202E${SHORT_INJECTED}`)}`).set(as('monitor')).expect(400);
    expect(page.text).toContain('VIEWER.INVALID_AS_KNOWN_AT');
    expect(page.text).toContain('2026-03-01T12:00:00Z');
    expect(page.text).not.toContain(SHORT_INJECTED);
    expect(page.text).not.toContain('\u202E');
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  it.each([
    ['trail, from', `/viewer/studies/${STUDY}/audit-trail?from=`],
    ['trail, to', `/viewer/studies/${STUDY}/audit-trail?to=`],
    ['download, from', `/viewer/studies/${STUDY}/audit-trail/export?format=csv&from=`],
  ])('%s: a bound that is no date or instant is refused without repeating it', async (_name, url) => {
    const before = await api.headPosition();
    const page = await request(api.http).get(`${url}${encodeURIComponent(INJECTED)}`).set(as('monitor')).expect(400);
    expect(page.text).toContain('VIEWER.INVALID_FILTER');
    expect(page.text).not.toContain(INJECTED);
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  it('an instant that does not exist (30 February) is still named in the refusal, it is only digits', async () => {
    const page = await request(api.http).get(`/viewer/studies/${STUDY}?asKnownAt=2026-02-30T00:00:00Z`).set(as('monitor')).expect(400);
    expect(page.text).toContain('2026-02-30T00:00:00Z');
  });

  /**
   * A parameter a page does not take is refused (400 VALIDATION.FAILED) — and its name was repeated in the
   * sentence, so `?Your account is locked, call …=1` made even the sign-in page say so. A name that is one plain
   * word is still named (a typo such as `asKnowAt`); any other is described, not repeated.
   */
  it.each([
    ['sign-in page, signed out', '/viewer/login', false],
    ['dashboard', `/viewer/studies/${STUDY}`, true],
    ['trail', `/viewer/studies/${STUDY}/audit-trail`, true],
  ])('%s: a parameter name that is a sentence is refused without repeating it', async (_name, url, signedIn) => {
    const before = await api.headPosition();
    const get = request(api.http).get(`${url}?${encodeURIComponent(`${INJECTED}\u202E`)}=1`);
    const page = await (signedIn ? get.set(as('monitor')) : get).expect(400);
    expect(page.text).toContain('VALIDATION.FAILED');
    expect(page.text).not.toContain(INJECTED);
    expect(page.text).not.toContain('\u202E');
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  it('a misspelt parameter that is one word is still named', async () => {
    const page = await request(api.http).get(`/viewer/studies/${STUDY}?asKnowAt=2026-09-01T00:00:00Z`).set(as('monitor')).expect(400);
    expect(page.text).toContain('asKnowAt');
  });

  /** The field's `pattern` is what the browser checks before sending: it must not let through what the server refuses. */
  it('the "as known at" field lets through the instants and dates the server reads, not a space for the T', async () => {
    const page = await request(api.http).get(`/viewer/studies/${STUDY}`).set(as('monitor')).expect(200);
    const pattern = /<input id="asKnownAt"[^>]* pattern="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const accepts = (value: string) => new RegExp(`^(?:${pattern.replace(/&amp;/g, '&')})$`, 'v').test(value);
    for (const value of ['2026-09-01T12:00:00Z', '2026-09-01T12:00:00.123+02:00', '2026-09-01']) expect({ value, accepted: accepts(value) }).toEqual({ value, accepted: true });
    expect(accepts('2026-09-01 12:00:00Z')).toBe(false);
    await request(api.http).get(`/viewer/studies/${STUDY}?asKnownAt=${encodeURIComponent('2026-09-01 12:00:00Z')}`).set(as('monitor')).expect(400);
  });

  /** As the dashboard and the download do: an empty trail would read as a study in which nothing was ever recorded. */
  it('the trail of a study the ledger does not hold is 404 STUDY.NOT_FOUND, not an empty trail', async () => {
    const before = await api.headPosition();
    const page = await request(api.http).get('/viewer/studies/NOPE-01/audit-trail').set(as('monitor')).expect(404);
    expect(page.text).toContain('STUDY.NOT_FOUND');
    expect(page.text).not.toContain('<table class="trail"');
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  it('still names a well-formed id that is not in the ledger', async () => {
    const page = await request(api.http).get(`/viewer/studies/${STUDY}/subjects/S999`).set(as('coordinator')).expect(404);
    expect(page.text).toContain('SUBJECT.NOT_FOUND');
    expect(page.text).toContain('S999');
  });
});
