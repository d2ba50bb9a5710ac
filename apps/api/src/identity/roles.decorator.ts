import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { Role } from '@trial-ledger/domain';
import { BearerAuthGuard } from './bearer-auth.guard';
import { ROLES_METADATA } from './roles.metadata';

export { ROLES_METADATA };

/**
 * The roles allowed on a route (or a whole controller), with the bearer guard that enforces them.
 * Use `@CurrentActor()` in the handler for the authenticated user.
 */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES_METADATA, roles), UseGuards(BearerAuthGuard), ApiBearerAuth());

export { CurrentActor } from '../shared/routing/current-actor.decorator';
