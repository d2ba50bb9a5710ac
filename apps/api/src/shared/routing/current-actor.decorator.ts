import { createParamDecorator, HttpStatus, type ExecutionContext } from '@nestjs/common';
import type { Actor } from '@trial-ledger/domain';
import { ApiProblemException } from '../problem-details/api-problem.exception';
import type { AuthenticatedRequest } from './authenticated-request';

/** The actor the bearer guard authenticated (Part 11 §11.10(e): every event names its operator). */
export const CurrentActor = createParamDecorator((_data: unknown, context: ExecutionContext): Actor => {
  const actor = context.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new ApiProblemException('AUTH.UNAUTHENTICATED', HttpStatus.UNAUTHORIZED, 'The request is not authenticated.');
  return actor;
});
