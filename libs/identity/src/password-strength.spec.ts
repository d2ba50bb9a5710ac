import { DomainError } from '@trial-ledger/domain';
import { checkPasswordStrength } from './password-strength';

const POLICY = { passwordMinLength: 12, passwordMaxLength: 256 };
const codeOf = (password: unknown, owner = {}): string | null => {
  try {
    checkPasswordStrength(password, POLICY, owner);
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'NOT A DOMAIN ERROR';
  }
};

describe('password strength (§11.300, zxcvbn-ts)', () => {
  it.each([
    ['not a string', 42, 'PASSWORD.REQUIRED'],
    ['too short', 'short one', 'PASSWORD.TOO_SHORT'],
    ['too long', 'x'.repeat(257), 'PASSWORD.TOO_LONG'],
    ['only spaces', ' '.repeat(16), 'PASSWORD.BLANK'],
    ['only tabs and line breaks', '\t\n'.repeat(8), 'PASSWORD.BLANK'],
    ['a NUL inside', 'correct horse\u0000battery', 'PASSWORD.CONTROL_CHARACTERS'],
    ['an escape inside', 'correct horse\u001b[2Jbattery', 'PASSWORD.CONTROL_CHARACTERS'],
    ['a bidirectional override', 'correct horse\u202Ebattery', 'PASSWORD.CONTROL_CHARACTERS'],
    ['one character repeated', 'zzzzzzzzzzzzzzzz', 'PASSWORD.ONE_CHARACTER'],
    ['a common password, long enough', 'password1234', 'PASSWORD.TOO_WEAK'],
    ['a keyboard walk', 'qwertyuiop12', 'PASSWORD.TOO_WEAK'],
  ])('refuses %s', (_what, password, code) => {
    expect(codeOf(password)).toBe(code);
  });

  it('refuses a password containing the username or the full name, in any case or spacing', () => {
    expect(codeOf('my name is IVAN.PETROV ok', { username: 'ivan.petrov' })).toBe('PASSWORD.CONTAINS_USERNAME');
    expect(codeOf('hello dr  ivan   investigator!', { username: 'ip', fullName: 'Dr Ivan Investigator' })).toBe('PASSWORD.CONTAINS_NAME');
  });

  it('says whose username a refused password contains: the account it is set for, named in the details', () => {
    expect(() => checkPasswordStrength('my name is IVAN.PETROV ok', POLICY, { username: 'ivan.petrov' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('the account it is set for'), details: { username: 'ivan.petrov' } }),
    );
  });

  it('refuses a case variant of the current password, but leaves an identical one to the reuse rule', () => {
    expect(codeOf('Correct Horse Battery Staple', { currentPassword: 'correct horse battery staple' })).toBe('PASSWORD.CASE_VARIANT');
    expect(codeOf('correct horse battery staple', { currentPassword: 'correct horse battery staple' })).toBeNull();
  });

  it('accepts a long passphrase and a random string', () => {
    expect(codeOf('investigator passphrase 1', { username: 'ivan', fullName: 'Dr Ivan Investigator' })).toBeNull();
    expect(codeOf('Xq7#mR2!vL9$wP4@')).toBeNull();
  });

  it('the zxcvbn refusal names what is weak without echoing the password', () => {
    try {
      checkPasswordStrength('password1234', POLICY);
      throw new Error('not refused');
    } catch (error) {
      expect((error as DomainError).message).not.toContain('password1234');
      expect((error as DomainError).details).toMatchObject({ suggestions: expect.any(Array) });
    }
  });
});
