import { ACCOUNT_POLICY_SETTINGS, redactIdentityEvent } from '@trial-ledger/domain';

const SECRET_KEY = /pass(word|phrase)|secret|salt|credential|token|private/i;
export const REDACTED = '[redacted]';

/**
 * The account policy's settings (`passwordMinLength`, `passwordMaxAgeDays`, `temporaryPasswordHours`, …):
 * their names say "password" but each is a whole number, a rule of the record an audit must read
 * (Part 11 §11.300(b)), never a secret. Any other value under such a name is still redacted.
 */
const POLICY_SETTINGS: ReadonlySet<string> = new Set(ACCOUNT_POLICY_SETTINGS);
const isSecret = (key: string, value: unknown): boolean => SECRET_KEY.test(key) && !(POLICY_SETTINGS.has(key) && typeof value === 'number');

const scrub = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, isSecret(k, v) ? REDACTED : scrub(v)]));
  }
  return value;
};

/**
 * The data of an event as it may leave the server (Part 11 §11.300: password hashes never appear in a
 * trail, an export or a report): the identity lib's own redaction first, then any field whose name
 * says it is a secret, at any depth, as a second line of defence for event types added later.
 */
export const redactedData = (event: { readonly type: string; readonly data: Record<string, unknown> }): Record<string, unknown> =>
  scrub(redactIdentityEvent(event).data) as Record<string, unknown>;
