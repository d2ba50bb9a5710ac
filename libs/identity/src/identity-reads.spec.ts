import { IDENTITY_STREAM_ID } from '@trial-ledger/domain';
import { SqliteEventStore, type EventStore } from '@trial-ledger/event-store';
import { PASSWORDS, identityFixture } from './testing';

/** Counts how often the identity stream is read, through a proxy over a real store. */
const countingReads = (store: EventStore): { store: EventStore; reads: () => number; reset(): void } => {
  let reads = 0;
  const proxy = new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if ((property === 'readStream' || property === 'streamVersion') && args[0] === IDENTITY_STREAM_ID) reads += 1;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: proxy, reads: () => reads, reset: () => (reads = 0) };
};

describe('identity commands read the identity stream once (#10)', () => {
  it('addUser, changeRole, deactivate and reactivate each read it once: the decision and the answer come from that one read', async () => {
    const counter = countingReads(new SqliteEventStore(':memory:'));
    const f = await identityFixture({}, counter.store);
    const steps: Array<[string, () => Promise<unknown>]> = [
      ['addUser', () => f.service.users.addUser(f.admin, { username: 'nora', fullName: 'Nora New', role: 'coordinator', password: PASSWORDS.coordinator })],
      ['changeRole', () => f.service.users.changeRole(f.admin, { username: 'nora', role: 'investigator' })],
      ['deactivateUser', () => f.service.users.deactivateUser(f.admin, { username: 'nora' })],
      ['reactivateUser', () => f.service.users.reactivateUser(f.admin, { username: 'nora' })],
    ];
    const reads: Record<string, number> = {};
    for (const [name, step] of steps) {
      counter.reset();
      await step();
      reads[name] = counter.reads();
    }
    expect(reads).toEqual({ addUser: 1, changeRole: 1, deactivateUser: 1, reactivateUser: 1 });
  });

  it('the answer is the state after the command: the new role, the new status', async () => {
    const f = await identityFixture();
    await f.service.users.addUser(f.admin, { username: 'nora', fullName: 'Nora New', role: 'coordinator', password: PASSWORDS.coordinator });
    expect((await f.service.users.changeRole(f.admin, { username: 'Nora', role: 'monitor' })).role).toBe('monitor');
    expect((await f.service.users.deactivateUser(f.admin, { username: 'nora' })).status).toBe('deactivated');
  });
});
