import request from 'supertest';
import type { Role } from '@trial-ledger/domain';
import { enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * Idempotency keys belong to the user who sent them (Stripe-style): the same key from another user
 * is another key, so nobody can obtain — or have attributed to them — someone else's outcome by
 * repeating their `Idempotency-Key`.
 */
describe('API: idempotency keys are scoped to the acting user', () => {
  let api: ApiTestApp;
  const adverseEvents = `/api/v1/studies/${STUDY}/subjects/S001/adverse-events`;
  const ae = { term: 'injection-site pain', onsetDate: '2026-03-07', ctcaeGrade: 1, serious: false, relatedness: 'related' };
  const post = (role: Role, body: object, key: string) =>
    request(api.http).post(adverseEvents).set('Authorization', api.auth(role)).set('Idempotency-Key', key).send(body);

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  it('given a key the coordinator used, when the investigator sends the same key and body, then the investigator gets an outcome of their own', async () => {
    const first = await post('coordinator', ae, 'shared-0001').expect(201);

    const second = await post('investigator', ae, 'shared-0001').expect(201);

    expect(second.headers['idempotent-replayed']).toBeUndefined();
    expect(second.body.eventIds).not.toEqual(first.body.eventIds);
    const recorded = await api.store.getEvent(second.body.eventIds[0]);
    expect(recorded?.metadata).toMatchObject({ idempotencyKey: 'shared-0001', actor: { username: 'ivan' } });
    expect((await api.store.getEvent(first.body.eventIds[0]))?.metadata.actor.username).toBe('cora');
    // and each user's own retry answers that user's own first outcome
    const again = await post('investigator', ae, 'shared-0001').expect(201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(second.body);
    const coordinatorAgain = await post('coordinator', ae, 'shared-0001').expect(201);
    expect(coordinatorAgain.body).toEqual(first.body);
  });

  it('given a key another user used with another body, then it is not refused as reused: it is a different key', async () => {
    await post('coordinator', { ...ae, term: 'nausea' }, 'shared-0002').expect(201);
    const head = await api.headPosition();

    const mine = await post('investigator', { ...ae, term: 'fatigue' }, 'shared-0002').expect(201);

    expect(mine.headers['idempotent-replayed']).toBeUndefined();
    expect(await api.headPosition()).toBeGreaterThan(head);
  });

  it('given a key the coordinator used, when a monitor repeats it, then the monitor is refused (403) and nothing is written', async () => {
    await post('coordinator', ae, 'shared-0003').expect(201);
    const head = await api.headPosition();

    const refused = await post('monitor', ae, 'shared-0003');

    expect({ status: refused.status, code: refused.body.code }).toEqual({ status: 403, code: 'AUTH.ROLE_NOT_ALLOWED' });
    expect(refused.headers['idempotent-replayed']).toBeUndefined();
    const after = await api.eventsAfter(head);
    expect(after.map((e) => e.type)).toEqual(['AuthorizationRefused']);
  });
});
