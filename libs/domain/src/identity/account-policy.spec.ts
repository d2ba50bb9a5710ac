import { decideAccountPolicy, evolveAccountPolicy, type AccountPolicySettings } from './account-policy';

const A: AccountPolicySettings = {
  passwordMinLength: 12, passwordMaxLength: 256, passwordHistory: 5, passwordMaxAgeDays: 90, maxFailedAttempts: 5,
  lockoutMinutes: 30, temporaryPasswordHours: 72, sessionInactivityMinutes: 15, sessionAbsoluteMinutes: 720,
};

describe('account policy decider', () => {
  it('records the first policy with no before, then nothing while it stays the same', () => {
    const [first] = decideAccountPolicy(null, A);
    expect(first).toEqual({ type: 'AccountPolicyChanged', data: { before: null, after: A, changed: Object.keys(A) } });
    expect(decideAccountPolicy(evolveAccountPolicy(null, first), { ...A })).toEqual([]);
  });

  it('records a change with before, after and the names of the settings that moved', () => {
    const B = { ...A, lockoutMinutes: 45, sessionInactivityMinutes: 10 };
    expect(decideAccountPolicy(A, B)).toEqual([{ type: 'AccountPolicyChanged', data: { before: A, after: B, changed: ['lockoutMinutes', 'sessionInactivityMinutes'] } }]);
  });

  it('records only the settings: anything else on the configuration object stays out of the ledger', () => {
    const configured = { ...A, scrypt: { cost: 1024 }, secret: 'x' } as unknown as AccountPolicySettings;
    const [event] = decideAccountPolicy(null, configured);
    expect(Object.keys(event.data.after)).toEqual(Object.keys(A));
  });

  it.each([Number.NaN, -1, 1.5, Infinity])('refuses a setting of %p (a policy is whole numbers)', (value) => {
    expect(() => decideAccountPolicy(A, { ...A, lockoutMinutes: value })).toThrow(expect.objectContaining({ code: 'IDENTITY.POLICY_INVALID' }));
  });
});
