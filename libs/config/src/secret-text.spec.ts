import { holdsSecret, withoutSecrets } from './secret-text';

describe('secrets in text (log lines, error messages, command-line values)', () => {
  it.each([
    ['a password after a username', 'connect postgres://ledger:S3cret@db:5432/trial failed', 'connect postgres://ledger:redacted@db:5432/trial failed'],
    ['a password with no username', 'postgres://:S3cret@db/trial', 'postgres://:redacted@db/trial'],
    ['a secret query parameter', 'postgres://ledger@db/trial?sslpassword=S3cret&x=1', 'postgres://ledger@db/trial?sslpassword=redacted&x=1'],
  ])('given %s, then it is hidden and the text is said to hold a secret', (_what, text, hidden) => {
    expect(withoutSecrets(text)).toBe(hidden);
    expect(holdsSecret(text)).toBe(true);
  });

  it.each([['postgres://ledger@db:5432/trial'], ['sqlite:./data/ledger.sqlite'], ['an error at 10:42 with no URL']])('given %s, then nothing is hidden', (text) => {
    expect(withoutSecrets(text)).toBe(text);
    expect(holdsSecret(text)).toBe(false);
  });
});
