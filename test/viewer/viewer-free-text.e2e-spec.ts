import request from 'supertest';
import type { Page } from 'playwright-core';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { PASSWORDS, signIn, startViewerTestApp, STUDY, SUBJECT, type ViewerTestApp } from './viewer-test-app';

/** The longest adverse-event term the API records (500 characters), in one word: a code pasted without spaces. */
const LONG_TERM = `MEDDRA${'X'.repeat(494)}`;
/** A term recorded over two lines, then corrected to the same words on one line: the change is the line break. */
const TWO_LINES = 'Nausea\nresolved without treatment';
const ONE_LINE = 'Nausea resolved without treatment';
const REASON = 'Term re-entered on one line as in the source';

/** The page's width against the window's (the project compiles without the DOM library). */
const widths = (page: Page): Promise<{ scroll: number; window: number }> =>
  page.evaluate(() => {
    const { document, innerWidth } = globalThis as unknown as { document: { documentElement: { scrollWidth: number } }; innerWidth: number };
    return { scroll: document.documentElement.scrollWidth, window: innerWidth };
  });

/**
 * Recorded free text is shown as it was recorded: the API takes printable text with tabs and line breaks, up to
 * 500 characters. A browser joins lines and runs of spaces into one space, so a correction that changed only a
 * line break read "Nausea resolved … → Nausea resolved …", the same on both sides; and a long word (a code pasted
 * without spaces) widened its table far beyond the window, the other columns out of sight.
 */
describe('the viewer shows recorded free text as recorded', () => {
  let app: ViewerTestApp;

  beforeAll(async () => {
    app = await startViewerTestApp();
    const base = `/api/v1/studies/${STUDY}/subjects/${SUBJECT}`;
    const login = await app.api.identity.auth.login(PASSWORDS.coordinator.username, PASSWORDS.coordinator.password, { source: 'api' });
    const bearer = `Bearer ${login.token}`;
    const report = (term: string) =>
      request(app.api.http)
        .post(`${base}/adverse-events`)
        .set('Authorization', bearer)
        .send({ term, onsetDate: '2026-03-07', ctcaeGrade: 1, serious: false, relatedness: 'possible' })
        .expect(201);
    await report(LONG_TERM);
    const twoLines = await report(TWO_LINES);
    await request(app.api.http)
      .post(`${base}/corrections`)
      .set('Authorization', bearer)
      .send({ targetEventId: twoLines.body.eventIds[0], changes: { term: ONE_LINE }, reason: REASON })
      .expect(201);
    await app.api.app.get(ReadModelsRunner).at(await app.api.headPosition());
  });
  afterAll(async () => {
    await app?.close();
  });

  it('casebook: a correction of a line break reads as one, and a 500-character word stays within the window', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`/viewer/studies/${STUDY}/subjects/${SUBJECT}`);
      const correction = page.locator('li.correction', { hasText: REASON });
      await expect(correction.locator('bdi.before').innerText()).resolves.toBe(TWO_LINES);
      await expect(correction.locator('bdi.after').innerText()).resolves.toBe(ONE_LINE);
      const { scroll, window } = await widths(page);
      expect(scroll).toBeLessThanOrEqual(window);
    } finally {
      await context.close();
    }
  });

  it('audit trail: the same correction reads before → after, line break kept; the long term stays within the window', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto(`/viewer/studies/${STUDY}/audit-trail`);
      const change = page.locator('table.trail tbody tr', { hasText: REASON });
      await expect(change.locator('bdi.before').innerText()).resolves.toBe(TWO_LINES);
      await expect(change.locator('bdi.after').innerText()).resolves.toBe(ONE_LINE);
      const { scroll, window } = await widths(page);
      expect(scroll).toBeLessThanOrEqual(window);
    } finally {
      await context.close();
    }
  });

  /** A browser asks every site for `/favicon.ico` unless the page names an icon: a 404 in the access log for every page read. */
  it('a page loads with no failed request of its own (no favicon 404)', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      const failed: string[] = [];
      page.on('response', (response) => {
        if (response.status() >= 400) failed.push(`${response.status()} ${new URL(response.url()).pathname}`);
      });
      // The icon request is the browser's own: it shows as the page's console error, not as one of its responses.
      page.on('console', (message) => {
        if (message.type() === 'error') failed.push(`${message.text()} ${message.location().url}`);
      });
      await page.goto(`/viewer/studies/${STUDY}/subjects/${SUBJECT}`);
      await page.waitForLoadState('networkidle');
      // The browser fetches the icon after the page has loaded.
      await page.waitForTimeout(1000);
      expect(failed).toEqual([]);
      await expect(page.locator('link[rel=icon]').count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  });
});
