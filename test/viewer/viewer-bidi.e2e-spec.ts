import request from 'supertest';
import type { Locator } from 'playwright-core';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { PASSWORDS, signIn, startViewerTestApp, STUDY, SUBJECT, type ViewerTestApp } from './viewer-test-app';

/** An adverse event recorded in Hebrew, then recoded: both values are right-to-left text. */
const BEFORE = 'בחילה';
const AFTER = 'הקאה';
const REASON = 'קוד מחדש לפי המקור';

/**
 * Where a string starts on the screen (its line and its left edge), found in the element's text nodes whatever markup holds it: a
 * Range over the characters, so the test reads the page as the eye does, not the DOM order.
 */
/** The few DOM calls the measuring function makes in the page (the project compiles without the DOM library). */
interface PageDocument {
  createTreeWalker(root: unknown, whatToShow: number): { nextNode(): { textContent: string | null } | null };
  createRange(): { setStart(node: unknown, offset: number): void; setEnd(node: unknown, offset: number): void; getBoundingClientRect(): { x: number; y: number; height: number } };
}
/** `NodeFilter.SHOW_TEXT`. */
const SHOW_TEXT = 4;

const onScreen = async (scope: Locator, text: string): Promise<{ x: number; line: number }> =>
  scope.evaluate((root, [wanted, showText]) => {
    const { document } = globalThis as unknown as { document: PageDocument };
    const walker = document.createTreeWalker(root, showText);
    for (let node = walker.nextNode(); node !== null; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(wanted) ?? -1;
      if (at < 0) continue;
      const range = document.createRange();
      range.setStart(node, at);
      range.setEnd(node, at + wanted.length);
      const box = range.getBoundingClientRect();
      return { x: box.x, line: Math.round(box.y + box.height / 2) };
    }
    throw new Error(`"${wanted}" is not in the element`);
  }, [text, SHOW_TEXT] as const);

/** The strings as a left-to-right reader meets them: line by line, each line from the left (a narrow cell wraps). */
const readingOrder = async (scope: Locator, texts: readonly string[]): Promise<string[]> => {
  const placed = await Promise.all(texts.map(async (text) => ({ text, ...(await onScreen(scope, text)) })));
  return placed.sort((a, b) => (Math.abs(a.line - b.line) > 4 ? a.line - b.line : a.x - b.x)).map((p) => p.text);
};

/**
 * Free text may be right-to-left (Hebrew, Arabic terms, reasons, names). Shown inline in the left-to-right
 * "before → after" line, two right-to-left values with the neutral arrow between them form one
 * right-to-left run, and the browser draws it reversed: the new value left of the arrow, the old one
 * right of it — the correction reads backwards. Each recorded value is isolated (`<bdi>`), so the line
 * reads before → after whatever script the values are in.
 */
describe('the viewer shows right-to-left values in their place', () => {
  let app: ViewerTestApp;

  beforeAll(async () => {
    app = await startViewerTestApp();
    const base = `/api/v1/studies/${STUDY}/subjects/${SUBJECT}`;
    const login = await app.api.identity.auth.login(PASSWORDS.coordinator.username, PASSWORDS.coordinator.password, { source: 'api' });
    const bearer = `Bearer ${login.token}`;
    const reported = await request(app.api.http)
      .post(`${base}/adverse-events`)
      .set('Authorization', bearer)
      .send({ term: BEFORE, onsetDate: '2026-03-07', ctcaeGrade: 2, serious: false, relatedness: 'possible' })
      .expect(201);
    await request(app.api.http)
      .post(`${base}/corrections`)
      .set('Authorization', bearer)
      .send({ targetEventId: reported.body.eventIds[0], changes: { term: AFTER }, reason: REASON })
      .expect(201);
    await app.api.app.get(ReadModelsRunner).at(await app.api.headPosition());
  });
  afterAll(async () => {
    await app?.close();
  });

  it('casebook: a correction between right-to-left values reads before → after', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.goto(`/viewer/studies/${STUDY}/subjects/${SUBJECT}`);
      const correction = page.locator('li.correction', { hasText: AFTER });
      await expect(correction.count()).resolves.toBe(1);
      await expect(readingOrder(correction, [AFTER, '→', BEFORE])).resolves.toEqual([BEFORE, '→', AFTER]);
    } finally {
      await context.close();
    }
  });

  it('audit trail: the change column reads before → after', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.goto(`/viewer/studies/${STUDY}/audit-trail?changesOnly=1`);
      const change = page.locator('table.trail tbody td div', { hasText: AFTER });
      await expect(change.count()).resolves.toBe(1);
      await expect(readingOrder(change, [AFTER, '→', BEFORE])).resolves.toEqual([BEFORE, '→', AFTER]);
    } finally {
      await context.close();
    }
  });
});
