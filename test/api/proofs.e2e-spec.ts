import request from 'supertest';
import { createCheckpoint, ensureLedgerKey, type SignedCheckpoint } from '@trial-ledger/audit';
import { eventLeafHash, verifyConsistency, verifyInclusion } from '@trial-ledger/merkle';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

const b64 = (value: string): Buffer => Buffer.from(value, 'base64');

/**
 * GET /api/v1/proofs/inclusion and /consistency over HTTP: a monitor holding a signed tree head
 * checks, with the server's answers alone, that an event is in it and that the ledger still extends it.
 */
describe('API transparency-log proofs', () => {
  let api: ApiTestApp;
  let dir: string;
  let kept: SignedCheckpoint;
  let doseEventId: string;

  beforeAll(async () => {
    api = await startApiTestApp();
    dir = mkdtempSync(join(tmpdir(), 'api-proofs-'));
    await enrolledSubject(api, 'S001');
    const dose = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S001/doses`).set('Authorization', api.auth('coordinator')).send(bodies.dose(1, '2026-03-05'));
    expect(dose.status).toBe(201);
    doseEventId = dose.body.eventIds[0];
    // The monitor keeps a signed tree head (as the server's automatic checkpoints would hand out).
    kept = await createCheckpoint(api.store, ensureLedgerKey(join(dir, 'key.pem')), join(dir, 'checkpoints.jsonl'));
    await enrolledSubject(api, 'S002');
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const get = (path: string, role: Parameters<ApiTestApp['auth']>[0], query: Record<string, string>) =>
    request(api.http).get(path).set('Authorization', api.auth(role)).query(query);

  it('given a kept tree head, the inclusion proof of an event leads to its signed root', async () => {
    const response = await get('/api/v1/proofs/inclusion', 'monitor', { eventId: doseEventId, treeSize: String(kept.position) });
    expect(response.status).toBe(200);
    const body = response.body as { event: { hash: string; globalPosition: number }; leafIndex: number; treeSize: number; rootHash: string; proof: string[] };
    expect(body).toMatchObject({ treeSize: kept.position, rootHash: kept.treeHead?.rootHash, redacted: false, event: { eventId: doseEventId, type: 'DoseAdministered' } });
    expect(verifyInclusion(body.leafIndex, kept.position, eventLeafHash(body.event.hash), body.proof.map(b64), b64(kept.treeHead?.rootHash as string))).toBe(true);
  });

  it('the consistency proof from the kept size to today verifies against the kept root', async () => {
    const response = await get('/api/v1/proofs/consistency', 'regulator', { from: String(kept.position) });
    expect(response.status).toBe(200);
    const head = await api.headPosition();
    expect(response.body).toMatchObject({ fromSize: kept.position, toSize: head, fromRoot: kept.treeHead?.rootHash });
    expect(head).toBeGreaterThan(kept.position);
    expect(verifyConsistency(kept.position, head, b64(kept.treeHead?.rootHash as string), b64(response.body.toRoot), response.body.proof.map(b64))).toBe(true);
  });

  it('sites may check consistency (hashes only) but not fetch inclusion proofs (event data); admins neither', async () => {
    expect((await get('/api/v1/proofs/consistency', 'investigator', { from: '1' })).status).toBe(200);
    expect((await get('/api/v1/proofs/inclusion', 'investigator', { eventId: doseEventId })).status).toBe(403);
    expect((await get('/api/v1/proofs/inclusion', 'admin', { eventId: doseEventId })).status).toBe(403);
    expect((await get('/api/v1/proofs/consistency', 'admin', { from: '1' })).status).toBe(403);
    expect((await request(api.http).get('/api/v1/proofs/consistency').query({ from: '1' })).status).toBe(401);
  });

  it.each([
    [{ eventId: '__proto__' }, 400, 'VALIDATION.FAILED'],
    [{ eventId: '../../etc/passwd' }, 400, 'VALIDATION.FAILED'],
    [{ eventId: '01a22dd6-fe18-76f7-92af-4bce2f8b6672' }, 404, 'PROOF.EVENT_NOT_FOUND'],
    [{ eventId: 'DOSE', treeSize: '0' }, 400, 'VALIDATION.FAILED'],
    [{ eventId: 'DOSE', treeSize: '1' }, 400, 'PROOF.NOT_IN_TREE'],
    [{ eventId: 'DOSE', treeSize: '999999' }, 400, 'PROOF.BEYOND_HEAD'],
    [{ eventId: 'DOSE', treeSize: '1e3' }, 400, 'VALIDATION.FAILED'],
  ])('inclusion refuses %j with %d %s, writing nothing', async (query, status, code) => {
    const head = await api.headPosition();
    const q = Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v === 'DOSE' ? doseEventId : v]));
    const response = await get('/api/v1/proofs/inclusion', 'monitor', q);
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(await api.headPosition()).toBe(head);
  });

  it.each([
    [{}, 400, 'VALIDATION.FAILED'],
    [{ from: '0' }, 400, 'VALIDATION.FAILED'],
    [{ from: 'constructor' }, 400, 'VALIDATION.FAILED'],
    [{ from: '1e3' }, 400, 'VALIDATION.FAILED'],
    [{ from: '5', to: '4' }, 400, 'PROOF.INVALID_RANGE'],
    [{ from: '1', to: '999999' }, 400, 'PROOF.BEYOND_HEAD'],
  ])('consistency refuses %j with %d %s', async (query, status, code) => {
    const response = await get('/api/v1/proofs/consistency', 'monitor', query);
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
  });
});
