import { existsSync } from 'node:fs';
import request from 'supertest';
import { SYSTEM_ACTOR } from '@trial-ledger/domain';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';
import { cli, tempDir } from '../cli/cli-harness';

const PASSWORD = 'reserved names passphrase 7';

/**
 * The ledger records its own acts (the account policy at server start, queries opened for detected
 * deviations) as the system actor, username "system". A person given that username would be printed as
 * the ledger itself in every audit trail and export — one printed user for two identities. It is refused
 * in every spelling the username rule folds to it, and nothing is written.
 */
describe('the username of the system actor is reserved', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(() => api.close());

  it.each([SYSTEM_ACTOR.username, 'SYSTEM', 'System'])('POST /api/v1/users %j: 400 IDENTITY.USERNAME_RESERVED, nothing written', async (username) => {
    const before = await api.headPosition();
    const response = await request(api.http)
      .post('/api/v1/users')
      .set('Authorization', api.auth('admin'))
      .send({ username, fullName: 'trial-ledger system', role: 'admin', password: PASSWORD });
    expect(response.status).toBe(400);
    expect(response.body.code).toBe('IDENTITY.USERNAME_RESERVED');
    expect(await api.eventsAfter(before)).toEqual([]);
  });

  it('users create-admin --username system: refused as a wrong command line, exit 2, before any ledger is created', async () => {
    const dir = tempDir();
    try {
      const store = `sqlite:${dir.path}/empty.sqlite`;
      const run = await cli(['--store', store, 'users', 'create-admin', '--username', 'system', '--full-name', 'Sys Admin'], { TRIAL_LEDGER_PASSWORD: PASSWORD });
      expect(run.status).toBe(2);
      expect(run.stderr).toContain('[IDENTITY.USERNAME_RESERVED]');
      expect(existsSync(`${dir.path}/empty.sqlite`)).toBe(false);
    } finally {
      dir.remove();
    }
  });
});
