import { redactPostgresUrl } from './postgres-connection';

describe('redactPostgresUrl: the store URL as logs and the ready line show it', () => {
  it('drops the password of the user part', () => {
    expect(redactPostgresUrl('postgres://app:s3cret-pw@db.example:5432/ledger')).toBe('postgres://app@db.example:5432/ledger');
  });

  it('drops a password given as a query parameter (which pg accepts too), and the TLS key passphrase, keeping the other parameters', () => {
    const shown = redactPostgresUrl('postgres://app@db.example/ledger?password=s3cret-pw&sslpassword=key-pass&sslmode=verify-full&application_name=site-7');
    expect(shown).not.toContain('s3cret-pw');
    expect(shown).not.toContain('key-pass');
    expect(new URL(shown).searchParams.get('password')).toBe('redacted');
    expect(new URL(shown).searchParams.get('sslpassword')).toBe('redacted');
    expect(new URL(shown).searchParams.get('sslmode')).toBe('verify-full');
    expect(new URL(shown).searchParams.get('application_name')).toBe('site-7');
  });

  it('whatever the case or escaping of the parameter name', () => {
    const shown = redactPostgresUrl('postgresql://app@db.example/ledger?PASSWORD=one-secret&pass%77ord=two-secret');
    expect(shown).not.toContain('one-secret');
    expect(shown).not.toContain('two-secret');
  });
});
