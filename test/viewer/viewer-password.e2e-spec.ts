import type { Page } from 'playwright-core';
import { seriousViolations, startViewerTestApp, type ViewerTestApp } from './viewer-test-app';

const NEW_USER = { username: 'nina', fullName: 'Nina Newcomer', role: 'monitor' as const };
const TEMPORARY = 'temporary passphrase 1';
const OWN = 'my own monitoring passphrase 7';

const typeAndSubmit = async (page: Page, fields: Readonly<Record<string, string>>): Promise<number> => {
  for (const [selector, value] of Object.entries(fields)) await page.fill(selector, value);
  const [response] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.click('form button[type=submit]')]);
  await page.waitForLoadState();
  return response.status();
};

/**
 * Every account an administrator creates (or resets) starts with a temporary password the user must replace
 * before signing in. The sign-in form answered such a user with a refusal page naming an API route and the CLI,
 * without a way forward in the viewer; the same for an expired password. The viewer now offers the change: the
 * identity service's own (`ChangeOwnPassword`: the current password proves who it is, the password rules, the
 * history; it ends the user's other sessions), then the sign-in form again.
 */
describe('viewer: a new user chooses a password, then signs in', () => {
  let app: ViewerTestApp;

  beforeAll(async () => {
    app = await startViewerTestApp();
    const admin = await app.api.identity.auth.verifyPassword('ada', 'correct horse battery staple', 'cli');
    await app.api.identity.users.addUser(admin, { ...NEW_USER, password: TEMPORARY, reason: 'joins the monitoring team' }, 'cli');
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a temporary password leads from the sign-in form to the change, and the new one signs in', async () => {
    const context = await app.browser.newContext({ baseURL: app.url, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto('/viewer/login');
      expect(await typeAndSubmit(page, { '#username': NEW_USER.username, '#password': TEMPORARY })).toBe(403);
      await expect(page.locator('.problem').textContent()).resolves.toMatch(/temporary/);
      await Promise.all([page.waitForURL(/\/viewer\/password$/), page.click('a[href="/viewer/password"]')]);
      await expect(page.locator('h1').textContent()).resolves.toBe('Change your password');

      const before = await app.api.headPosition();
      expect(await typeAndSubmit(page, { '#username': NEW_USER.username, '#currentPassword': TEMPORARY, '#newPassword': OWN, '#confirmPassword': `${OWN}x` })).toBe(400);
      await expect(page.locator('.problem').textContent()).resolves.toMatch(/do not match/);
      expect(await app.api.eventsAfter(before)).toEqual([]);

      expect(await typeAndSubmit(page, { '#username': NEW_USER.username, '#currentPassword': TEMPORARY, '#newPassword': 'short', '#confirmPassword': 'short' })).toBe(400);
      await expect(page.locator('.problem').textContent()).resolves.toMatch(/\S/);

      expect(await typeAndSubmit(page, { '#username': NEW_USER.username, '#currentPassword': TEMPORARY, '#newPassword': OWN, '#confirmPassword': OWN })).toBe(200);
      await expect(page.locator('[role=status]').textContent()).resolves.toMatch(/changed/);
      expect((await app.api.eventsAfter(before)).map((e) => e.type)).toContain('PasswordChanged');

      await typeAndSubmit(page, { '#username': NEW_USER.username, '#password': OWN });
      expect(new URL(page.url()).pathname).toBe('/viewer');
      await expect(page.locator('.signout').textContent()).resolves.toContain(NEW_USER.fullName);
    } finally {
      await context.close();
    }
  });

  it('a wrong current password changes nothing and says so', async () => {
    const context = await app.browser.newContext({ baseURL: app.url, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto('/viewer/password');
      const status = await typeAndSubmit(page, { '#username': NEW_USER.username, '#currentPassword': 'not the password at all', '#newPassword': 'another passphrase 2026', '#confirmPassword': 'another passphrase 2026' });
      expect(status).toBe(401);
      await expect(page.locator('.problem').textContent()).resolves.toMatch(/\S/);
      await expect(page.locator('#newPassword').inputValue()).resolves.toBe('');
      const login = await app.api.identity.auth.login(NEW_USER.username, OWN, { source: 'api' });
      expect(login.token).toMatch(/\S/);
    } finally {
      await context.close();
    }
  });

  it('the form has labelled fields and no serious accessibility violation', async () => {
    const context = await app.browser.newContext({ baseURL: app.url });
    const page = await context.newPage();
    try {
      await page.goto('/viewer/password');
      await expect(page.locator('h1').count()).resolves.toBe(1);
      await expect(seriousViolations(page)).resolves.toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('a post without the form token changes nothing', async () => {
    const context = await app.browser.newContext({ baseURL: app.url });
    try {
      const before = await app.api.headPosition();
      const response = await context.request.post('/viewer/password', {
        form: { username: NEW_USER.username, currentPassword: OWN, newPassword: 'hijacked passphrase 2026', confirmPassword: 'hijacked passphrase 2026' },
      });
      expect(response.status()).toBe(403);
      expect(await app.api.eventsAfter(before)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  // Last: it moves the clock past the password's maximum age (90 days by default).
  it('an expired password is named on the sign-in form, which links the change', async () => {
    app.api.clock.advance(91 * 24 * 60 * 60 * 1000);
    const context = await app.browser.newContext({ baseURL: app.url, javaScriptEnabled: false });
    const page = await context.newPage();
    try {
      await page.goto('/viewer/login');
      expect(await typeAndSubmit(page, { '#username': NEW_USER.username, '#password': OWN })).toBe(401);
      await expect(page.locator('.problem').textContent()).resolves.toMatch(/expired/);
      await expect(page.locator('a[href="/viewer/password"]').count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  });
});
