import { createParamDecorator, HttpStatus, type ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from './http.types';
import { ApiProblemException } from '../problem-details/api-problem.exception';

/** The strong entity tag of a stream at a version: the number of events the client has seen. */
export const etagFor = (version: number): string => `"${version}"`;

/**
 * `If-Match: "7"` → 7, the stream version the client saw (SPEC §4 optimistic concurrency). Absent or
 * `*` → undefined (no pin: the pipeline re-reads and retries on a race). Weak tags (`W/"7"`) never
 * match under If-Match's strong comparison (RFC 9110 §13.1.1), so they are refused as malformed.
 */
export const parseIfMatch = (header: string | string[] | undefined): number | undefined => {
  if (header === undefined) return undefined;
  const value = (Array.isArray(header) ? header.join(',') : header).trim();
  if (value === '*') return undefined;
  const match = /^"(0|[1-9]\d{0,15})"$/.exec(value);
  // Sixteen digits can pass 2^53 − 1, where Number() would read another version ("…993" as …992).
  if (!match || !Number.isSafeInteger(Number(match[1]))) {
    throw new ApiProblemException('REQUEST.INVALID_IF_MATCH', HttpStatus.BAD_REQUEST, 'If-Match must be one strong entity tag holding a stream version, e.g. "3".', {
      header: 'If-Match',
    });
  }
  return Number(match[1]);
};

/** `If-Match: *`: a precondition that holds only when the resource has a current representation (RFC 9110 §13.1.1). */
export const isIfMatchAny = (header: string | string[] | undefined): boolean =>
  header !== undefined && (Array.isArray(header) ? header.join(',') : header).trim() === '*';

/** The `If-Match` header as an expected stream version (`undefined` when not pinned). */
export const ExpectedVersion = createParamDecorator((_data: unknown, context: ExecutionContext): number | undefined =>
  parseIfMatch(context.switchToHttp().getRequest<HttpRequest>().headers['if-match']),
);

/**
 * For routes whose resource has no entity tag (user management): a version named in `If-Match` can
 * never match, so the request is refused (412) rather than carried out as if unconditional (RFC 9110
 * §13.1.1); `*` holds for any current state; a malformed value is a 400 as everywhere.
 */
export const refuseIfMatchWithoutEntityTag = (header: string | string[] | undefined): void => {
  if (parseIfMatch(header) === undefined) return;
  throw new ApiProblemException('REQUEST.PRECONDITION_FAILED', HttpStatus.PRECONDITION_FAILED, 'This resource has no entity tag for If-Match to match; send no If-Match (or *).', {
    header: 'If-Match',
  });
};

/** Applies `refuseIfMatchWithoutEntityTag` to the request; resolves to nothing. */
export const NoEntityTag = createParamDecorator((_data: unknown, context: ExecutionContext): void =>
  refuseIfMatchWithoutEntityTag(context.switchToHttp().getRequest<HttpRequest>().headers['if-match']),
);

/**
 * For a route that creates a resource with no entity tag (adding a user): besides a version, which never
 * matches, `*` is refused too: it is false for a resource that does not exist yet (RFC 9110 §13.1.1).
 */
export const NewResourceWithoutEntityTag = createParamDecorator((_data: unknown, context: ExecutionContext): void => {
  const header = context.switchToHttp().getRequest<HttpRequest>().headers['if-match'];
  refuseIfMatchWithoutEntityTag(header);
  if (isIfMatchAny(header)) {
    throw new ApiProblemException('REQUEST.PRECONDITION_FAILED', HttpStatus.PRECONDITION_FAILED, 'If-Match: * holds only for a resource that exists; this request creates one. Send no If-Match.', {
      header: 'If-Match',
    });
  }
});
