import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reviewAuditTrail, type AuditTrailReview } from '@trial-ledger/audit';
import { SqliteAttacker } from '../../libs/audit/src/testing/sqlite-attacker';
import { executeCommand } from '@trial-ledger/command-pipeline';
import { subjectStreamId } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { subjectCommand } from '../../libs/domain/src/subject/testing/subject.fixtures';
import { buildReviewScenario } from './support/review-scenario';

const findingsOf = (review: AuditTrailReview, id: string) => review.indicators.find((i) => i.id === id)?.findings ?? [];

describe('audit-trail review: access signals and trail integrity', () => {
  let dir: string;
  let file: string;
  let clock: FixedClock;
  let store: SqliteEventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'tl-review-signals-'));
    file = join(dir, 'ledger.sqlite');
    clock = new FixedClock('2026-01-01T00:00:00.000Z');
    store = new SqliteEventStore(file, { clock });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given refusals, a lockout, a role change beside edits, a reset followed by signing and a deactivated account still writing, then each is an access finding naming its events', async () => {
    const { identity, actors, checkpoints, publicKey } = await buildReviewScenario(store, clock, dir, false);
    const { ada, cora } = actors;
    clock.set('2026-03-31T09:00:00.000Z');
    await identity.authorization.recordRefusal(cora, 'POST /api/v1/users', ['admin']);
    await identity.users.addUser(ada, { username: 'mona', fullName: 'Mona Monitor', role: 'monitor', password: 'monitor passphrase 0001' });
    for (let i = 0; i < 5; i += 1) await identity.auth.login('mona', 'guessing the passphrase', { source: 'api' }).catch(() => undefined);
    clock.advance(60_000);
    const ae = await executeCommand(store, subjectCommand('ReportAdverseEvent', { term: 'headache', onsetDate: '2026-03-31', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, 'S002'), { actor: cora, source: 'api' }, { clock });
    clock.advance(20 * 60_000);
    await identity.users.changeRole(ada, { username: 'cora', role: 'investigator', reason: 'promoted to sub-investigator' });
    clock.advance(60_000);
    await identity.users.resetPassword(ada, { username: 'ivan', newPassword: 'temporary passphrase 01' });
    clock.advance(60_000);
    await identity.auth.changePassword({ username: 'ivan', currentPassword: 'temporary passphrase 01', newPassword: 'a brand new passphrase 7' }, { source: 'api' });
    clock.advance(60_000);
    const ivan = await identity.auth.verifyPassword('ivan', 'a brand new passphrase 7', 'cli');
    const signed = await identity.signatures.sign(ivan, { username: 'ivan', password: 'a brand new passphrase 7', meaning: 'approval', studyId: 'LANR-HGNET-01', subjectId: 'S002', scope: 'casebook', expectedVersion: await store.streamVersion(subjectStreamId('LANR-HGNET-01', 'S002')) });
    clock.advance(120 * 60_000);
    await identity.users.deactivateUser(ada, { username: 'cora', reason: 'left the site' });
    clock.advance(60_000);
    const late = await executeCommand(store, subjectCommand('ReportAdverseEvent', { term: 'rash', onsetDate: '2026-03-31', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, 'S002'), { actor: cora, source: 'import' }, { clock });

    const review = await reviewAuditTrail(store, { checkpoints, publicKey });

    const access = findingsOf(review, 'access');
    expect(access.map((f) => f.summary)).toEqual([
      '5 failed password entries for mona (threshold 3)',
      'account mona locked out after 5 failures',
      '1 refused request(s) by cora: POST /api/v1/users',
      'role of cora changed coordinator → investigator by ada within 60 minutes of 1 clinical write(s) of theirs',
      'ivan: password reset by ada, changed by the user and used to sign within 60 minutes',
      '1 event(s) by cora after the account was deactivated by ada',
    ]);
    expect(access[3].eventIds).toContain(ae.events[0].eventId);
    expect(access[4].eventIds).toContain(signed.signatureEventId);
    expect(access[5].eventIds).toContain(late.events[0].eventId);
    expect(review.indicators.filter((i) => i.id !== 'access' && i.findings.length > 0).map((i) => i.id)).toEqual([]);
  });

  it('given an account created, with a reason, under the printed name of an active account, then it is an access finding naming both accounts and the reason', async () => {
    const { identity, actors, checkpoints, publicKey } = await buildReviewScenario(store, clock, dir, false);
    clock.set('2026-03-31T09:00:00.000Z');
    await identity.users.addUser(actors.ada, { username: 'ivan.mon', fullName: 'dr ivan  INVESTIGATOR', role: 'monitor', password: 'monitor passphrase 0001', reason: 'another person: the monitor of site 2' });
    // A name freed by a deactivation, and a name held by nobody, are no finding.
    await identity.users.deactivateUser(actors.ada, { username: 'cora', reason: 'left the site' });
    await identity.users.addUser(actors.ada, { username: 'cora2', fullName: 'Cora Coordinator', role: 'coordinator', password: 'coordinator passphrase 2' });
    await identity.users.addUser(actors.ada, { username: 'rex', fullName: 'Rex Regulator', role: 'regulator', password: 'regulator passphrase 01' });

    const review = await reviewAuditTrail(store, { checkpoints, publicKey });

    const created = findingsOf(review, 'access').filter((f) => f.summary.includes('printed name'));
    expect(created.map((f) => f.summary)).toEqual([
      'account ivan.mon (monitor) created by ada under the printed name of the active account ivan, "Dr Ivan Investigator"; reason: another person: the monitor of site 2',
    ]);
  });

  it('given a row edited in the SQLite file behind the store\'s back, then trail integrity names the broken chain and the recording time that went backwards; the review still answers', async () => {
    await buildReviewScenario(store, clock, dir, false);
    await store.close();
    const attacker = new SqliteAttacker(file);
    const victim = attacker.storedEvent(12);
    attacker.exec('UPDATE events SET recorded_at = ? WHERE global_position = ?', '2025-12-31T23:00:00.000Z', 12);
    attacker.close();
    store = new SqliteEventStore(file, { clock });

    const review = await reviewAuditTrail(store);

    const integrity = findingsOf(review, 'trail-integrity');
    expect(integrity.map((f) => f.summary)).toEqual([
      expect.stringMatching(/^chain .+ at position 12: /),
      'no signed checkpoint given: a truncated or wholly recomputed log would not be detected',
      expect.stringMatching(/^recordedAt decreases at position 12: .+ → 2025-12-31T23:00:00.000Z$/),
    ]);
    expect(integrity[0].eventIds).toEqual([victim.eventId]);
  });
});
