import type { StoredEvent } from '../event-envelope';
import { IdempotencyKeyReusedError } from '../event-store.errors';
import { answerRepeat, deriveEarlierRequest } from './idempotent-repeat';

/** A stored event as far as the derivation reads it. */
const stored = (globalPosition: number, streamId: string, streamVersion: number, key: string | null, userId: string, requestHash?: string): StoredEvent => ({
  eventId: `e-${globalPosition}`,
  type: 'T',
  schemaVersion: 1,
  streamId,
  streamVersion,
  globalPosition,
  data: {},
  metadata: {
    actor: { userId, username: userId, fullName: userId, role: 'coordinator' },
    reason: null,
    correlationId: 'c',
    causationId: null,
    idempotencyKey: key,
    ...(requestHash === undefined ? {} : { requestHash }),
    source: 'api',
    protocolVersion: 1,
    recordedAt: `2026-01-01T00:00:0${globalPosition}.000Z`,
  },
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
});

describe('deriveEarlierRequest: the idempotency record from the chained events alone', () => {
  it('given the events of one append, then it is their ids, each stream\'s last version, the last position and the fingerprint', () => {
    const earlier = deriveEarlierRequest('k', 'u1', [stored(4, 'a', 2, 'k', 'u1', 'h'), stored(5, 'b', 1, 'k', 'u1', 'h'), stored(6, 'b', 2, 'k', 'u1', 'h')]);
    expect(earlier?.record).toEqual({
      key: 'k', userId: 'u1', requestHash: 'h', eventIds: ['e-4', 'e-5', 'e-6'], streamVersions: { a: 2, b: 2 }, lastPosition: 6, recordedAt: '2026-01-01T00:00:04.000Z',
    });
  });

  it('given candidates an altered index points at, then only events whose own metadata carries the key and the user count', () => {
    const candidates = [stored(1, 'a', 1, 'other', 'u1', 'h'), stored(2, 'a', 2, 'k', 'u2', 'h'), stored(3, 'c', 1, 'k', 'u1', 'h')];
    expect(deriveEarlierRequest('k', 'u1', candidates)?.record.eventIds).toEqual(['e-3']);
    expect(deriveEarlierRequest('k', 'u2', candidates)?.record.eventIds).toEqual(['e-2']);
    expect(deriveEarlierRequest('k', 'u3', candidates)).toBeNull();
  });

  it('given the key on two separate appends, then the record is the first append (a gapless run of positions)', () => {
    const earlier = deriveEarlierRequest('k', 'u1', [stored(9, 'a', 3, 'k', 'u1', 'h'), stored(2, 'a', 1, 'k', 'u1', 'h'), stored(3, 'a', 2, 'k', 'u1', 'h')]);
    expect(earlier?.record).toMatchObject({ eventIds: ['e-2', 'e-3'], lastPosition: 3, streamVersions: { a: 2 } });
  });

  it('given events recorded before the fingerprint was kept, then the key binds alone; with a fingerprint another body is refused', () => {
    const old = deriveEarlierRequest('k', 'u1', [stored(1, 'a', 1, 'k', 'u1')]);
    expect(old?.record.requestHash).toBeNull();
    expect(answerRepeat(old!, 'any')).toMatchObject({ repeated: true, lastPosition: 1 });
    const kept = deriveEarlierRequest('k', 'u1', [stored(1, 'a', 1, 'k', 'u1', 'h')]);
    expect(() => answerRepeat(kept!, 'other')).toThrow(IdempotencyKeyReusedError);
  });
});
