import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createCheckpoint, ensureLedgerKey, type LedgerSigningKey } from '@trial-ledger/audit';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/**
 * The last event deleted from the SQLite file behind a signed checkpoint while the server runs: the chain of
 * what is left is intact, only the checkpoint shows the damage. The API's and the viewer's exports check the
 * server's signed checkpoints after the chain, as the CLI's do, and make no copy of it.
 */
describe('API and viewer exports of a ledger whose last event was deleted behind a signed checkpoint', () => {
  let api: ApiTestApp;
  let keys: string;
  let key: LedgerSigningKey;
  let head: number;

  beforeAll(async () => {
    keys = mkdtempSync(join(tmpdir(), 'trial-ledger-keys-'));
    key = ensureLedgerKey(join(keys, 'ledger.key.pem'));
    const checkpointFile = join(keys, 'ledger.checkpoints.jsonl');
    api = await startApiTestApp({ signedCheckpoints: { checkpointFile, publicKey: key.publicKey } });
    await enrolledSubject(api, 'S001');
    await createCheckpoint(api.store, key, checkpointFile);
    head = await api.headPosition();
    const attacker = new SqliteAttacker(api.store.filename);
    expect(attacker.exec('DELETE FROM events WHERE global_position = ?', head)).toBe(1);
    attacker.close();
  });
  afterAll(async () => {
    await api.close();
    rmSync(keys, { recursive: true, force: true });
  });

  it.each([
    ['GET /api/v1/exports/odm', '/api/v1/exports/odm', (r: request.Test) => r.set('Authorization', api.auth('monitor'))],
    ['GET /api/v1/exports/audit-trail', '/api/v1/exports/audit-trail?format=csv', (r: request.Test) => r.set('Authorization', api.auth('monitor'))],
  ])('%s answers 409 LEDGER.TAMPERED (truncated) and records nothing', async (_name, path, as) => {
    const before = (await api.eventsAfter(0)).length;
    const response = await as(request(api.http).get(path));
    expect(response.status).toBe(409);
    expect(response.body).toMatchObject({ code: 'LEDGER.TAMPERED', detail: expect.stringContaining(`LEDGER DAMAGED at position ${head}: truncated`) });
    expect((await api.eventsAfter(0)).length).toBe(before);
  });

  it('the viewer\'s audit-trail download answers 409 LEDGER.TAMPERED and records nothing', async () => {
    const before = (await api.eventsAfter(0)).length;
    const response = await request(api.http).get(`/viewer/studies/${STUDY}/audit-trail/export?format=csv`).set('Cookie', `tl_viewer_session=${api.tokens.monitor}`);
    expect(response.status).toBe(409);
    expect(response.text).toContain('LEDGER.TAMPERED');
    expect((await api.eventsAfter(0)).length).toBe(before);
  });
});
