import request from 'supertest';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

/** The text of the trail row at a log position, tags dropped and entities read back. */
const rowText = (html: string, position: number): string => {
  const row = new RegExp(`<tr data-position="${position}">([\\s\\S]*?)</tr>`).exec(html)?.[1];
  if (row === undefined) throw new Error(`no trail row at position ${position}`);
  return row
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
};

/**
 * The viewer's audit trail says what each entry recorded, as `trial-ledger audit-trail` does: an entry
 * that creates data (a screening, an adverse event) shows its values, not a dash, so a monitor reading the
 * trail in the browser sees the same "what" as on the command line.
 */
describe('viewer audit trail: the values an entry recorded', () => {
  let api: ApiTestApp;
  let reportedAt: number;
  const TERM = 'Nausea <b>after</b> dose';

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
    const reported = await request(api.http)
      .post(`/api/v1/studies/${STUDY}/subjects/S001/adverse-events`)
      .set('Authorization', api.auth('coordinator'))
      .send({ term: TERM, onsetDate: '2026-03-07', ctcaeGrade: 2, serious: false, relatedness: 'possible' })
      .expect(201);
    reportedAt = reported.body.position;
    await api.app.get(ReadModelsRunner).at(await api.headPosition());
  });
  afterAll(async () => {
    await api?.close();
  });

  it('shows the values of an entry that creates data, labelled and escaped, as the CLI lists them', async () => {
    const page = await request(api.http).get(`/viewer/studies/${STUDY}/audit-trail`).set('Cookie', `tl_viewer_session=${api.tokens.monitor}`).expect(200);
    expect(page.text).not.toContain('<b>after</b>');
    const ae = rowText(page.text, reportedAt);
    expect(ae).toContain(`Adverse event term: ${TERM}`);
    expect(ae).toContain('CTCAE grade: 2');
    expect(ae).toContain('Onset date: 2026-03-07');
    expect(ae).toContain('Relatedness to study drug: possible');
    const screened = (await api.store.readStream(`subject-${STUDY}-S001`)).find((e) => e.type === 'SubjectScreened');
    const screening = rowText(page.text, screened!.globalPosition);
    expect(screening).toContain('Screening date: 2026-03-02');
    expect(screening).toContain('Informed consent date: 2026-03-01');
  });
});
