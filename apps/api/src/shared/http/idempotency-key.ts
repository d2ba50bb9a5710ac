import { createParamDecorator, HttpStatus, type ExecutionContext } from '@nestjs/common';
import { IDEMPOTENCY_KEY_RULE, isValidIdempotencyKey } from '@trial-ledger/command-pipeline';
import type { HttpRequest } from './http.types';
import { ApiProblemException } from '../problem-details/api-problem.exception';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
/**
 * Marks an idempotent repeat. The header keeps the name of draft-ietf-httpapi-idempotency-key-header
 * (a public contract clients already read); inside the ledger the concept is a "repeat", and
 * "replay" means bitemporal replay only.
 */
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** The OpenAPI description of the `Idempotency-Key` header, the same on every route that takes one. */
export const IDEMPOTENCY_KEY_HEADER_DOC = {
  name: IDEMPOTENCY_KEY_HEADER,
  required: false,
  description: 'Makes a retry safe: the same key from the same user answers that user\'s first outcome (Idempotent-Replayed: true); with another body it is refused (422). Keys are per user.',
} as const;

/**
 * The idempotency key of a command: the `Idempotency-Key` header or the body's `idempotencyKey`
 * (SPEC appendix A lets every command carry one). Both may be given only if they agree.
 */
export const resolveIdempotencyKey = (header: string | string[] | undefined, bodyKey: string | undefined | null): string | null => {
  const headerKey = Array.isArray(header) ? header.join(',') : header;
  if (headerKey !== undefined && !isValidIdempotencyKey(headerKey)) {
    throw new ApiProblemException('REQUEST.INVALID_IDEMPOTENCY_KEY', HttpStatus.BAD_REQUEST, `Idempotency-Key must be ${IDEMPOTENCY_KEY_RULE}.`, {
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

/**
 * For the routes a key cannot make safe to repeat (`/auth/*`: a login opens a new session whose token
 * the ledger never holds in clear, so no first answer can be given again; logout and the own password
 * change act on credentials a repeat no longer holds): a key is refused rather than silently ignored,
 * so a client never believes its retry was deduplicated.
 */
export const refuseIdempotencyKey = (header: string | string[] | undefined): void => {
  if (header === undefined) return;
  throw new ApiProblemException(
    'REQUEST.IDEMPOTENCY_KEY_NOT_ACCEPTED',
    HttpStatus.BAD_REQUEST,
    'This route takes no Idempotency-Key: its answer (a session, a credential change) cannot be given again; send the request without one.',
    { header: IDEMPOTENCY_KEY_HEADER },
  );
};

/** Applies `refuseIdempotencyKey` to the request; resolves to nothing. */
export const NoIdempotencyKey = createParamDecorator((_data: unknown, context: ExecutionContext): void =>
  refuseIdempotencyKey(context.switchToHttp().getRequest<HttpRequest>().headers['idempotency-key']),
);
