import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { Role } from '@trial-ledger/domain';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { VIEWER_CSP } from '../../apps/api/src/viewer/viewer.module';
import { BEFORE_CORRECTION, CORRECTION_REASON, PASSWORDS, seriousViolations, signIn, startViewerTestApp, STUDY, SUBJECT, type ViewerTestApp } from './viewer-test-app';

const SCREENSHOTS = process.env.TRIAL_LEDGER_SCREENSHOTS ?? join(__dirname, '..', '..', '.tmp', 'viewer-screenshots');

const PAGES = {
  study: `/viewer/studies/${STUDY}`,
  subjects: `/viewer/studies/${STUDY}/subjects`,
  subject: `/viewer/studies/${STUDY}/subjects/${SUBJECT}`,
  'audit-trail': `/viewer/studies/${STUDY}/audit-trail`,
} as const;
type PageName = keyof typeof PAGES;

/** Who may open what: the API's query roles (admins read no subject data; the trail is for auditors). */
const ALLOWED: Readonly<Record<Role, readonly PageName[]>> = {
  admin: [],
  coordinator: ['study', 'subjects', 'subject'],
  investigator: ['study', 'subjects', 'subject'],
  monitor: ['study', 'subjects', 'subject', 'audit-trail'],
  regulator: ['study', 'subjects', 'subject', 'audit-trail'],
};

