import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Role } from '@trial-ledger/domain';
import { BearerAuthGuard } from './bearer-auth.guard';
import { DeclaredQueryGuard } from '../shared/validation/declared-query.guard';
import { ROLES_METADATA } from './roles.metadata';

export { ROLES_METADATA };

/**
 * The roles allowed on a route (or a whole controller), with the bearer guard that enforces them and,
 * after it, the guard that refuses undeclared query parameters.
 * Use `@CurrentActor()` in the handler for the authenticated user.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_METADATA, roles), UseGuards(BearerAuthGuard, DeclaredQueryGuard), ApiBearerAuth());

export { CurrentActor } from '../shared/routing/current-actor.decorator';
