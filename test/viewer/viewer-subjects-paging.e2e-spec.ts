import request from 'supertest';
import { ReadModelsRunner } from '../../apps/api/src/projections/read-models.runner';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

const SUBJECTS = `/viewer/studies/${STUDY}/subjects`;

/** The subject ids the table lists, in the order shown. */
const listed = (html: string): string[] => [...html.matchAll(/<td><a href="\/viewer\/studies\/[^/]+\/subjects\/([^"?]+)[^"]*">/g)].map((m) => m[1]);
/** The href of the link with this rel (`prev`, `next`), decoded as the browser would follow it; null when absent. */
const link = (html: string, rel: string): string | null => {
  const href = new RegExp(`<a rel="${rel}" href="([^"]*)"`).exec(html)?.[1];
  return href === undefined ? null : href.replace(/&amp;/g, '&');
};

/**
 * The subjects table comes in pages (`?page=`, `?pageSize=`, 100 subjects by default), in the table's
 * sort order with the subject id breaking ties, so every subject is on exactly one page; previous/next
 * links keep the sort, the page size and the as-known-at instant. A page number or size that is not a
 * whole number in range is refused as a page (400 VIEWER.INVALID_PAGE).
 */
describe('viewer subjects table: paging', () => {
  let api: ApiTestApp;
  const asMonitor = { Cookie: '' };
  const get = (query: string) => request(api.http).get(`${SUBJECTS}${query}`).set(asMonitor);

  beforeAll(async () => {
    api = await startApiTestApp();
    asMonitor.Cookie = `tl_viewer_session=${api.tokens.monitor}`;
    await enrolledSubject(api, 'S001');
    for (const id of ['S004', 'S002', 'S005', 'S003']) {
      await request(api.http).post(`/api/v1/studies/${STUDY}/subjects`).set('Authorization', api.auth('coordinator')).send(bodies.screen(id)).expect(201);
    }
    await api.app.get(ReadModelsRunner).at(await api.headPosition());
  });
  afterAll(async () => {
    await api?.close();
  });

  it('given five subjects and no paging parameters, then one page of all five with no previous or next link', async () => {
    const page = await get('').expect(200);
    expect(listed(page.text)).toEqual(['S001', 'S002', 'S003', 'S004', 'S005']);
    expect(page.text).toContain('page 1 of 1');
    expect([link(page.text, 'prev'), link(page.text, 'next')]).toEqual([null, null]);
  });

  it('given pageSize=2, then three pages in subject id order, each subject on exactly one, linked by previous and next', async () => {
    const first = await get('?pageSize=2').expect(200);
    expect(listed(first.text)).toEqual(['S001', 'S002']);
    expect(first.text).toContain('5 subjects');
    expect(first.text).toContain('page 1 of 3');
    expect(link(first.text, 'prev')).toBeNull();

    const second = await request(api.http).get(link(first.text, 'next') as string).set(asMonitor).expect(200);
    expect(listed(second.text)).toEqual(['S003', 'S004']);
    expect(second.text).toContain('page 2 of 3');

    const third = await request(api.http).get(link(second.text, 'next') as string).set(asMonitor).expect(200);
    expect(listed(third.text)).toEqual(['S005']);
    expect(link(third.text, 'next')).toBeNull();
    expect(listed((await request(api.http).get(link(third.text, 'prev') as string).set(asMonitor).expect(200)).text)).toEqual(['S003', 'S004']);
  });

  it('pages in the sort order chosen, and the links keep the sort, the page size and the as-known-at instant', async () => {
    const asKnownAt = encodeURIComponent(new Date().toISOString());
    const first = await get(`?sort=subjectId&order=desc&pageSize=2&asKnownAt=${asKnownAt}`).expect(200);
    expect(listed(first.text)).toEqual(['S005', 'S004']);
    const next = link(first.text, 'next') as string;
    expect(new URL(next, 'http://x').searchParams.get('sort')).toBe('subjectId');
    expect(new URL(next, 'http://x').searchParams.get('order')).toBe('desc');
    expect(new URL(next, 'http://x').searchParams.get('pageSize')).toBe('2');
    expect(new URL(next, 'http://x').searchParams.get('asKnownAt')).toBe(decodeURIComponent(asKnownAt));
    expect(listed((await request(api.http).get(next).set(asMonitor).expect(200)).text)).toEqual(['S003', 'S002']);
  });

  it('given a page past the last, then an empty page that says so and links back', async () => {
    const page = await get('?pageSize=2&page=9').expect(200);
    expect(listed(page.text)).toEqual([]);
    expect(page.text).toContain('No subjects on page 9');
    expect(link(page.text, 'next')).toBeNull();
    expect(new URL(link(page.text, 'prev') as string, 'http://x').searchParams.get('page')).toBe('3');
  });

  it.each([
    ['page=0'],
    ['page=-1'],
    ['page=two'],
    ['page=1.5'],
    ['page=99999999999999999'],
    ['pageSize=0'],
    ['pageSize=1001'],
    ['pageSize=1e2'],
    ['page=1&page=2'],
  ])('given %s, then a 400 problem page VIEWER.INVALID_PAGE and nothing recorded', async (query) => {
    const before = await api.headPosition();
    const page = await get(`?${query}`).expect(400);
    expect(page.type).toBe('text/html');
    expect(page.text).toContain('VIEWER.INVALID_PAGE');
    expect(await api.eventsAfter(before)).toEqual([]);
  });
});
