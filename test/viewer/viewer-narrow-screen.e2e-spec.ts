import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { signIn, startViewerTestApp, STUDY, SUBJECT, type ViewerTestApp } from './viewer-test-app';

/**
 * On a phone (375 CSS pixels wide) a page is read without scrolling it sideways: a wide table (the trail's eight
 * columns, a casebook's tumour assessments) scrolls inside its own box, the rest of the page keeps to the window,
 * and the Kaplan–Meier curve shrinks to it. The pages used to be as wide as their widest table (up to twice the
 * window), so the header, the text and the banners scrolled away with it.
 */
/** Every axe-core violation, whatever its impact, of the WCAG 2.1 A/AA rules and axe's best practices (unique landmarks…). */
const violations = async (page: Page): Promise<string[]> => {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).analyze();
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
};

describe('viewer on a narrow screen (375 px) and a wide one', () => {
  let app: ViewerTestApp;

  beforeAll(async () => {
    app = await startViewerTestApp();
  }, 60_000);
  afterAll(async () => {
    await app?.close();
  });

  it.each([375, 1280])('at %i px no page is wider than the window, and axe finds no violation', async (width) => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.setViewportSize({ width, height: 800 });
      const pages = [
        `/viewer/studies/${STUDY}`,
        `/viewer/studies/${STUDY}/subjects`,
        `/viewer/studies/${STUDY}/subjects/${SUBJECT}`,
        `/viewer/studies/${STUDY}/audit-trail`,
        `/viewer/studies/${STUDY}/subjects/${SUBJECT}?asKnownAt=2026-09-01T12:00:00Z`,
        '/viewer',
        `/viewer/studies/${STUDY}/subjects/S999`,
      ];
      const found: Array<[string, number, string[]]> = [];
      for (const url of pages) {
        await page.goto(url);
        found.push([url, await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth), await violations(page)]);
      }
      expect(found).toEqual(pages.map((url) => [url, width, []]));
    } finally {
      await context.close();
    }
  }, 60_000);
});
