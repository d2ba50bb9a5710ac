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
