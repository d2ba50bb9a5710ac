import AxeBuilder from '@axe-core/playwright';
import request from 'supertest';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import type { Role } from '@trial-ledger/domain';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { bodies, enrolledSubject, startApiTestApp, STUDY, TEST_NOW, type ApiTestApp, type ApiTestOptions } from '../api/support/api-test-app';

/** Debian's Chromium (installed by `.ci/run`): playwright's own browser download cannot work here. */
export const CHROMIUM = process.env.TRIAL_LEDGER_CHROMIUM ?? '/usr/bin/chromium';

export const PASSWORDS: Readonly<Record<Role, { username: string; password: string }>> = {
  admin: { username: 'ada', password: 'correct horse battery staple' },
  investigator: { username: 'ivan', password: 'investigator passphrase 1' },
  coordinator: { username: 'cora', password: 'coordinator passphrase 1' },
  monitor: { username: 'mona', password: 'monitor passphrase 0001' },
  regulator: { username: 'rex', password: 'regulator passphrase 01' },
};

export const SUBJECT = 'S001';
export const CORRECTION_REASON = 'Transcription error: lot number corrected against the pharmacy log';
/** Recorded a day after everything else, so "as known at" an instant between them shows the old value. */
export const CORRECTED_AT = '2026-09-02T09:00:00.000Z';
export const BEFORE_CORRECTION = '2026-09-01T12:00:00Z';

export interface ViewerTestApp {
  readonly api: ApiTestApp;
  readonly url: string;
  readonly browser: Browser;
  close(): Promise<void>;
}

/**
 * The whole app (API + viewer) listening on loopback over a temp SQLite ledger holding one enrolled
 * subject with a dose whose lot number was corrected a day later; and a headless Chromium.
 */
export const startViewerTestApp = async (options: ApiTestOptions = {}): Promise<ViewerTestApp> => {
  const api = await startApiTestApp(options);
  await enrolledSubject(api, SUBJECT);
  const base = `/api/v1/studies/${STUDY}/subjects/${SUBJECT}`;
  await request(api.http).post(`${base}/doses`).set('Authorization', api.auth('coordinator')).send(bodies.dose()).expect(201);
  const dose = (await api.store.readStream(`subject-${STUDY}-${SUBJECT}`)).find((e) => e.type === 'DoseAdministered');
  api.clock.set(CORRECTED_AT);
  const login = await api.identity.auth.login(PASSWORDS.coordinator.username, PASSWORDS.coordinator.password, { source: 'api' });
  await request(api.http)
    .post(`${base}/corrections`)
    .set('Authorization', `Bearer ${login.token}`)
    .send({ targetEventId: dose?.eventId, changes: { lotNumber: 'LOT-0043' }, reason: CORRECTION_REASON })
    .expect(201);
  await api.app.get(ReadModelsRunner).at(await api.headPosition());
  await api.app.listen(0, '127.0.0.1');
  const address = api.app.getHttpServer().address() as { port: number };
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  return {
    api,
    url: `http://127.0.0.1:${address.port}`,
    browser,
    close: async () => {
      await browser.close();
      await api.close();
    },
  };
};

/** Signs in through the form, as a person would; returns the signed-in page. */
export const signIn = async (app: ViewerTestApp, role: Role, javaScriptEnabled = true): Promise<{ context: BrowserContext; page: Page }> => {
  // The pages have no script; axe-core needs one injected, so only the sign-in test runs without JavaScript.
  const context = await app.browser.newContext({ baseURL: app.url, javaScriptEnabled });
  const page = await context.newPage();
  await page.goto('/viewer/login');
  await page.fill('#username', PASSWORDS[role].username);
  await page.fill('#password', PASSWORDS[role].password);
  await Promise.all([page.waitForURL(`${app.url}/viewer`), page.click('button[type=submit]')]);
  return { context, page };
};

/** axe-core's serious and critical violations on the page (WCAG 2.1 A/AA rules). */
export const seriousViolations = async (page: Page): Promise<string[]> => {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help} (${v.nodes.length})`);
};

export { STUDY, TEST_NOW };
