import { currentSchemaVersion, upcast } from './upcasters';

describe('event upcasters', () => {
  const v1 = { type: 'AccountLockedOut', schemaVersion: 1, data: { userId: 'u-1', username: 'ivan', failures: 5, lockedUntil: '2026-03-02T09:30:00.000Z' } };

  it('given an AccountLockedOut at schema version 1, when upcast, then failures is read as consecutiveFailures at version 2', () => {
    expect(upcast(v1)).toEqual({
      type: 'AccountLockedOut',
      schemaVersion: 2,
      data: { userId: 'u-1', username: 'ivan', consecutiveFailures: 5, lockedUntil: '2026-03-02T09:30:00.000Z' },
    });
  });

  it('leaves the stored event itself untouched (its bytes are in the hash chain)', () => {
    upcast(v1);
    expect(v1.data).toEqual({ userId: 'u-1', username: 'ivan', failures: 5, lockedUntil: '2026-03-02T09:30:00.000Z' });
  });

  it('given an event already at the current version, when upcast, then it is returned as it is', () => {
    const v2 = { type: 'AccountLockedOut', schemaVersion: 2, data: { userId: 'u-1', username: 'ivan', consecutiveFailures: 5, lockedUntil: 'x' } };
    expect(upcast(v2)).toEqual(v2);
  });

  it('writes new events at the current version: 2 for AccountLockedOut, 1 for every type without an upcaster', () => {
    expect(currentSchemaVersion('AccountLockedOut')).toBe(2);
    expect(currentSchemaVersion('DoseAdministered')).toBe(1);
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])('treats a stored type named %s as an ordinary type without upcasters', (type) => {
    const event = { type, schemaVersion: 1, data: { a: 1 } };
    expect(upcast(event)).toBe(event);
    expect(currentSchemaVersion(type)).toBe(1);
  });
});
