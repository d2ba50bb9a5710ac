import { signIn, startViewerTestApp, STUDY, SUBJECT, type ViewerTestApp } from './viewer-test-app';

/**
 * A keyboard user reaches the page's content without tabbing through the header (WCAG 2.4.1 Bypass Blocks): the
 * first Tab of every page focuses a "Skip to main content" link, shown when focused, and Enter moves the focus to
 * the main content. The password page, opened while signed in, keeps the signed-in header as every page does.
 */
describe('viewer: skip to main content, and the password page of a signed-in user', () => {
  let app: ViewerTestApp;

  beforeAll(async () => {
    app = await startViewerTestApp();
  }, 60_000);
  afterAll(async () => app?.close());

  it.each(['/viewer', `/viewer/studies/${STUDY}`, `/viewer/studies/${STUDY}/subjects/${SUBJECT}`, '/viewer/password'])('%s: the first Tab focuses the skip link, Enter moves the focus to the main content', async (path) => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.goto(path);
      await page.keyboard.press('Tab');
      const focused = page.locator(':focus');
      await expect(focused.textContent()).resolves.toBe('Skip to main content');
      // Shown when focused (visually hidden otherwise): a sighted keyboard user sees where the focus is.
      const box = await focused.boundingBox();
      expect(box?.width ?? 0).toBeGreaterThan(20);
      await page.keyboard.press('Enter');
      await expect(page.evaluate(() => (globalThis as unknown as { document: { activeElement: { id: string } | null } }).document.activeElement?.id)).resolves.toBe('main');
    } finally {
      await context.close();
    }
  });

  it('the sign-in page has the skip link too, hidden until focused', async () => {
    const context = await app.browser.newContext({ baseURL: app.url });
    try {
      const page = await context.newPage();
      await page.goto('/viewer/login');
      const link = page.locator('a.skip-link');
      expect((await link.boundingBox())?.width ?? 0).toBeLessThanOrEqual(1);
      await page.keyboard.press('Tab');
      await expect(page.locator(':focus').textContent()).resolves.toBe('Skip to main content');
    } finally {
      await context.close();
    }
  });

  it('/viewer/password opened while signed in shows the signed-in header with its sign-out form', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.goto('/viewer/password');
      await expect(page.locator('header.masthead form.signout').textContent()).resolves.toContain('Sign out');
      await expect(page.locator('header.masthead form.signout span').textContent()).resolves.toMatch(/mona/i);
    } finally {
      await context.close();
    }
  });
});
