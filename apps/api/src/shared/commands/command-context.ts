import { createParamDecorator, HttpStatus, type ExecutionContext } from '@nestjs/common';
import { requestFingerprint, type CommandEnvelope } from '@trial-ledger/command-pipeline';
import type { Actor } from '@trial-ledger/domain';
import { isIfMatchAny, isIfNoneMatchAny, parseIfMatch } from '../http/if-match';
import { resolveIdempotencyKey } from '../http/idempotency-key';
import { ApiProblemException } from '../problem-details/api-problem.exception';
import type { AuthenticatedRequest } from '../routing/authenticated-request';
import type { DomainCommand } from './ledger-command';

export const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** What the HTTP request says about a command besides its body: who, which version seen, which key. */
export interface HttpCommandContext {
  readonly actor: Actor;
  /** From `If-Match`; undefined when the client did not pin a version. */
  readonly expectedVersion: number | undefined;
  /** `If-Match: *`: true only if the resource exists. */
  readonly ifMatchAny: boolean;
  /** `If-None-Match: *` ("create only if absent"): true only if the resource does not exist yet. */
  readonly ifNoneMatchAny: boolean;
  readonly idempotencyKeyHeader: string | string[] | undefined;
  /** From `X-Correlation-Id`, so a client can tie several commands to one workflow in the audit trail. */
  readonly correlationId: string | undefined;
}

export const CommandContext = createParamDecorator((_data: unknown, context: ExecutionContext): HttpCommandContext => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  if (!request.actor) throw new ApiProblemException('AUTH.UNAUTHENTICATED', HttpStatus.UNAUTHORIZED, 'The request is not authenticated.');
  const correlation = request.headers['x-correlation-id'];
  return {
    actor: request.actor,
    expectedVersion: parseIfMatch(request.headers['if-match']),
    ifMatchAny: isIfMatchAny(request.headers['if-match']),
    ifNoneMatchAny: isIfNoneMatchAny(request.headers['if-none-match']),
    idempotencyKeyHeader: request.headers['idempotency-key'],
    correlationId: typeof correlation === 'string' && CORRELATION_ID.test(correlation) ? correlation : undefined,
  };
});

/**
 * Commands whose primary stream is the resource their route creates (a subject, a study, a query thread):
 * under `If-Match: *` that stream must already exist (RFC 9110 §13.1.1), so on a new one nothing is written;
 * under `If-None-Match: *` it must not (§13.1.2), so a subject screened or a study registered already is a 412, not
 * a 409. Others are left alone: SDV progress, say, is answered (ETag "0") before its stream exists; and the edge
 * refuses `If-None-Match` on their routes (`refusedPrecondition`).
 */
const CREATING_COMMANDS: ReadonlySet<DomainCommand['type']> = new Set(['ScreenSubject', 'RegisterStudy', 'OpenQuery']);

/**
 * The pipeline envelope of an API command. The idempotency key is bound to the fingerprint of the
 * whole command (type, study, subject, payload): the same key on another route or with another body
 * is refused rather than answered with an unrelated outcome.
 */
export const envelopeFor = (context: HttpCommandContext, command: DomainCommand, bodyKey: string | undefined, reason?: string): CommandEnvelope => {
  const idempotencyKey = resolveIdempotencyKey(context.idempotencyKeyHeader, bodyKey);
  return {
    actor: context.actor,
    source: 'api',
    correlationId: context.correlationId,
    idempotencyKey,
    requestHash: idempotencyKey === null ? null : requestFingerprint(command),
    reason: reason ?? null,
    expectedVersion: context.expectedVersion,
    streamMustExist: context.ifMatchAny && CREATING_COMMANDS.has(command.type),
    streamMustNotExist: context.ifNoneMatchAny && CREATING_COMMANDS.has(command.type),
  };
};
