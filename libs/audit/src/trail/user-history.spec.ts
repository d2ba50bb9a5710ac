import type { Actor } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { userHistoryPage } from './user-history';

const ADA: Actor = { userId: 'u-ada', username: 'ada', fullName: 'Ada Admin', role: 'admin' };
const IVAN: Actor = { userId: 'u-ivan', username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator' };

const stored = (streamVersion: number, type: string, data: Record<string, unknown>, actor: Actor = ADA): StoredEvent => ({
  eventId: `e-${streamVersion}`,
  type,
  schemaVersion: 1,
  streamId: 'identity',
  streamVersion,
  globalPosition: streamVersion * 10,
  data,
  metadata: { actor, reason: null, correlationId: 'c', causationId: null, idempotencyKey: null, source: 'api', protocolVersion: null, recordedAt: '2026-09-01T09:00:00.000Z' },
  prevHash: '0'.repeat(64),
  hash: 'f'.repeat(64),
});

const EVENTS = [
  stored(1, 'UserCreated', { userId: 'u-ivan', username: 'ivan', fullName: IVAN.fullName, role: 'investigator', passwordHash: '$scrypt$ln=15,r=8,p=1$c2FsdA$SECRET', createdAt: 'x', bootstrap: false }),
  stored(2, 'SignatureFailed', { userId: 'u-ivan', username: 'ivan', attemptedSigner: 'ivan', studyId: 'LANR-HGNET-01', subjectId: 'S042', reason: 'wrong-password', consecutiveFailures: 1, ip: null, at: 'x' }, IVAN),
  stored(3, 'AuthorizationRefused', { userId: 'u-ivan', username: 'ivan', role: 'investigator', action: 'GET /api/v1/studies/LANR-HGNET-01/subjects/S042/signatures', allowedRoles: ['monitor'], at: 'x' }, IVAN),
  stored(4, 'PasswordChanged', { userId: 'u-ivan', username: 'ivan', passwordHash: '$scrypt$other', changedAt: 'x', mustChange: false, resetToken: 'tok' }, IVAN),
];

describe('userHistoryPage: the identity stream as the history of user management', () => {
  it('redacts password hashes and any field named as a secret, and names the actor in words', () => {
    const page = userHistoryPage('identity', EVENTS, {}, 'monitor');
    expect(JSON.stringify(page)).not.toContain('$scrypt$');
    expect(page.events[3].data).toMatchObject({ passwordHash: '[redacted]', resetToken: '[redacted]' });
    expect(page.events.map((e) => e.recordedBy)).toEqual(['Ada Admin (ada, admin)', ...Array(3).fill('Dr Ivan Investigator (ivan, investigator)')]);
    expect(page.events[1].data.subjectId).toBe('S042');
  });

  it('gives the administrator no subject id: not the refused signature\'s, not a refused path\'s', () => {
    const page = userHistoryPage('identity', EVENTS, {}, 'admin');
    expect(JSON.stringify(page)).not.toContain('S042');
    expect(page.events[1].data).not.toHaveProperty('subjectId');
    expect(page.events[1].data.studyId).toBe('LANR-HGNET-01');
    expect(page.events[2].data.action).toBe('GET /api/v1/studies/LANR-HGNET-01/subjects/:subjectId/signatures');
  });

  it('pages after a stream version and filters by username', () => {
    expect(userHistoryPage('identity', EVENTS, { limit: 2 }, 'admin')).toMatchObject({ streamVersion: 4, nextAfterVersion: 2 });
    expect(userHistoryPage('identity', EVENTS, { afterVersion: 2, limit: 2 }, 'admin')).toMatchObject({ nextAfterVersion: null });
    expect(userHistoryPage('identity', EVENTS, { username: 'ADA' }, 'admin').events.map((e) => e.streamVersion)).toEqual([1]);
    expect(userHistoryPage('identity', EVENTS, { username: 'ivan' }, 'admin').events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
  });
});
