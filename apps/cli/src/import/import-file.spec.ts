import { executeCommand } from '@trial-ledger/command-pipeline';
import { IDENTITY_STREAM_ID, loadDefaultProtocol, subjectStreamId } from '@trial-ledger/domain';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { PASSWORDS, identityFixture, type IdentityFixture } from '../../../../libs/identity/src/testing';
import { importLines } from './import-file';

const STUDY = 'LANR-HGNET-01';
const screen = (subjectId: string): string =>
  JSON.stringify({
    command: 'ScreenSubject', studyId: STUDY, subjectId, idempotencyKey: `screen-${subjectId}`,
    payload: { screeningDate: '2025-01-06', consentDate: '2025-01-06', sex: 'F', birthYear: 1961 },
  });
const FILE = [screen('S001'), screen('S002'), screen('S003')].join('\n');

/**
 * An import is one sign-in (`--as`) followed by as many commands as the file has lines, which can take
 * minutes: like a session's bearer on every API request, the acting user is taken from the identity
 * stream again before each line, so what an administrator changes meanwhile holds from the next line.
 */
describe('import: the acting user during a run', () => {
  let f: IdentityFixture;
  beforeEach(async () => {
    f = await identityFixture({}, new SqliteEventStore(':memory:'));
    await executeCommand(f.store, { type: 'RegisterStudy', studyId: STUDY, payload: { protocol: loadDefaultProtocol() } }, { actor: f.admin, source: 'cli' });
  });
  afterEach(async () => f.store.close());

  /**
   * Signs the investigator in as `--as ivan` does, then `meanwhile` happens (what an administrator does
   * while the file is being read and applied), then the lines are applied.
   */
  const importAsInvestigator = async (meanwhile: () => Promise<unknown>) => {
    const signedIn = await f.service.auth.signInForRun('ivan', PASSWORDS.investigator, 'import');
    f.clock.advance(1_000);
    await meanwhile();
    return importLines(f.store, FILE, signedIn.actor, { file: 'visits.jsonl', identity: f.service, authenticatedAt: signedIn.authenticatedAt });
  };
  const screened = async (): Promise<string[]> => {
    const ids: string[] = [];
    for (const s of ['S001', 'S002', 'S003']) if ((await f.store.readStream(subjectStreamId(STUDY, s))).length > 0) ids.push(s);
    return ids;
  };

  it('given the user deactivated after the sign-in, then the next line is refused (AUTH.USER_DEACTIVATED) and nothing from it on is written', async () => {
    const report = await importAsInvestigator(() => f.service.users.deactivateUser(f.admin, { username: 'ivan', reason: 'left the site' }));

    expect(report).toMatchObject({ ok: false, applied: 0, failure: { line: 1, code: 'AUTH.USER_DEACTIVATED' } });
    expect(await screened()).toEqual([]);
  });

  it('given the role changed to monitor after the sign-in, then the next line is checked against the new role and refused', async () => {
    const report = await importAsInvestigator(() => f.service.users.changeRole(f.admin, { username: 'ivan', role: 'monitor', reason: 'now monitors the study' }));

    expect(report).toMatchObject({ ok: false, applied: 0, failure: { line: 1, code: 'AUTH.ROLE_NOT_ALLOWED' } });
    expect(await screened()).toEqual([]);
    const refused = (await f.store.readStream(IDENTITY_STREAM_ID)).at(-1)!;
    expect(refused).toMatchObject({ type: 'AuthorizationRefused', data: { username: 'ivan', role: 'monitor', action: 'ScreenSubject' } });
  });

  it('given the password reset by an administrator after the sign-in, then the run ends at the next line (AUTH.PASSWORD_CHANGED)', async () => {
    const report = await importAsInvestigator(() => f.service.users.resetPassword(f.admin, { username: 'ivan', newPassword: 'a temporary passphrase 7', reason: 'reported lost' }));

    expect(report).toMatchObject({ ok: false, applied: 0, failure: { line: 1, code: 'AUTH.PASSWORD_CHANGED' } });
    expect(await screened()).toEqual([]);
  });

  it('given nothing changed, then every line is recorded as the user who signed in', async () => {
    const report = await importAsInvestigator(async () => undefined);

    expect(report).toMatchObject({ ok: true, applied: 3 });
    expect(await screened()).toEqual(['S001', 'S002', 'S003']);
  });
});