describe('the web viewer in Chromium', () => {
  let app: ViewerTestApp;

  beforeAll(async () => {
    app = await startViewerTestApp();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('signs in through the form without JavaScript, with an HttpOnly SameSite=Strict session cookie and a strict CSP', async () => {
    const { context, page } = await signIn(app, 'monitor', false);
    try {
      await page.screenshot({ path: join(SCREENSHOTS, 'home.png'), fullPage: true });
      await expect(page.locator('h1').textContent()).resolves.toBe('Studies');
      await expect(page.locator(`a[href="/viewer/studies/${STUDY}"]`).count()).resolves.toBe(1);
      const [cookie] = (await context.cookies()).filter((c) => c.name === 'tl_viewer_session');
      expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/viewer' });
      const response = await page.goto(PAGES.study);
      expect(response?.headers()['content-security-policy']).toBe(VIEWER_CSP);
      expect(VIEWER_CSP).not.toMatch(/script-src|unsafe-inline/);
      expect((await app.api.store.readStream('identity')).filter((e) => e.type === 'LoginSucceeded').length).toBeGreaterThan(0);
    } finally {
      await context.close();
    }
  });

  it('refuses a wrong password with the identity service\'s answer and records the failed login', async () => {
    const context = await app.browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    try {
      const before = await app.api.headPosition();
      await page.goto('/viewer/login');
      await page.fill('#username', 'mona');
      await page.fill('#password', 'not her passphrase at all');
      const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('button[type=submit]')]);
      expect(response.status()).toBe(401);
      await expect(page.locator('.problem').textContent()).resolves.toMatch(/\S/);
      expect((await app.api.eventsAfter(before)).map((e) => e.type)).toEqual(['LoginFailed']);
    } finally {
      await context.close();
    }
  });

  for (const role of ['admin', 'coordinator', 'investigator', 'monitor', 'regulator'] as const) {
    it(`as ${role}: allowed pages render with no serious accessibility violation; refused ones answer 403 and record AuthorizationRefused`, async () => {
      const { context, page } = await signIn(app, role);
      try {
        for (const [name, path] of Object.entries(PAGES) as Array<[PageName, string]>) {
          const before = await app.api.headPosition();
          const response = await page.goto(path);
          if (ALLOWED[role].includes(name)) {
            expect({ name, status: response?.status() }).toEqual({ name, status: 200 });
            await expect(page.locator('h1').count()).resolves.toBe(1);
            expect({ name, violations: await seriousViolations(page) }).toEqual({ name, violations: [] });
            if (role === 'monitor') await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
            expect(await app.api.eventsAfter(before)).toEqual([]);
          } else {
            expect({ name, status: response?.status() }).toEqual({ name, status: 403 });
            await expect(page.locator('.problem').textContent()).resolves.toMatch(/./);
            const written = await app.api.eventsAfter(before);
            expect(written.map((e) => `${e.streamId} ${e.type} ${e.metadata.actor.role}`)).toEqual([`identity AuthorizationRefused ${role}`]);
            expect(String(written[0].data.action)).toMatch(/^Viewer /);
          }
        }
        if (role === 'admin') await expect(page.content()).resolves.not.toContain(SUBJECT);
      } finally {
        await context.close();
      }
    });
  }

  it('shows a corrected value with its original, before → after, who, when and why', async () => {
    const { context, page } = await signIn(app, 'investigator');
    try {
      await page.goto(PAGES.subject);
      const correction = page.locator('li.correction');
      await expect(correction.count()).resolves.toBe(1);
      const text = (await correction.textContent()) ?? '';
      expect(text).toContain('LOT-0042');
      expect(text).toContain('LOT-0043');
      expect(text).toContain(CORRECTION_REASON);
      expect(text).toContain('Cora Coordinator (cora, coordinator)');
      expect(text).toContain('2026-09-02 09:00:00.000 +00:00');
      const row = page.locator('tr', { has: page.locator('th', { hasText: 'Lot number' }) });
      await expect(row.locator('td').first().textContent()).resolves.toBe('LOT-0042');
      await expect(row.locator('td').last().textContent()).resolves.toBe('LOT-0043');
    } finally {
      await context.close();
    }
  });

  it('asKnownAt before the correction shows the old value, clearly marked, from the control on the page', async () => {
    const { context, page } = await signIn(app, 'regulator');
    try {
      await page.goto(PAGES.subject);
      await page.fill('#asKnownAt', BEFORE_CORRECTION);
      await Promise.all([page.waitForURL(/asKnownAt=/), page.click('form.as-of button')]);
      await expect(page.locator('.as-known-at').textContent()).resolves.toContain('2026-09-01 12:00:00.000 +00:00');
      await expect(page.locator('li.correction').count()).resolves.toBe(0);
      const row = page.locator('tr', { has: page.locator('th', { hasText: 'Lot number' }) });
      await expect(row.locator('td').last().textContent()).resolves.toBe('LOT-0042');
      await page.screenshot({ path: join(SCREENSHOTS, 'subject-as-known-at.png'), fullPage: true });
      // The trail as known then does not list the correction either.
      await page.goto(`${PAGES['audit-trail']}?asKnownAt=${encodeURIComponent(BEFORE_CORRECTION)}&changesOnly=1`);
      await expect(page.locator('table.trail tbody tr').count()).resolves.toBe(0);
    } finally {
      await context.close();
    }
  });

  it('filters the audit trail (changes only, by user, by role) and downloads exactly the rows shown', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.goto(PAGES['audit-trail']);
      const all = await page.locator('table.trail tbody tr').count();
      expect(all).toBeGreaterThan(5);
      const positions = await page.locator('table.trail tbody tr').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-position'))));
      expect(positions).toEqual([...positions].sort((a, b) => b - a)); // newest first
      await page.check('input[name=changesOnly]');
      await Promise.all([page.waitForURL(/changesOnly=1/), page.click('form.filters button')]);
      const rows = page.locator('table.trail tbody tr');
      await expect(rows.count()).resolves.toBe(1);
      await expect(rows.first().textContent()).resolves.toContain(CORRECTION_REASON);
      await expect(rows.first().textContent()).resolves.toContain('LOT-0042 → LOT-0043');
      await page.goto(`${PAGES['audit-trail']}?role=investigator`);
      const roles = await page.locator('table.trail tbody tr td:nth-child(4)').allTextContents();
      expect(roles.length).toBeGreaterThan(0);
      expect(new Set(roles)).toEqual(new Set(['investigator']));
      const csv = await context.request.get(`${PAGES['audit-trail']}/export?changesOnly=1&format=csv`);
      expect(csv.status()).toBe(200);
      const lines = (await csv.text()).trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(CORRECTION_REASON);
      const json = (await (await context.request.get(`${PAGES['audit-trail']}/export?role=investigator&format=json`)).json()) as Array<{ role: string }>;
      expect(json.length).toBe(roles.length);
    } finally {
      await context.close();
    }
  });

  it('refuses form posts without the session-bound CSRF token, and a bad filter with a 400 page', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      const before = await app.api.headPosition();
      const logout = await context.request.post('/viewer/logout', { form: { _csrf: 'forged' } });
      expect(logout.status()).toBe(403);
      const bare = await context.request.post('/viewer/logout', { form: {} });
      expect(bare.status()).toBe(403);
      const login = await context.request.post('/viewer/login', { form: { username: 'mona', password: 'monitor passphrase 0001' } });
      expect(login.status()).toBe(403);
      expect(await app.api.eventsAfter(before)).toEqual([]);
      // Still signed in: the refused posts ended nothing.
      await expect(page.goto(PAGES.study).then((r) => r?.status())).resolves.toBe(200);
      await expect(page.goto(`${PAGES['audit-trail']}?role=__proto__`).then((r) => r?.status())).resolves.toBe(400);
      await expect(page.goto(`${PAGES.subjects}?sort=constructor`).then((r) => r?.status())).resolves.toBe(400);
      // Not a study id at all (the API's path rule): 400; a well-formed id the ledger does not hold: 404.
      await expect(page.goto('/viewer/studies/__proto__').then((r) => r?.status())).resolves.toBe(400);
      await expect(page.goto(`${PAGES.subjects}/constructor`).then((r) => r?.status())).resolves.toBe(404);
      await expect(page.goto(`${PAGES.subject}?asKnownAt=yesterday`).then((r) => r?.status())).resolves.toBe(400);
      // The real sign-out form works and ends the session.
      await page.goto(PAGES.study);
      await Promise.all([page.waitForURL(/\/viewer\/login$/), page.click('form.signout button')]);
      await page.goto(PAGES.study);
      // Signed out: the sign-in form, which opens the page asked for once signed in.
      expect(page.url()).toBe(`${app.url}/viewer/login?next=${encodeURIComponent(PAGES.study)}`);
    } finally {
      await context.close();
    }
  });

  it('sorts the subjects table on the server and ends an idle session (the identity policy\'s inactivity limit)', async () => {
    const { context, page } = await signIn(app, 'coordinator');
    try {
      const response = await page.goto(`${PAGES.subjects}?sort=status&order=desc`);
      expect(response?.status()).toBe(200);
      await expect(page.locator('th[aria-sort=descending]').textContent()).resolves.toContain('Status');
      app.api.clock.advance(24 * 60 * 60 * 1000);
      await page.goto(PAGES.subjects);
      // The sign-in page says why it is shown (it used to be the bare form, as if the person had never signed in).
      expect(page.url()).toBe(`${app.url}/viewer/login?session=ended&next=${encodeURIComponent(PAGES.subjects)}`);
      await expect(page.locator('.notice').textContent()).resolves.toMatch(/session has ended/);
      // Signing in again opens the page that was asked for, not the studies list.
      await page.fill('#username', PASSWORDS.coordinator.username);
      await page.fill('#password', PASSWORDS.coordinator.password);
      await Promise.all([page.waitForURL(`${app.url}${PAGES.subjects}`), page.click('button[type=submit]')]);
    } finally {
      await context.close();
    }
  });

  it("shows each entry's monitor queries and SDV state, escaped, as of the page's position; a later correction revokes the SDV", async () => {
    const api = app.api;
    // Fresh sessions: an earlier test let the clock pass the inactivity limit of the suite's tokens.
    const token = async (role: Role) => (await api.identity.auth.login(PASSWORDS[role].username, PASSWORDS[role].password, { source: 'api' })).token;
    const tokens = { monitor: await token('monitor'), coordinator: await token('coordinator') } as Readonly<Record<Role, string>>;
    const post = (path: string, role: 'monitor' | 'coordinator', body: object) => request(api.http).post(path).set('Authorization', `Bearer ${tokens[role]}`).send(body);
    const subject = `/api/v1/studies/${STUDY}/subjects/${SUBJECT}`;
    const dose = (await api.store.readStream(`subject-${STUDY}-${SUBJECT}`)).find((e) => e.type === 'DoseAdministered')!;
    const text = 'Lot <b>differs</b> from the "pharmacy" log & chart';
    const queryId = (await post(`/api/v1/studies/${STUDY}/queries`, 'monitor', { subjectId: SUBJECT, targetEventId: dose.eventId, fieldPath: 'lotNumber', text }).expect(201)).body.queryId as string;
    await post(`${subject}/source-verifications`, 'monitor', { targetEventId: dose.eventId }).expect(201);
    await api.app.get(ReadModelsRunner).at(await api.headPosition());
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.goto(PAGES.subject);
      const entry = page.locator(`#entry-${dose.eventId}`);
      const query = entry.locator(`#query-${queryId}`);
      await expect(query.locator('.query-status').textContent()).resolves.toBe('open');
      // Shown as text, not markup: no <b> element made it into the page.
      await expect(query.locator('.query-text').textContent()).resolves.toBe(text);
      await expect(query.locator('b').count()).resolves.toBe(0);
      await expect(query.locator('ol.thread li').first().textContent()).resolves.toContain('opened');
      const sdv = (await entry.locator('p.sdv').textContent()) ?? '';
      expect(sdv).toContain('Source-verified by Mona Monitor (mona, monitor)');
      await expect(entry.locator('p.sdv-verified').count()).resolves.toBe(1);
      expect(await seriousViolations(page)).toEqual([]);
      // The dashboard and the subjects table count the open query, from the read models.
      await page.goto(PAGES.study);
      await expect(page.locator('p.open-queries').textContent()).resolves.toMatch(/^1 open query \(/);
      await page.goto(`${PAGES.subjects}?sort=openQueries&order=desc`);
      await expect(page.locator('th[aria-sort=descending]').textContent()).resolves.toContain('Open queries');
      await expect(page.locator('tbody tr').first().locator('td').last().textContent()).resolves.toBe('1');
      // As known before any of it: no query and no SDV.
      await page.goto(`${PAGES.subject}?asKnownAt=${encodeURIComponent(BEFORE_CORRECTION)}`);
      await expect(page.locator(`#entry-${dose.eventId} li.query`).count()).resolves.toBe(0);
      await expect(page.locator(`#entry-${dose.eventId} p.sdv-not-verified`).count()).resolves.toBe(1);

      await post(`/api/v1/studies/${STUDY}/queries/${queryId}/responses`, 'coordinator', { text: 'Chart is right', category: 'confirmed-correct' }).expect(201);
      await post(`/api/v1/studies/${STUDY}/queries/${queryId}/close`, 'monitor', { text: 'Agreed' }).expect(201);
      await post(`${subject}/corrections`, 'coordinator', { targetEventId: dose.eventId, changes: { lotNumber: 'LOT-0044' }, reason: 'Pharmacy log re-read' }).expect(201);
      await api.app.get(ReadModelsRunner).at(await api.headPosition());
      await page.goto(PAGES.subject);
      const revoked = page.locator(`#entry-${dose.eventId} p.sdv-revoked`);
      await expect(revoked.textContent()).resolves.toMatch(/^SDV revoked by correction at \d{4}-\d{2}-\d{2} /);
      await expect(page.locator(`#query-${queryId} .query-status`).textContent()).resolves.toBe('closed-modified');
      expect(await seriousViolations(page)).toEqual([]);
      await page.goto(PAGES.study);
      await expect(page.locator('p.open-queries').textContent()).resolves.toMatch(/^0 open queries/);
    } finally {
      await context.close();
    }
  });
});
