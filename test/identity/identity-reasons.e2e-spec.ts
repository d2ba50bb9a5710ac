import request from 'supertest';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';
import { cli, PASSWORD, seedUsers, tempDir } from '../cli/cli-harness';

const ESCAPE = 'left the site \u001b[2K\u001b[1Agranted by the sponsor';
const OVERRIDE = 'approved \u202Eby mistake';

/**
 * The reason an administrator gives for a change to an account is recorded with the event and printed
 * in every trail, like the reason of a correction or a study lock, which refuse control and
 * bidirectional-override characters. Before, these reasons took anything: an escape sequence that
 * rewrites the auditor's terminal line, an override that makes the reason read as other words.
 */
describe('reasons for changes to accounts follow the free-text rule', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(() => api.close());

  const routes: ReadonlyArray<[string, object]> = [
    ['/api/v1/users/cora/role', { role: 'investigator' }],
    ['/api/v1/users/cora/deactivate', {}],
    ['/api/v1/users/rex/reactivate', {}],
    ['/api/v1/users/mona/password-reset', { newPassword: 'a fresh temporary passphrase 9' }],
  ];

  it.each(routes.flatMap(([path, body]) => [ESCAPE, OVERRIDE].map((reason) => [path, body, reason] as const)))(
    'POST %s (body %j) with reason %j: 400 VALIDATION.UNPRINTABLE_CHARACTER, nothing written',
    async (path, body, reason) => {
      const before = await api.headPosition();
      const response = await request(api.http).post(path).set('Authorization', api.auth('admin')).send({ ...body, reason });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION.UNPRINTABLE_CHARACTER', field: 'reason' });
      expect(await api.eventsAfter(before)).toEqual([]);
    },
  );

  it.each(routes.flatMap(([path, body]) => ['\u200b\u200b', '   ', '\u3164', ''].map((reason) => [path, body, reason] as const)))(
    'POST %s (body %j) with the blank reason %j: 400 VALIDATION.REQUIRED (a reason, when given, shows something), nothing written',
    async (path, body, reason) => {
      const before = await api.headPosition();
      const response = await request(api.http).post(path).set('Authorization', api.auth('admin')).send({ ...body, reason });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION.REQUIRED', field: 'reason' });
      expect(await api.eventsAfter(before)).toEqual([]);
    },
  );

  it('the CLI too: users set-role with such a reason, or one longer than 500 characters, exits 1 and records nothing', async () => {
    const dir = tempDir();
    try {
      const store = `sqlite:${dir.path}/ledger.sqlite`;
      await seedUsers(store);
      const head = async (): Promise<number> => (JSON.parse((await cli(['--store', store, '--json', 'verify'])).stdout) as { headPosition: number }).headPosition;
      const before = await head();
      const unprintable = await cli(['--store', store, '--as', 'admin', 'users', 'set-role', 'cora', 'investigator', '--reason', OVERRIDE], { TRIAL_LEDGER_PASSWORD: PASSWORD });
      expect(unprintable.status).toBe(1);
      expect(unprintable.stderr).toContain('[VALIDATION.UNPRINTABLE_CHARACTER]');
      const long = await cli(['--store', store, '--as', 'admin', 'users', 'set-role', 'cora', 'investigator', '--reason', 'x'.repeat(501)], { TRIAL_LEDGER_PASSWORD: PASSWORD });
      expect(long.status).toBe(1);
      expect(long.stderr).toContain('[VALIDATION.TOO_LONG]');
      // Each run authenticated its user (LoginSucceeded, purpose cli) and recorded nothing else.
      const after = await head();
      expect(after - before).toBe(2);
    } finally {
      dir.remove();
    }
  });
});
