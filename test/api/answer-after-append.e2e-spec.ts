import request from 'supertest';
import type { AppendResult, EventStore, StoredEvent } from '@trial-ledger/event-store';
import { bodies, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

/**
 * The store appends for real, then hands back events whose `type` cannot be read: whatever builds
 * the HTTP answer after the append fails, as a bug in a response mapper would.
 */
const unreadableAfterAppend = (broken: { on: boolean }) => (store: EventStore): EventStore =>
  new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (property !== 'append' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]): Promise<AppendResult> => {
        const result = (await (value as (...a: unknown[]) => Promise<AppendResult>).apply(target, args)) as AppendResult;
        if (!broken.on) return result;
        const poison = (event: StoredEvent): StoredEvent =>
          new Proxy(event, { get: (e, p, r) => (p === 'type' ? (() => { throw new Error('response mapper bug (injected)'); })() : Reflect.get(e, p, r)) });
        return { ...result, events: result.events.map(poison) };
      };
    },
  });

describe('Nothing after a successful append turns the answer into "nothing was written" (#11)', () => {
  const broken = { on: false };
  let api: ApiTestApp;

  beforeAll(async () => {
    api = await startApiTestApp({ wrapStore: unreadableAfterAppend(broken) });
    await request(api.http).post('/api/v1/studies').set('Authorization', api.auth('admin')).send({}).expect(201);
  });
  afterAll(() => api.close());

  it('a command whose answer fails after the append answers 201 with the ids of the events it recorded', async () => {
    const before = await api.headPosition();
    broken.on = true;
    const response = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects`).set('Authorization', api.auth('coordinator')).send(bodies.screen('S900'));
    broken.on = false;
    const written = await api.eventsAfter(before);
    expect(written.map((e) => e.type)).toEqual(['SubjectScreened']);
    expect(response.status).toBe(201);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({ recorded: true, eventIds: written.map((e) => e.eventId) });
    expect(JSON.stringify(response.body)).not.toMatch(/nothing was written/);
  });

  it('the same failure before any append is still a refusal that writes nothing', async () => {
    const before = await api.headPosition();
    const response = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects`).set('Authorization', api.auth('coordinator')).send({ ...bodies.screen('S901'), sex: 'X' });
    expect([response.status, response.body.code]).toEqual([400, 'VALIDATION.FAILED']);
    expect(await api.eventsAfter(before)).toEqual([]);
  });
});
