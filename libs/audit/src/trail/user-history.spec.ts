import type { Actor } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { userHistoryPage } from './user-history';

const ADA: Actor = { userId: 'u-ada', username: 'ada', fullName: 'Ada Admin', role: 'admin' };
const IVAN: Actor = { userId: 'u-ivan', username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator' };

const STREAMS = ['identity', 'account-policy'];
const SYSTEM: Actor = { userId: 'system', username: 'system', fullName: 'trial-ledger system', role: 'admin' };

const stored = (streamVersion: number, type: string, data: Record<string, unknown>, actor: Actor = ADA, streamId = 'identity', globalPosition = streamVersion * 10): StoredEvent => ({
  eventId: `${streamId}-${streamVersion}`,
  type,
  schemaVersion: 1,
  streamId,
  streamVersion,
  globalPosition,
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
/** A policy change recorded between identity versions 2 and 3, and a stream the history does not include. */
const POLICY = stored(1, 'AccountPolicyChanged', { before: null, after: { lockoutMinutes: 30 }, changed: ['lockoutMinutes'] }, SYSTEM, 'account-policy', 25);
const OTHER = stored(1, 'StudyRegistered', { studyId: 'S' }, ADA, 'study-S', 26);

describe('userHistoryPage: the identity and account-policy streams as the history of user management', () => {
  it('redacts password hashes and any field named as a secret, and names the actor in words', () => {
    const page = userHistoryPage(STREAMS, EVENTS, {}, 'monitor');
    expect(JSON.stringify(page)).not.toContain('$scrypt$');
    expect(page.events[3].data).toMatchObject({ passwordHash: '[redacted]', resetToken: '[redacted]' });
    expect(page.events.map((e) => e.recordedBy)).toEqual(['Ada Admin (ada, admin)', ...Array(3).fill('Dr Ivan Investigator (ivan, investigator)')]);
    expect(page.events[1].data.subjectId).toBe('S042');
  });

  it('gives the administrator no subject id: not the refused signature\'s, not a refused path\'s', () => {
    const page = userHistoryPage(STREAMS, EVENTS, {}, 'admin');
    expect(JSON.stringify(page)).not.toContain('S042');
    expect(page.events[1].data).not.toHaveProperty('subjectId');
    expect(page.events[1].data.studyId).toBe('LANR-HGNET-01');
    expect(page.events[2].data.action).toBe('GET /api/v1/studies/LANR-HGNET-01/subjects/:subjectId/signatures');
  });

  it('gives the administrator no subject id from a refused path that spelt "subjects" with percent-escapes (the router decodes them)', () => {
    const refused = stored(5, 'AuthorizationRefused', { userId: 'u-ivan', username: 'ivan', role: 'investigator', action: 'POST /api/v1/studies/LANR-HGNET-01/%73ubjects/S043/signatures', allowedRoles: ['monitor'], at: 'x' }, IVAN);
    const page = userHistoryPage(STREAMS, [...EVENTS, refused], {}, 'admin');
    expect(JSON.stringify(page)).not.toContain('S043');
    expect(page.events[4].data.action).toBe('POST /api/v1/studies/LANR-HGNET-01/%73ubjects/:subjectId/signatures');
    expect(userHistoryPage(STREAMS, [...EVENTS, refused], {}, 'monitor').events[4].data.action).toContain('S043');
  });

  it('merges the account-policy stream in log order, and only the streams named', () => {
    const page = userHistoryPage(STREAMS, [...EVENTS, OTHER, POLICY], {}, 'admin');
    expect(page.events.map((e) => [e.streamId, e.streamVersion, e.globalPosition])).toEqual([
      ['identity', 1, 10], ['identity', 2, 20], ['account-policy', 1, 25], ['identity', 3, 30], ['identity', 4, 40],
    ]);
    expect(page.events[2]).toMatchObject({ type: 'AccountPolicyChanged', recordedBy: 'trial-ledger system (system, admin)', data: { changed: ['lockoutMinutes'] } });
    expect(page).toMatchObject({ streamIds: STREAMS, position: 40, nextAfterPosition: null });
  });

  it('pages after a log position and filters by username', () => {
    const events = [...EVENTS, POLICY];
    expect(userHistoryPage(STREAMS, events, { limit: 2 }, 'admin')).toMatchObject({ position: 40, nextAfterPosition: 20 });
    expect(userHistoryPage(STREAMS, events, { afterPosition: 20, limit: 2 }, 'admin')).toMatchObject({ nextAfterPosition: 30 });
    expect(userHistoryPage(STREAMS, events, { afterPosition: 30, limit: 2 }, 'admin')).toMatchObject({ nextAfterPosition: null });
    expect(userHistoryPage(STREAMS, EVENTS, { username: 'ADA' }, 'admin').events.map((e) => e.streamVersion)).toEqual([1]);
    expect(userHistoryPage(STREAMS, EVENTS, { username: 'ivan' }, 'admin').events.map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
  });

  it("keeps, for a username, a refused signature that named that user as the signer (an attempt to sign in their name)", () => {
    const mismatch = stored(5, 'SignatureFailed', { userId: 'u-ivan', username: 'ivan', attemptedSigner: 'kira', studyId: 'LANR-HGNET-01', subjectId: 'S042', reason: 'signer-mismatch', consecutiveFailures: 0, ip: null, at: 'x' }, IVAN);
    expect(userHistoryPage(STREAMS, [...EVENTS, mismatch], { username: 'kira' }, 'monitor').events.map((e) => e.streamVersion)).toEqual([5]);
  });
});
