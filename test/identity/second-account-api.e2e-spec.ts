import request from 'supertest';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/**
 * One person, one account (Part 11 §11.100(a)): an administrator adding an account under the printed name of an
 * active one gets 409 IDENTITY.FULL_NAME_IN_USE and nothing is written — else the coordinator "Cora Coordinator"
 * could hold a monitor account as well and verify her own entries. Another person of the same name is added
 * with a reason saying so, recorded with the account.
 */
describe('POST /api/v1/users under the printed name of an active account', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
  });
  afterAll(async () => api.close());
  const add = (body: object) => request(api.http).post('/api/v1/users').set('Authorization', api.auth('admin')).send({ role: 'monitor', password: 'temporary passphrase 0042', ...body });

  it('is 409 IDENTITY.FULL_NAME_IN_USE naming the account, and nothing is written', async () => {
    const head = await api.headPosition();
    const response = await add({ username: 'cora.mon', fullName: ' cora   COORDINATOR' }).expect(409);
    expect(response.body).toMatchObject({ code: 'IDENTITY.FULL_NAME_IN_USE', username: 'cora', fullName: 'Cora Coordinator' });
    expect(await api.eventsAfter(head)).toEqual([]);
  });

  it('with a reason, the account is created and the reason recorded with it', async () => {
    await add({ username: 'cora.b', fullName: 'Cora Coordinator', reason: 'another person: Cora Coordinator of site 2' }).expect(201);
    const created = (await api.eventsAfter(0)).find((e) => e.type === 'UserCreated' && e.data.username === 'cora.b');
    expect(created?.metadata.reason).toBe('another person: Cora Coordinator of site 2');
  });
});
