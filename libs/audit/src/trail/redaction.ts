import { redactIdentityEvent } from '@trial-ledger/domain';

const SECRET_KEY = /pass(word|phrase)|secret|salt|credential|token|private/i;
export const REDACTED = '[redacted]';

const scrub = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(scrub);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, SECRET_KEY.test(k) ? REDACTED : scrub(v)]));
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
