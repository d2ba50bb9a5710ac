import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import type { StoredEvent } from '@trial-ledger/event-store';
import { exportRequestDigest } from '@trial-ledger/command-pipeline';
import { faultyStore, storeFaults } from '../api/support/faulty-store';
import { CORRECTION_REASON, PASSWORDS, signIn, startViewerTestApp, STUDY, type ViewerTestApp } from './viewer-test-app';

const TRAIL = `/viewer/studies/${STUDY}/audit-trail`;
const SCREENSHOTS = process.env.TRIAL_LEDGER_SCREENSHOTS ?? join(__dirname, '..', '..', '.tmp', 'viewer-screenshots');
const exportsOf = (events: readonly StoredEvent[]): StoredEvent[] => events.filter((e) => e.type === 'DataExported');

/**
 * Every export is recorded as `DataExported` — who, what, which filter, through which position, when —
 * before its first byte: from the viewer (the trail's download links) and from the API's export routes.
 */
describe('exports recorded as events (viewer and API)', () => {
  const faults = storeFaults();
  let app: ViewerTestApp;

  beforeAll(async () => {
    app = await startViewerTestApp({ wrapStore: faultyStore(faults), maxCommandAttempts: 2 });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('a download from the trail page is recorded first, then served; the record shows on the trail, newest first', async () => {
    const { context, page } = await signIn(app, 'monitor');
    try {
      await page.goto(`${TRAIL}?changesOnly=1`);
      await expect(page.locator('table.trail tbody tr').count()).resolves.toBe(1);
      const before = await app.api.headPosition();
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('a:has-text("CSV")')]);
      const lines = readFileSync((await download.path())!, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(CORRECTION_REASON);
      const [recorded, ...more] = exportsOf(await app.api.eventsAfter(before));
      expect(more).toEqual([]);
      expect(recorded).toMatchObject({
        streamId: `exports-${STUDY}`,
        data: { kind: 'audit-trail', format: 'csv', channel: 'viewer', studyId: STUDY, throughPosition: before, username: 'mona', role: 'monitor' },
        metadata: { source: 'api', actor: { username: 'mona', role: 'monitor' } },
      });
      const data = recorded.data as { filter: Record<string, string>; requestDigest: string; format: 'csv'; throughPosition: number };
      expect(data.filter).toEqual({ changesOnly: '1', from: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) });
      expect(data.requestDigest).toBe(exportRequestDigest({ kind: 'audit-trail', format: 'csv', studyId: STUDY, filter: data.filter, throughPosition: data.throughPosition }));
      // The trail now lists the export itself, as the newest row, in words.
      await page.goto(TRAIL);
      const newest = page.locator('table.trail tbody tr').first();
      await expect(newest.getAttribute('data-position')).resolves.toBe(String(recorded.globalPosition));
      const text = (await newest.textContent()) ?? '';
      expect(text).toContain('Data exported');
      expect(text).toContain('audit-trail as CSV from the viewer; filter: changesOnly=1');
      expect(text).toContain(`through log position ${before}`);
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOTS, 'audit-trail-export-recorded.png'), fullPage: true });
      await page.goto(`${TRAIL}?type=DataExported`);
      await expect(page.locator('table.trail tbody tr').count()).resolves.toBe(1);
    } finally {
      await context.close();
    }
  });

  it('an ODM download from the viewer is the log through the position its record names, not its own record', async () => {
    const { context } = await signIn(app, 'monitor');
    try {
      const before = await app.api.headPosition();
      const odm = await context.request.get(`${TRAIL}/export?format=odm`);
      expect(odm.status()).toBe(200);
      const [recorded, ...more] = exportsOf(await app.api.eventsAfter(before));
      expect(more).toEqual([]);
      expect(recorded.data).toMatchObject({ kind: 'odm', format: 'xml', channel: 'viewer' });
      expect(await odm.text()).toMatch(new RegExp(`FileOID="trial-ledger\\.${STUDY}\\.P${recorded.data.throughPosition as number}\\.`));
    } finally {
      await context.close();
    }
  });

  it('refuses a role that may not export with 403, records the refusal and no export', async () => {
    const { context } = await signIn(app, 'investigator');
    try {
      const before = await app.api.headPosition();
      const refused = await context.request.get(`${TRAIL}/export?format=csv`);
      expect(refused.status()).toBe(403);
      expect(refused.headers()['content-disposition']).toBeUndefined();
      const written = await app.api.eventsAfter(before);
      expect(written.map((e) => `${e.streamId} ${e.type} ${String(e.data.action)}`)).toEqual(['identity AuthorizationRefused Viewer ExportAuditTrail']);
    } finally {
      await context.close();
    }
  });

  it('refuses hostile filters before anything is recorded; a huge time range is just a range', async () => {
    const { context } = await signIn(app, 'regulator');
    try {
      const before = await app.api.headPosition();
      for (const query of ['role=__proto__', 'user=a%E2%80%AEb', 'subject=S%00', 'before=99999999999999999', 'from=2026-02-30', 'from=0001-01-01', 'format=xlsx', 'type=__proto__%3Bx']) {
        const refused = await context.request.get(`${TRAIL}/export?format=csv&${query}`);
        expect({ query, status: refused.status() }).toEqual({ query, status: 400 });
      }
      expect(await app.api.eventsAfter(before)).toEqual([]);
      // A user or subject the ledger never knew is refused as the API and the CLI refuse it: no empty file, no record.
      for (const [query, code] of [
        ['user=constructor', 'IDENTITY.USER_NOT_FOUND'],
        ['user=nobody', 'IDENTITY.USER_NOT_FOUND'],
        ['subject=S999', 'SUBJECT.NOT_FOUND'],
        ['subject=__proto__', 'SUBJECT.NOT_FOUND'],
      ]) {
        const unknown = await context.request.get(`${TRAIL}/export?format=json&from=1900-01-01&to=9999-12-31&${query}`);
        expect({ query, status: unknown.status(), code: (await unknown.text()).includes(code) }).toEqual({ query, status: 404, code: true });
        expect(unknown.headers()['content-disposition']).toBeUndefined();
      }
      expect(await app.api.eventsAfter(before)).toEqual([]);
      const wide = await context.request.get(`${TRAIL}/export?format=json&from=1900-01-01&to=9999-12-31&user=system&subject=S001`);
      expect(wide.status()).toBe(200);
      const [recorded] = exportsOf(await app.api.eventsAfter(before));
      expect(recorded.data.filter).toEqual({ from: '1900-01-01', to: '9999-12-31', user: 'system', subject: 'S001' });
      for (const format of ['odm', 'csv']) {
        // Not a study id (the API's path rule): 400; a well-formed one the ledger does not hold: 404.
        const malformed = await context.request.get(`/viewer/studies/__proto__/audit-trail/export?format=${format}`);
        expect({ format, status: malformed.status() }).toEqual({ format, status: 400 });
        const unknown = await context.request.get(`/viewer/studies/NO-SUCH-STUDY/audit-trail/export?format=${format}`);
        expect({ format, status: unknown.status() }).toEqual({ format, status: 404 });
      }
      expect(exportsOf(await app.api.eventsAfter(before))).toHaveLength(1);
    } finally {
      await context.close();
    }
  });

  it('serves nothing when the export cannot be recorded', async () => {
    const { context } = await signIn(app, 'monitor');
    try {
      const before = await app.api.headPosition();
      faults.conflictOnAppend = true;
      let failed;
      try {
        failed = await context.request.get(`${TRAIL}/export?format=csv`);
      } finally {
        faults.conflictOnAppend = false;
      }
      expect(failed.status()).toBe(409);
      expect(failed.headers()['content-disposition']).toBeUndefined();
      expect(await failed.text()).not.toContain('recorded_at_utc');
      expect(exportsOf(await app.api.eventsAfter(before))).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it("records the API's exports too: the role is checked first, a refusal recorded, a mistyped study refused", async () => {
    const api = app.api;
    // Fresh sessions: the suite's clock has passed the inactivity limit of its first tokens.
    const bearer = async (role: 'regulator' | 'coordinator' | 'monitor'): Promise<string> =>
      `Bearer ${(await api.identity.auth.login(PASSWORDS[role].username, PASSWORDS[role].password, { source: 'api' })).token}`;
    const auth = { regulator: await bearer('regulator'), coordinator: await bearer('coordinator'), monitor: await bearer('monitor') };
    const before = await api.headPosition();
    const csv = await request(api.http).get('/api/v1/exports/audit-trail?format=csv&subject=S001').set('Authorization', auth.regulator).expect(200);
    const rows = csv.text.trim().split('\n').length - 1;
    const [trail] = exportsOf(await api.eventsAfter(before));
    expect(trail).toMatchObject({ streamId: 'exports', data: { kind: 'audit-trail', channel: 'api', studyId: null, filter: { subject: 'S001' }, throughPosition: before, role: 'regulator' } });
    expect(rows).toBeGreaterThan(3);
    const afterTrail = await api.headPosition();
    await request(api.http).get('/api/v1/exports/odm').set('Authorization', auth.coordinator).expect(403);
    expect((await api.eventsAfter(afterTrail)).map((e) => e.type)).toEqual(['AuthorizationRefused']);
    const afterRefusal = await api.headPosition();
    await request(api.http).get('/api/v1/exports/odm?study=NO-SUCH').set('Authorization', auth.monitor).expect(404);
    await request(api.http).get('/api/v1/exports/audit-trail?format=json&study=constructor').set('Authorization', auth.monitor).expect(404);
    expect(await api.eventsAfter(afterRefusal)).toEqual([]);
    const odm = await request(api.http).get(`/api/v1/exports/odm?study=${STUDY}`).set('Authorization', auth.monitor).buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      res.on('end', () => done(null, body));
    });
    expect(odm.status).toBe(200);
    const odmRecords = exportsOf(await api.eventsAfter(afterRefusal));
    expect(odmRecords.map((e) => [e.streamId, e.data.kind, e.data.format])).toEqual([[`exports-${STUDY}`, 'odm', 'xml']]);
    // The ODM file is the log through the recorded position: not its own record, nor anything after
    expect(odmRecords[0].data.throughPosition).toBe(afterRefusal);
    expect(odm.body as string).toMatch(new RegExp(`FileOID="trial-ledger\\.${STUDY}\\.P${afterRefusal}\\.`));
  });

  it('a HEAD on an export route serves nothing, so it records nothing: 405 with Allow: GET (API and viewer)', async () => {
    const api = app.api;
    const monitor = `Bearer ${(await api.identity.auth.login(PASSWORDS.monitor.username, PASSWORDS.monitor.password, { source: 'api' })).token}`;
    const before = await api.headPosition();
    for (const path of ['/api/v1/exports/audit-trail?format=csv', `/api/v1/exports/odm?study=${STUDY}`]) {
      const head = await request(api.http).head(path).set('Authorization', monitor);
      expect([path, head.status, head.headers.allow]).toEqual([path, 405, 'GET']);
    }
    const { context } = await signIn(app, 'monitor');
    try {
      const head = await context.request.head(`${TRAIL}/export?format=csv`);
      expect([head.status(), head.headers().allow]).toEqual([405, 'GET']);
      // GET still serves and records it.
      expect((await context.request.get(`${TRAIL}/export?format=csv`)).status()).toBe(200);
    } finally {
      await context.close();
    }
    expect(exportsOf(await api.eventsAfter(before)).map((e) => e.data.channel)).toEqual(['viewer']);
  });
});
