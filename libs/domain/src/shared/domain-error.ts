/**
 * A refusal decided by the domain. `code` is a stable, dotted identifier (`SUBJECT.NOT_ENROLLED`)
 * that clients may rely on; the HTTP edge maps it to an RFC 9457 problem with a status from `kind`.
 */
export type DomainErrorKind =
  | 'validation' // 400/422: malformed or out-of-range input
  | 'not-found' // 404: unknown study, subject or entry
  | 'forbidden' // 403: the actor's role may not issue the command
  | 'conflict' // 409: a business rule or sequencing check refused the command
  | 'unauthenticated'; // 401

export class DomainError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly kind: DomainErrorKind = 'conflict',
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const refuse = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, 'conflict', details);
};

export const invalid = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, 'validation', details);
};

export const notFound = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, 'not-found', details);
};

export const forbidden = (code: string, message: string, details?: Record<string, unknown>): never => {
  throw new DomainError(code, message, 'forbidden', details);
};

/** Exhaustiveness guard for `switch` statements over discriminated unions. */
export const assertNever = (value: never, what = 'value'): never => {
  throw new Error(`Unexpected ${what}: ${JSON.stringify(value)}`);
};
