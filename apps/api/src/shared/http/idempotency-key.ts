import { createParamDecorator, HttpStatus, type ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from './http.types';
import { ApiProblemException } from '../problem-details/api-problem.exception';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/**
 * Marks an idempotent repeat. The header keeps the name of draft-ietf-httpapi-idempotency-key-header
 * (a public contract clients already read); inside the ledger the concept is a "repeat", and
 * "replay" means bitemporal replay only.
 */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Printable ASCII, 1–255 characters: long enough for a UUID or an import file's `file:line` key. */
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export const isValidIdempotencyKey = (value: unknown): value is string => typeof value === 'string' && KEY_PATTERN.test(value);

/**
 * The idempotency key of a command: the `Idempotency-Key` header or the body's `idempotencyKey`
 * (SPEC appendix A lets every command carry one). Both may be given only if they agree.
 */
export const resolveIdempotencyKey = (header: string | string[] | undefined, bodyKey: string | undefined | null): string | null => {
  const headerKey = Array.isArray(header) ? header.join(',') : header;
  if (headerKey !== undefined && !isValidIdempotencyKey(headerKey)) {
    throw new ApiProblemException('REQUEST.INVALID_IDEMPOTENCY_KEY', HttpStatus.BAD_REQUEST, 'Idempotency-Key must be 1–255 printable ASCII characters.', {
      header: IDEMPOTENCY_KEY_HEADER,
    });
  }
  if (headerKey !== undefined && bodyKey != null && headerKey !== bodyKey) {
    throw new ApiProblemException('IDEMPOTENCY.KEY_MISMATCH', HttpStatus.BAD_REQUEST, 'The Idempotency-Key header and the body\'s idempotencyKey differ.');
  }
  return headerKey ?? bodyKey ?? null;
};

/** The raw `Idempotency-Key` header (validated and reconciled with the body by `resolveIdempotencyKey`). */
export const IdempotencyKeyHeader = createParamDecorator((_data: unknown, context: ExecutionContext): string | string[] | undefined =>
  context.switchToHttp().getRequest<HttpRequest>().headers['idempotency-key'],
);
