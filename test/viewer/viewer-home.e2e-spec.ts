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
});
