import request from 'supertest';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/** The viewer's first page lists each study with the title its protocol gives it, so a reader knows which trial they open. */
describe('viewer home: the studies of the ledger', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => {
    await api?.close();
  });

  it("names each study with its protocol's title", async () => {
    const study = await request(api.http).get(`/api/v1/studies/${STUDY}`).set('Authorization', api.auth('monitor')).expect(200);
    const title: string = study.body.protocol.title;
    expect(title.length).toBeGreaterThan(0);
    const home = await request(api.http).get('/viewer').set('Cookie', `tl_viewer_session=${api.tokens.monitor}`).expect(200);
    const item = /<ul class="studies">([\s\S]*?)<\/ul>/.exec(home.text)?.[1] ?? '';
    expect(item).toContain(`>${STUDY}</a>`);
    expect(item).toContain(title.replace(/&/g, '&amp;'));
  });

  /**
   * Administrators are not clinical readers: every study page answers them 403 and records the refusal in their
   * name. The first page used to link each study all the same, so the one link an administrator could follow was a
   * refusal put on the record; it now names the studies without links and says which roles open them.
   */
  it('an administrator is offered no link to a study page it would be refused, and says why', async () => {
    const before = await api.headPosition();
    const home = await request(api.http).get('/viewer').set('Cookie', `tl_viewer_session=${api.tokens.admin}`).expect(200);
    expect(home.text).not.toContain('href="/viewer/studies/');
    expect(home.text).toContain(STUDY);
    expect(home.text).toMatch(/coordinators, investigators, monitors and regulators/);
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  it.each(['coordinator', 'investigator', 'monitor', 'regulator'] as const)('%s: offered the link', async (role) => {
    const home = await request(api.http).get('/viewer').set('Cookie', `tl_viewer_session=${api.tokens[role]}`).expect(200);
    expect(home.text).toContain(`href="/viewer/studies/${STUDY}"`);
  });

  /** The trail is the auditors' (monitor, regulator): the navigation offered it to every reader, a link to a recorded refusal. */
  it.each([
    ['coordinator', false],
    ['investigator', false],
    ['monitor', true],
    ['regulator', true],
  ] as const)('%s: the study navigation links the audit trail only to a role that may open it (%s)', async (role, offered) => {
    for (const page of [`/viewer/studies/${STUDY}`, `/viewer/studies/${STUDY}/subjects`, `/viewer/studies/${STUDY}/subjects/S001`]) {
      const html = (await request(api.http).get(page).set('Cookie', `tl_viewer_session=${api.tokens[role]}`).expect(200)).text;
      expect({ page, offered: html.includes(`href="/viewer/studies/${STUDY}/audit-trail`) }).toEqual({ page, offered });
      expect(html).toContain(`href="/viewer/studies/${STUDY}/subjects"`);
    }
  });

  /**
   * A refusal or a missing page, once the session is known, is still shown to someone signed in: the page keeps who
   * they are and the sign-out form (it used to drop both, as if the person had been signed out).
   */
  it.each([
    ['a refused page (403)', 'coordinator', `/viewer/studies/${STUDY}/audit-trail`, 403, 'Cora Coordinator (cora, coordinator)'],
    ['a study the ledger does not hold (404)', 'monitor', '/viewer/studies/NOPE-01', 404, 'Mona Monitor (mona, monitor)'],
    ['an asKnownAt that is no instant (400)', 'monitor', `/viewer/studies/${STUDY}?asKnownAt=soon`, 400, 'Mona Monitor (mona, monitor)'],
    // Refused before the page's handler runs (by the check of the parameters each page declares, or by the router).
    ['a query parameter the page does not take (400)', 'monitor', `/viewer/studies/${STUDY}?asKnowAt=2026-09-01`, 400, 'Mona Monitor (mona, monitor)'],
    ['a parameter of a refused page (400, before the role)', 'admin', `/viewer/studies/${STUDY}/audit-trail?nope=1`, 400, 'Ada Admin (ada, admin)'],
    ['an address no page serves (404)', 'regulator', '/viewer/studies/nope/nope/nope', 404, 'Rex Regulator (rex, regulator)'],
  ] as const)('%s keeps the signed-in header with its sign-out form', async (_name, role, url, status, person) => {
    const page = await request(api.http).get(url).set('Cookie', `tl_viewer_session=${api.tokens[role]}`).expect(status);
    const signout = /<form class="signout"[\s\S]*?<\/form>/.exec(page.text)?.[0] ?? '';
    expect(signout).toContain(person);
    expect(signout).toMatch(/name="_csrf" value="[^"]+"/);
  });

  it('a parameter refused before the role is checked records nothing, though the page names who is signed in', async () => {
    const before = await api.headPosition();
    await request(api.http).get(`/viewer/studies/${STUDY}/audit-trail?nope=1`).set('Cookie', `tl_viewer_session=${api.tokens.admin}`).expect(400);
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  /**
   * Two tabs, one browser: a second sign-in replaces the first tab's session, and the first tab's sign-out form still
   * carries the token of the session that ended. It is refused (it would sign out the other person), and the page
   * now says why, names who is signed in now, and offers their sign-out.
   */
  it('a sign-out form of a session the browser no longer holds signs nobody out and says so', async () => {
    const cookie = `tl_viewer_session=${api.tokens.regulator}`;
    const refused = await request(api.http).post('/viewer/logout').set('Cookie', cookie).type('form').send({ _csrf: 'a-token-of-an-ended-session' }).expect(403);
    expect(refused.text).toMatch(/for a session this browser no longer holds[\s\S]*nobody was signed out/);
    expect(/<form class="signout"[\s\S]*?<\/form>/.exec(refused.text)?.[0] ?? '').toContain('Rex Regulator (rex, regulator)');
    await request(api.http).get('/viewer').set('Cookie', cookie).expect(200);
  });

  it('a problem page for a browser without a session offers no sign-out form', async () => {
    const page = await request(api.http).get('/viewer/login?asKnowAt=1').expect(400);
    expect(page.text).not.toContain('class="signout"');
  });

  /**
   * The trail shows the last 7 days unless told otherwise: "0 rows" under a bound the reader did not set reads as a
   * study where nothing was recorded. The caption names the recording-time bounds in force.
   */
  it('the trail caption names the recording-time bounds in force, the default one too', async () => {
    const cookie = `tl_viewer_session=${api.tokens.monitor}`;
    const caption = async (query: string) =>
      /<caption[^>]*>([\s\S]*?)<\/caption>/.exec((await request(api.http).get(`/viewer/studies/${STUDY}/audit-trail${query}`).set('Cookie', cookie).expect(200)).text)?.[1] ?? '';
    await expect(caption('')).resolves.toMatch(/recorded from 2026-08-25 09:00:00\.000 \+00:00 \(the last 7 days\)/);
    await expect(caption('?from=2026-01-01&to=2026-12-31')).resolves.toMatch(/recorded from 2026-01-01 00:00:00\.000 \+00:00 to 2026-12-31 23:59:59\.999 \+00:00/);
    await expect(caption('?from=')).resolves.not.toMatch(/recorded from/);
  });
});
