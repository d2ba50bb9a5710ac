import type { Actor } from '../shared/actor';
import { SYSTEM_ACTOR } from '../shared/actor';
import { DomainError } from '../shared/domain-error';
import {
  decideIdentity,
  evolveIdentity,
  findUser,
  initialIdentityState,
  isPasswordExpired,
  type IdentityCommand,
  type IdentityContext,
  type IdentityState,
} from './identity.decider';
import type { IdentityEvent } from './identity.events';
import { identityRefusal } from './identity-refusal';
import { redactIdentityEvent } from './identity.events';

/** Given these events, when this command, then these events (or this refusal). */
const NOW = '2026-03-02T09:00:00.000Z';
const rules = { maxFailedAttempts: 3, lockoutMinutes: 30, passwordMaxAgeDays: 90, temporaryPasswordHours: 72 };
const ADA: Actor = { userId: 'u-ada', username: 'ada', fullName: 'Ada Admin', role: 'admin' };
const IVAN: Actor = { userId: 'u-ivan', username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator' };

const context = (actor: Actor = ADA, now = NOW): IdentityContext => ({ actor, now, reason: null, rules });
const given = (events: readonly IdentityEvent[]): IdentityState => events.reduce(evolveIdentity, initialIdentityState());
const when = (events: readonly IdentityEvent[], command: IdentityCommand, ctx: IdentityContext = context()): IdentityEvent[] =>
  decideIdentity(command, given(events), ctx);
const refusalOf = (events: readonly IdentityEvent[], command: IdentityCommand, ctx?: IdentityContext): string => {
  try {
    when(events, command, ctx);
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'NOT REFUSED';
};

const adaCreated: IdentityEvent = {
  type: 'UserCreated',
  data: { userId: 'u-ada', username: 'ada', fullName: 'Ada Admin', role: 'admin', passwordHash: '$scrypt$ada', createdAt: NOW, bootstrap: true },
};
const ivanCreated: IdentityEvent = {
  type: 'UserCreated',
  data: { userId: 'u-ivan', username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', passwordHash: '$scrypt$ivan', createdAt: NOW, bootstrap: false },
};
const ivanDeactivated: IdentityEvent = { type: 'UserDeactivated', data: { userId: 'u-ivan', username: 'ivan', at: NOW } };
const login = (passwordMatches: boolean, username = 'ivan'): IdentityCommand => ({
  type: 'AuthenticateWithPassword',
  data: { username, unknownUsernameDigest: 'hmac-sha256:digest', passwordMatches, purpose: 'login', sessionId: 's-1', ip: '10.0.0.1' },
});

describe('identity decider: CreateFirstAdmin', () => {
  it('allowed on an empty ledger', () => {
    const events = when([], { type: 'CreateFirstAdmin', data: { userId: 'u-ada', username: 'Ada', fullName: '  Ada   Admin ', passwordHash: '$scrypt$x' } }, context(SYSTEM_ACTOR));
    expect(events).toEqual([{ type: 'UserCreated', data: { userId: 'u-ada', username: 'ada', fullName: 'Ada Admin', role: 'admin', passwordHash: '$scrypt$x', createdAt: NOW, bootstrap: true } }]);
  });
  it('refused once an admin exists', () => {
    expect(refusalOf([adaCreated], { type: 'CreateFirstAdmin', data: { userId: 'u-2', username: 'eve', fullName: 'Eve', passwordHash: 'h' } })).toBe('IDENTITY.ADMIN_EXISTS');
  });
  it('refuses a malformed username', () => {
    expect(refusalOf([], { type: 'CreateFirstAdmin', data: { userId: 'u-2', username: '1x', fullName: 'Eve', passwordHash: 'h' } })).toBe('IDENTITY.USERNAME_INVALID');
  });
});

describe('identity decider: CreateUser', () => {
  const create = (username: string, role = 'coordinator'): IdentityCommand => ({
    type: 'CreateUser', data: { userId: 'u-new', username, fullName: 'New User', role: role as 'coordinator', passwordHash: 'h' },
  });
  it('allowed for an admin', () => {
    expect(when([adaCreated], create('cora'))[0]).toMatchObject({ type: 'UserCreated', data: { username: 'cora', role: 'coordinator', bootstrap: false } });
  });
  it('refused for anyone but an admin', () => {
    expect(refusalOf([adaCreated, ivanCreated], create('cora'), context(IVAN))).toBe('AUTH.ROLE_NOT_ALLOWED');
  });
  it('refused for an admin whose account was deactivated meanwhile (the actor is checked against the state)', () => {
    const second: IdentityEvent = { type: 'UserCreated', data: { ...adaCreated.data, userId: 'u-bob', username: 'bob' } } as IdentityEvent;
    const adaGone: IdentityEvent = { type: 'UserDeactivated', data: { userId: 'u-ada', username: 'ada', at: NOW } };
    expect(refusalOf([adaCreated, second, adaGone], create('cora'))).toBe('AUTH.ROLE_NOT_ALLOWED');
  });
  it('never reuses a username, even a deactivated one, in any case', () => {
    expect(refusalOf([adaCreated, ivanCreated, ivanDeactivated], create('IVAN'))).toBe('IDENTITY.USERNAME_TAKEN');
  });
  it('refuses a username whose letters only lower-case to ASCII (the Kelvin sign K, U+212A), rather than creating the ASCII name', () => {
    expect(refusalOf([adaCreated], create('\u212Aate'))).toBe('IDENTITY.USERNAME_INVALID');
    expect(refusalOf([adaCreated], create('\uFF53lee'))).toBe('IDENTITY.USERNAME_INVALID');
  });
  it('refuses a username in another script or mixing scripts (a Cyrillic а beside Latin letters): usernames are ASCII', () => {
    expect(refusalOf([adaCreated, ivanCreated], create('\u0430lice'))).toBe('IDENTITY.USERNAME_INVALID');
    expect(refusalOf([adaCreated, ivanCreated], create('\u0456van'))).toBe('IDENTITY.USERNAME_INVALID');
    expect(refusalOf([adaCreated, ivanCreated], create('\u0438\u0432\u0430\u043d'))).toBe('IDENTITY.USERNAME_INVALID');
  });
  it.each([
    ['1 for l', 'alice', 'a1ice'],
    ['rn for m', 'mona', 'rnona'],
    ['m for rn, either way', 'arnold', 'amold'],
    ['0 for o', 'ivan.o', 'ivan.0'],
    ['another separator', 's.okafor', 's_okafor'],
    ['a separator more', 's.okafor', 's.okafor.'],
    ['no separator', 'k.lindqvist', 'klindqvist'],
  ])('refuses a username whose confusable skeleton (UTS #39: %s) is an existing username\'s, deactivated or not (IDENTITY.USERNAME_CONFUSABLE)', (_what, existing, confusable) => {
    const existingCreated = { ...when([adaCreated], create(existing))[0], data: { ...when([adaCreated], create(existing))[0].data, userId: 'u-old', fullName: 'Old User' } } as IdentityEvent;
    const deactivated: IdentityEvent = { type: 'UserDeactivated', data: { userId: 'u-old', username: existing, at: NOW } };
    expect(() => when([adaCreated, existingCreated], create(confusable))).toThrow(expect.objectContaining({ code: 'IDENTITY.USERNAME_CONFUSABLE', kind: 'conflict', details: { username: confusable, confusableWith: existing } }));
    expect(refusalOf([adaCreated, existingCreated, deactivated], create(confusable))).toBe('IDENTITY.USERNAME_CONFUSABLE');
  });
  it('accepts usernames that differ in more than such look-alikes', () => {
    const mona = { ...when([adaCreated], create('mona'))[0], data: { ...when([adaCreated], create('mona'))[0].data, userId: 'u-old', fullName: 'Old User' } } as IdentityEvent;
    for (const name of ['mona2', 'monab', 'nona', 'mona.l', 'm0na1']) expect(refusalOf([adaCreated, mona], create(name))).toBe('NOT REFUSED');
  });
  it('refuses an unknown role', () => {
    expect(refusalOf([adaCreated], create('cora', 'superuser'))).toBe('IDENTITY.ROLE_INVALID');
  });
  it.each([
    ['a NUL', 'Cora\u0000 Coordinator'],
    ['an escape sequence', 'Cora \u001b[31mCoordinator'],
    ['a right-to-left override', 'Cora \u202eAda Admin'],
    ['a bidi isolate', 'Cora \u2066Coordinator\u2069'],
    ['a lone surrogate (printed as U+FFFD in the ODM export)', 'Cora \ud83d Coordinator'],
    ['the non-character U+FFFE', 'Cora\ufffe Coordinator'],
  ])('refuses a printed name holding %s (the Part 11 signature manifestation must print as entered)', (_what, fullName) => {
    const command: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-new', username: 'cora', fullName, role: 'coordinator', passwordHash: 'h' } };
    expect(refusalOf([adaCreated], command)).toBe('IDENTITY.FULL_NAME_INVALID');
  });
  it.each([
    ['only zero-width spaces', '\u200b\u200b'],
    ['only a word joiner and spaces', ' \u2060 '],
    ['only Hangul fillers', '\u3164\u3164'],
    ['only blank Braille patterns', '\u2800'],
  ])('refuses a printed name made of %s: the signature manifestation would print as blank', (_what, fullName) => {
    const command: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-new', username: 'cora', fullName, role: 'coordinator', passwordHash: 'h' } };
    expect(refusalOf([adaCreated], command)).toBe('IDENTITY.FULL_NAME_INVALID');
    expect(refusalOf([], { type: 'CreateFirstAdmin', data: { userId: 'u-2', username: 'eve', fullName, passwordHash: 'h' } })).toBe('IDENTITY.FULL_NAME_INVALID');
  });
  it.each([
    ['a zero-width space', 'B\u200b'],
    ['a zero-width joiner', 'Ada\u200dAdmin'],
    ['a zero-width non-joiner', 'Ada\u200c Admin'],
    ['a word joiner', 'Ada Ad\u2060min'],
    ['a byte-order mark', 'Ada\ufeffAdmin'],
    ['a left-to-right mark', 'Ada Admin\u200e'],
    ['a right-to-left mark', 'Ada\u200f Admin'],
    ['an Arabic letter mark', 'Ada \u061cAdmin'],
    ['a soft hyphen', 'Ada Ad\u00admin'],
  ])('refuses a printed name holding %s beside visible characters: two users would sign under names that print alike', (_what, fullName) => {
    const command: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-new', username: 'cora', fullName, role: 'coordinator', passwordHash: 'h' } };
    expect(refusalOf([adaCreated], command)).toBe('IDENTITY.FULL_NAME_INVALID');
    expect(refusalOf([], { type: 'CreateFirstAdmin', data: { userId: 'u-2', username: 'eve', fullName, passwordHash: 'h' } })).toBe('IDENTITY.FULL_NAME_INVALID');
  });
  it.each([
    ['as every view prints a person', 'Dr Ivan Investigator (ivan, investigator)'],
    ['as the ODM annotation prints a signer', 'Dr Ivan Investigator (ivan)'],
    ['with other case and spacing', 'Dr Ivan Investigator ( IVAN , investigator )'],
    ['in fullwidth letters', 'Dr Ivan Investigator (\uff49\uff56\uff41\uff4e)'],
    ['naming the ledger itself', 'Automatic check (system, admin)'],
  ])('refuses a printed name that names another account %s: the username printed beside it would read as that user\'s', (_what, fullName) => {
    const command: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-new', username: 'mallory', fullName, role: 'coordinator', passwordHash: 'h' } };
    expect(refusalOf([adaCreated, ivanCreated], command)).toBe('IDENTITY.FULL_NAME_NAMES_ANOTHER_USER');
  });
  it('refuses a username that an existing printed name already names as a username, whichever account came first', () => {
    const mallory: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-mal', username: 'mallory', fullName: 'Dr Ivy Lee (ivy, investigator)', role: 'coordinator', passwordHash: 'h' } };
    const malloryCreated = when([adaCreated], mallory)[0];
    const ivy: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-ivy', username: 'ivy', fullName: 'Dr Ivy Lee', role: 'investigator', passwordHash: 'h' } };
    expect(refusalOf([adaCreated, malloryCreated], ivy)).toBe('IDENTITY.FULL_NAME_NAMES_ANOTHER_USER');
  });
  it('accepts parentheses that name no other account (a nickname, the new user\'s own username)', () => {
    for (const fullName of ['Maria (Mia) Rossi', 'Dr Mallory Jones (mallory)', 'Chloé (cardiology, site 2)']) {
      const command: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-new', username: 'mallory', fullName, role: 'coordinator', passwordHash: 'h' } };
      expect(refusalOf([adaCreated, ivanCreated], command)).toBe('NOT REFUSED');
    }
  });
  describe('a second account under the printed name of an active account (§11.100(a): one person, one signature)', () => {
    const second = (fullName: string, role: 'coordinator' | 'monitor' | 'admin' = 'monitor'): IdentityCommand => ({ type: 'CreateUser', data: { userId: 'u-new', username: 'ivan2', fullName, role, passwordHash: 'h' } });
    it.each([
      ['as written', 'Dr Ivan Investigator'],
      ['in another case and spacing', '  dr  IVAN investigator '],
      ['in compatibility forms (fullwidth letters)', 'Dr \uff29van Investigator'],
      ['with other punctuation', 'Dr. Ivan Investigator'],
      ['with a hyphen for a space', 'Dr Ivan-Investigator'],
    ])('is refused without a reason when the name is the same %s (IDENTITY.FULL_NAME_IN_USE, naming the account)', (_what, fullName) => {
      expect(refusalOf([adaCreated, ivanCreated], second(fullName))).toBe('IDENTITY.FULL_NAME_IN_USE');
      expect(() => when([adaCreated, ivanCreated], second(fullName))).toThrow(expect.objectContaining({ kind: 'conflict', details: { fullName: 'Dr Ivan Investigator', username: 'ivan' } }));
    });
    it('is refused for an administrator account too: the person would hold a clinical role and manage accounts', () => {
      expect(refusalOf([adaCreated, ivanCreated], second('Dr Ivan Investigator', 'admin'))).toBe('IDENTITY.FULL_NAME_IN_USE');
    });
    it('is created when the administrator gives a reason (another person of the same name), recorded with the event', () => {
      expect(refusalOf([adaCreated, ivanCreated], second('Dr Ivan Investigator'), { ...context(), reason: 'another person: Dr Ivan Investigator of site 2' })).toBe('NOT REFUSED');
    });
    it('is created when the account of that name is deactivated, and for a name that only contains the other', () => {
      expect(refusalOf([adaCreated, ivanCreated, ivanDeactivated], second('Dr Ivan Investigator'))).toBe('NOT REFUSED');
      expect(refusalOf([adaCreated, ivanCreated], second('Dr Ivan Investigator Jr'))).toBe('NOT REFUSED');
    });
  });
  it('accepts a printed name with accents and non-Latin scripts, and folds line breaks into spaces', () => {
    const command: IdentityCommand = { type: 'CreateUser', data: { userId: 'u-new', username: 'cora', fullName: 'Dr Zoë\nO\u2019Brien-Łukasiewicz 田中', role: 'coordinator', passwordHash: 'h' } };
    expect(when([adaCreated], command)[0]).toMatchObject({ data: { fullName: 'Dr Zoë O\u2019Brien-Łukasiewicz 田中' } });
  });
});

describe('identity decider: role changes, deactivation, reactivation', () => {
  it.each(['', '   ', '\u200b\u2060', '\u3164'])('refuses a reason given blank (%j): it would be recorded as a reason that says nothing', (reason) => {
    expect(refusalOf([adaCreated, ivanCreated], { type: 'DeactivateUser', data: { username: 'ivan' } }, { ...context(), reason })).toBe('VALIDATION.REQUIRED');
    expect(refusalOf([adaCreated, ivanCreated], { type: 'DeactivateUser', data: { username: 'ivan' } }, { ...context(), reason: `${reason}left the site` })).toBe('NOT REFUSED');
  });
  it('changes a role; the same role again is a no-op', () => {
    expect(when([adaCreated, ivanCreated], { type: 'ChangeUserRole', data: { username: 'ivan', role: 'monitor' } })).toEqual([
      { type: 'UserRoleChanged', data: { userId: 'u-ivan', username: 'ivan', from: 'investigator', to: 'monitor' } },
    ]);
    expect(when([adaCreated, ivanCreated], { type: 'ChangeUserRole', data: { username: 'ivan', role: 'investigator' } })).toEqual([]);
  });
  it('refuses to demote or deactivate the last active admin', () => {
    expect(refusalOf([adaCreated], { type: 'ChangeUserRole', data: { username: 'ada', role: 'monitor' } })).toBe('IDENTITY.LAST_ADMIN');
    expect(refusalOf([adaCreated], { type: 'DeactivateUser', data: { username: 'ada' } })).toBe('IDENTITY.LAST_ADMIN');
  });
  it('refuses an administrator changing their own role (into a clinical one), while another admin may', () => {
    const alanCreated: IdentityEvent = { type: 'UserCreated', data: { userId: 'u-alan', username: 'alan', fullName: 'Alan Admin', role: 'admin', passwordHash: 'h', createdAt: NOW, bootstrap: false } };
    expect(refusalOf([adaCreated, alanCreated], { type: 'ChangeUserRole', data: { username: 'ada', role: 'investigator' } })).toBe('IDENTITY.OWN_ROLE');
    const alan: Actor = { userId: 'u-alan', username: 'alan', fullName: 'Alan Admin', role: 'admin' };
    expect(when([adaCreated, alanCreated], { type: 'ChangeUserRole', data: { username: 'ada', role: 'investigator' } }, context(alan))).toEqual([
      { type: 'UserRoleChanged', data: { userId: 'u-ada', username: 'ada', from: 'admin', to: 'investigator' } },
    ]);
  });
  it('deactivates; deactivating again is a no-op; an unknown user is refused', () => {
    expect(when([adaCreated, ivanCreated], { type: 'DeactivateUser', data: { username: 'ivan' } })).toEqual([ivanDeactivated]);
    expect(when([adaCreated, ivanCreated, ivanDeactivated], { type: 'DeactivateUser', data: { username: 'ivan' } })).toEqual([]);
    expect(refusalOf([adaCreated], { type: 'DeactivateUser', data: { username: 'nobody' } })).toBe('IDENTITY.USER_NOT_FOUND');
  });
  it('reactivates a deactivated user; an active one is a no-op', () => {
    expect(when([adaCreated, ivanCreated, ivanDeactivated], { type: 'ReactivateUser', data: { username: 'ivan' } })).toEqual([
      { type: 'UserReactivated', data: { userId: 'u-ivan', username: 'ivan' } },
    ]);
    expect(when([adaCreated, ivanCreated], { type: 'ReactivateUser', data: { username: 'ivan' } })).toEqual([]);
  });
});

describe('identity decider: authentication', () => {
  it('records a success', () => {
    expect(when([adaCreated, ivanCreated], login(true))).toEqual([
      { type: 'LoginSucceeded', data: { userId: 'u-ivan', username: 'ivan', purpose: 'login', sessionId: 's-1', ip: '10.0.0.1', at: NOW } },
    ]);
  });
  it('signs nobody in under a name that only reads as theirs: the Kelvin sign K (U+212A) is not the k of kate', () => {
    const kateCreated: IdentityEvent = { type: 'UserCreated', data: { ...ivanCreated.data, userId: 'u-kate', username: 'kate' } } as IdentityEvent;
    expect(when([adaCreated, kateCreated], login(true, '\u212Aate'))).toEqual([
      expect.objectContaining({ type: 'LoginFailed', data: expect.objectContaining({ userId: null, reason: 'unknown-user' }) }),
    ]);
    expect(findUser(given([adaCreated, kateCreated]), '\u212Aate')).toBeNull();
    expect(findUser(given([adaCreated, kateCreated]), ' KATE ')?.username).toBe('kate');
  });
  it('records an unknown user as a failure, by the digest instead of what was typed, without an account to count against', () => {
    const [event] = when([adaCreated], login(false, 'nobody'));
    expect(event).toMatchObject({ type: 'LoginFailed', data: { attemptedUsername: 'hmac-sha256:digest', userId: null, reason: 'unknown-user' } });
    expect(identityRefusal([event])?.code).toBe('AUTH.INVALID_CREDENTIALS');
  });
  it('counts consecutive failures and locks the account at the limit', () => {
    const history: IdentityEvent[] = [adaCreated, ivanCreated];
    for (let i = 1; i < rules.maxFailedAttempts; i += 1) {
      const events = when(history, login(false));
      expect(events).toEqual([expect.objectContaining({ type: 'LoginFailed', data: expect.objectContaining({ consecutiveFailures: i }) })]);
      history.push(...events);
    }
    const locking = when(history, login(false));
    expect(locking.map((e) => e.type)).toEqual(['LoginFailed', 'AccountLockedOut']);
    expect(locking[1].data).toMatchObject({ consecutiveFailures: 3, lockedUntil: '2026-03-02T09:30:00.000Z' });
    // Answered as any wrong password: the answer must not tell which accounts an attacker has locked.
    expect(identityRefusal(locking)?.code).toBe('AUTH.INVALID_CREDENTIALS');
    history.push(...locking);
    // While locked even the right password is refused, and the count does not move.
    expect(when(history, login(true))[0].data).toMatchObject({ reason: 'account-locked' });
    expect(when(history, login(true), context(ADA, '2026-03-02T09:30:00.000Z'))[0].type).toBe('LoginSucceeded');
  });
  it('refuses a deactivated user and an expired password without counting them as guesses', () => {
    expect(when([adaCreated, ivanCreated, ivanDeactivated], login(true))[0].data).toMatchObject({ reason: 'user-deactivated', consecutiveFailures: 0 });
    const later = context(ADA, '2026-05-31T09:00:00.000Z');
    const [expired] = when([adaCreated, ivanCreated], login(true), later);
    expect(expired.data).toMatchObject({ reason: 'password-expired', consecutiveFailures: 0 });
    expect(identityRefusal([expired])?.code).toBe('AUTH.PASSWORD_EXPIRED');
  });
});

describe('identity decider: passwords', () => {
  const change = (currentPasswordMatches: boolean, reusesRecentPassword = false): IdentityCommand => ({
    type: 'ChangeOwnPassword', data: { username: 'ivan', unknownUsernameDigest: 'hmac-sha256:digest', currentPasswordMatches, passwordHash: '$scrypt$new', reusesRecentPassword, ip: null },
  });
  it('changes the password with the right current one, even once it expired', () => {
    const [event] = when([adaCreated, ivanCreated], change(true), context(IVAN, '2026-12-01T00:00:00.000Z'));
    expect(event).toEqual({ type: 'PasswordChanged', data: { userId: 'u-ivan', username: 'ivan', passwordHash: '$scrypt$new', changedAt: '2026-12-01T00:00:00.000Z', mustChange: false } });
    const state = given([adaCreated, ivanCreated, event]);
    expect(findUser(state, 'ivan')).toMatchObject({ passwordHash: '$scrypt$new', previousPasswordHashes: ['$scrypt$ivan'] });
    expect(isPasswordExpired(findUser(state, 'ivan')!, '2026-12-02T00:00:00.000Z', rules)).toBe(false);
  });
  it('refuses a recently used password', () => {
    expect(refusalOf([adaCreated, ivanCreated], change(true, true))).toBe('PASSWORD.REUSED');
  });
  it('a wrong current password is a counted failure, and nothing changes', () => {
    expect(when([adaCreated, ivanCreated], change(false))).toEqual([expect.objectContaining({ type: 'LoginFailed', data: expect.objectContaining({ purpose: 'change-password', consecutiveFailures: 1 }) })]);
  });
  it('an admin reset forces a change at the next login', () => {
    const [reset] = when([adaCreated, ivanCreated], { type: 'ResetPassword', data: { username: 'ivan', passwordHash: '$scrypt$tmp', reusesRecentPassword: false } });
    expect(reset.data).toMatchObject({ mustChange: true });
    expect(when([adaCreated, ivanCreated, reset], login(true))[0].data).toMatchObject({ reason: 'password-change-required' });
  });
  it('refuses an administrator resetting their own password (a session alone would take the account over), while another admin may', () => {
    const reset = { type: 'ResetPassword', data: { username: 'ada', passwordHash: '$scrypt$tmp', reusesRecentPassword: false } } as const;
    expect(refusalOf([adaCreated], reset)).toBe('IDENTITY.OWN_PASSWORD_RESET');
    const alanCreated: IdentityEvent = { type: 'UserCreated', data: { userId: 'u-alan', username: 'alan', fullName: 'Alan Admin', role: 'admin', passwordHash: 'h', createdAt: NOW, bootstrap: false } };
    const alan: Actor = { userId: 'u-alan', username: 'alan', fullName: 'Alan Admin', role: 'admin' };
    expect(when([adaCreated, alanCreated], reset, context(alan))).toEqual([expect.objectContaining({ type: 'PasswordChanged', data: expect.objectContaining({ username: 'ada', mustChange: true }) })]);
  });
  it('a user added by an administrator has a temporary password: only a change of password, within its lifetime', () => {
    const [added] = when([adaCreated], { type: 'CreateUser', data: { userId: 'u-ivan', username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator', passwordHash: '$scrypt$tmp' } });
    expect(added.data).toMatchObject({ mustChange: true, bootstrap: false });
    const refused = when([adaCreated, added], login(true));
    expect(refused[0].data).toMatchObject({ reason: 'password-change-required' });
    expect(identityRefusal(refused)).toMatchObject({ code: 'AUTH.PASSWORD_CHANGE_REQUIRED', kind: 'forbidden' });
    const signing = when([adaCreated, added], { type: 'VerifySigner', data: { attemptedSigner: 'ivan', passwordMatches: true, studyId: 'S', subjectId: 'S001', ip: null } }, context(IVAN));
    expect(identityRefusal(signing)?.code).toBe('AUTH.PASSWORD_CHANGE_REQUIRED');
    expect(when([adaCreated, added], change(true))).toEqual([expect.objectContaining({ type: 'PasswordChanged', data: expect.objectContaining({ mustChange: false }) })]);
    const late = context(IVAN, new Date(Date.parse(NOW) + 72 * 3_600_000).toISOString());
    const expired = when([adaCreated, added], change(true), late);
    expect(identityRefusal(expired)?.code).toBe('AUTH.TEMPORARY_PASSWORD_EXPIRED');
    // Events recorded before temporary passwords existed (no `mustChange`) keep their meaning.
    expect(when([adaCreated, ivanCreated], login(true))[0].type).toBe('LoginSucceeded');
  });
});

describe('identity decider: the signing ceremony (VerifySigner)', () => {
  const verify = (attemptedSigner: string, passwordMatches: boolean): IdentityCommand => ({
    type: 'VerifySigner', data: { attemptedSigner, passwordMatches, studyId: 'LANR-HGNET-01', subjectId: 'S001', ip: null },
  });
  it('decides nothing when the session user re-enters their own password', () => {
    expect(when([adaCreated, ivanCreated], verify('ivan', true), context(IVAN))).toEqual([]);
  });
  it('records a wrong password as a counted signature failure', () => {
    const events = when([adaCreated, ivanCreated], verify('ivan', false), context(IVAN));
    expect(events).toEqual([expect.objectContaining({ type: 'SignatureFailed', data: expect.objectContaining({ reason: 'wrong-password', consecutiveFailures: 1 }) })]);
    expect(identityRefusal(events)).toMatchObject({ code: 'SIGNATURE.PASSWORD_INVALID', kind: 'forbidden' });
  });
  it('records an attempt to sign as someone else', () => {
    const events = when([adaCreated, ivanCreated], verify('ada', true), context(IVAN));
    expect(events[0].data).toMatchObject({ reason: 'signer-mismatch', username: 'ivan', attemptedSigner: 'ada' });
    expect(identityRefusal(events)?.code).toBe('SIGNATURE.SIGNER_MISMATCH');
  });
});

describe('redactIdentityEvent', () => {
  it('replaces password hashes and leaves every other event as it is', () => {
    expect(redactIdentityEvent(adaCreated).data).toMatchObject({ username: 'ada', passwordHash: '[redacted]' });
    expect(adaCreated.data).toMatchObject({ passwordHash: '$scrypt$ada' });
    expect(redactIdentityEvent(ivanDeactivated)).toBe(ivanDeactivated);
  });
});
