import request from 'supertest';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/**
 * A printed casebook leaves the ledger: on paper it must still say what it is. The page's title named the subject
 * only, and the navigation (which names the study) is not printed, so a printout named neither the study nor the
 * log position nor who printed it and when. Each page of a study now carries a line printed only on paper.
 */
describe('viewer: what a printed page says about itself', () => {
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => {
    await api?.close();
  });

  it.each([
    ['a casebook', `/viewer/studies/${STUDY}/subjects/S001`],
    ['a casebook as known at an instant', `/viewer/studies/${STUDY}/subjects/S001?asKnownAt=2026-09-01T12:00:00Z`],
    ['the audit trail', `/viewer/studies/${STUDY}/audit-trail`],
  ])('%s names the study, the log position, who and when, on paper only', async (_name, url) => {
    const page = await request(api.http).get(url).set('Cookie', `tl_viewer_session=${api.tokens.regulator}`).expect(200);
    const line = /<p class="print-only">([\s\S]*?)<\/p>/.exec(page.text)?.[1]?.replace(/\s+/g, ' ') ?? '';
    expect(line).toContain(`Study ${STUDY}`);
    expect(line).toMatch(/log position \d+/);
    expect(line).toContain('Rex Regulator (rex, regulator)');
    expect(line).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)? \+00:00/);
    const css = (await request(api.http).get('/viewer/assets/viewer.css').expect(200)).text;
    expect(css).toMatch(/\.print-only \{ display: none; \}/);
    expect(css).toMatch(/@media print \{[\s\S]*\.print-only \{ display: block; \}/);
  });
});
