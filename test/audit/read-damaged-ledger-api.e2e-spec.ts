import request from 'supertest';
import { LedgerIntegrityWatch } from '@trial-ledger/audit';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

const HEADER = 'ledger-integrity';

/**
 * A value edited in the SQLite file under a running server (triggers dropped, hash left as it was), and the
 * damage found by the server (`serve`'s checkpoint verifier reports it to the watch that turns /health red):
 * from then on every answer says so — a `Ledger-Integrity` header with `LEDGER.TAMPERED` and, to a signed-in
 * caller, the first damaged position; on every viewer page a banner. Before the damage is known, nothing.
 */
describe('API and viewer answers from a ledger the server found damaged', () => {
  let api: ApiTestApp;
  let watch: LedgerIntegrityWatch;
  let edited: number;
  const asMonitor = (path: string) => request(api.http).get(path).set('Authorization', api.auth('monitor'));
  const page = (path: string) => request(api.http).get(path).set('Cookie', `tl_viewer_session=${api.tokens.monitor}`);
  const READS = [
    `/api/v1/studies/${STUDY}/subjects/S001/casebook`,
    `/api/v1/studies/${STUDY}/overview`,
    `/api/v1/studies/${STUDY}/pfs`,
    '/api/v1/audit-trail?subject=S001',
  ];
  const PAGES = [`/viewer/studies/${STUDY}`, `/viewer/studies/${STUDY}/subjects/S001`, `/viewer/studies/${STUDY}/audit-trail`, '/viewer', '/viewer/password'];

  beforeAll(async () => {
    watch = new LedgerIntegrityWatch();
    api = await startApiTestApp({ ledgerIntegrity: watch });
    await enrolledSubject(api, 'S001');
    const screened = (await api.eventsAfter(0)).find((e) => e.type === 'SubjectScreened');
    if (!screened) throw new Error('no SubjectScreened in the fixture');
    edited = screened.globalPosition;
  });
  afterAll(async () => api.close());

  it('an intact ledger: no header, no banner', async () => {
    for (const path of READS) expect((await asMonitor(path).expect(200)).headers[HEADER]).toBeUndefined();
    for (const path of PAGES) {
      const response = await page(path).expect(200);
      expect(response.headers[HEADER]).toBeUndefined();
      expect(response.text).not.toContain('LEDGER.TAMPERED');
    }
  });

  describe('once the damage is found', () => {
    beforeAll(() => {
      const attacker = new SqliteAttacker(api.store.filename);
      expect(attacker.exec(`UPDATE events SET data = replace(data, '"birthYear":', '"birthYear":1') WHERE global_position = ?`, edited)).toBe(1);
      attacker.close();
      watch.report(edited, 'content-altered: the stored event no longer matches its hash');
    });

    it.each(READS)('GET %s says so in its Ledger-Integrity header, with the position', async (path) => {
      const response = await asMonitor(path).expect(200);
      expect(response.headers[HEADER]).toBe(`damaged; code="LEDGER.TAMPERED"; position=${edited}`);
    });

    it('a refusal and an unauthenticated answer carry the code without the position', async () => {
      const refused = await request(api.http).get(`/api/v1/studies/${STUDY}/overview`).expect(401);
      expect(refused.headers[HEADER]).toBe('damaged; code="LEDGER.TAMPERED"');
      const login = await request(api.http).get('/viewer/login').expect(200);
      expect(login.headers[HEADER]).toBe('damaged; code="LEDGER.TAMPERED"');
      expect(login.text).toContain('LEDGER.TAMPERED');
      expect(login.text).not.toContain(`position ${edited}`);
    });

    it.each(PAGES)('the viewer page %s shows a banner naming the position', async (path) => {
      const response = await page(path).expect(200);
      expect(response.headers[HEADER]).toBe(`damaged; code="LEDGER.TAMPERED"; position=${edited}`);
      expect(response.text).toMatch(new RegExp(`<p class="damage" role="alert"><strong>Ledger damaged:</strong> [^<]*position ${edited}[^<]*LEDGER\\.TAMPERED`));
    });

    it('/health is red with the same code', async () => {
      const health = await request(api.http).get('/health').expect(503);
      expect(health.body).toMatchObject({ code: 'LEDGER.TAMPERED' });
    });
  });
});
