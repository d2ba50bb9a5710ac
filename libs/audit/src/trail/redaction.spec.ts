import { ACCOUNT_POLICY_SETTINGS } from '@trial-ledger/domain';
import { REDACTED, redactedData } from './redaction';

const POLICY = {
  passwordMinLength: 12, passwordMaxLength: 1024, passwordHistory: 5, passwordMaxAgeDays: 90, maxFailedAttempts: 5,
  lockoutMinutes: 30, temporaryPasswordHours: 72, sessionInactivityMinutes: 15, sessionAbsoluteMinutes: 720,
};

describe('redactedData: secrets out, the record in', () => {
  it('shows every setting of an account-policy change (a password rule is part of the record, not a secret)', () => {
    const data = redactedData({ type: 'AccountPolicyChanged', data: { before: { ...POLICY, passwordMinLength: 10 }, after: POLICY, changed: ['passwordMinLength'] } });
    expect(data).toEqual({ before: { ...POLICY, passwordMinLength: 10 }, after: POLICY, changed: ['passwordMinLength'] });
    expect(Object.keys(POLICY).sort()).toEqual([...ACCOUNT_POLICY_SETTINGS].sort());
  });

  it('still redacts password hashes and any other field named as a secret, a setting name holding text included', () => {
    expect(redactedData({ type: 'UserCreated', data: { username: 'ivan', passwordHash: '$scrypt$x' } })).toEqual({ username: 'ivan', passwordHash: REDACTED });
    expect(redactedData({ type: 'Later', data: { nested: { resetToken: 't', apiSecret: 's' }, passwordHistory: '$scrypt$old' } })).toEqual({
      nested: { resetToken: REDACTED, apiSecret: REDACTED },
      passwordHistory: REDACTED,
    });
  });
});
