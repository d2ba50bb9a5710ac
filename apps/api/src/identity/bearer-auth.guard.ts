import { HttpStatus, Injectable, Logger, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Role } from '@trial-ledger/domain';
import { AuthenticationService, AuthorizationLog } from '@trial-ledger/identity';
import { HEAD_REFUSED_CONFIG, refuseHeadOfExport } from '../shared/http/replies';
import type { HttpResponse } from '../shared/http/http.types';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import type { AuthenticatedRequest } from '../shared/routing/authenticated-request';
import { ROUTE_RULE_METADATA, type RouteRule } from '../shared/routing/route-rule';
import { ROLES_METADATA } from './roles.metadata';

const BEARER = /^Bearer\s+(\S+)$/i;

/**
 * Authenticates the bearer token and checks the route's roles before anything is read or written
 * (SPEC §5: every endpoint checks the role; every refusal is logged). A role refusal is recorded as
 * an `AuthorizationRefused` event in the identity stream; an unauthenticated request is reported in
 * the security log (recording it in the ledger would let anyone fill the ledger without a login).
 * Roles come from `@Roles(...)` or from the route's `RouteRule`; the domain checks them again.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly logger = new Logger('Security');

  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthenticationService,
    private readonly authorization: AuthorizationLog,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    // A HEAD of an export (which would receive nothing) is refused as the router's 405s are: before the token or
    // the role is read, so no refusal is recorded of an export that could never have been served.
    if ((request.routeOptions?.config as unknown as Record<string, unknown> | undefined)?.[HEAD_REFUSED_CONFIG] === true) refuseHeadOfExport(context.switchToHttp().getResponse<HttpResponse>());
    const rule = this.reflector.get<RouteRule | undefined>(ROUTE_RULE_METADATA, context.getHandler());
    const roles = this.reflector.getAllAndOverride<readonly Role[] | undefined>(ROLES_METADATA, [context.getHandler(), context.getClass()]) ?? rule?.roles;
    const action = rule?.operation ?? `${request.method} ${request.originalUrl.split('?')[0]}`;
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? BEARER.exec(header.trim()) : null;
    if (!match) {
      this.logger.warn({ code: 'AUTH.UNAUTHENTICATED' }, `unauthenticated request refused: ${action}`);
      throw new ApiProblemException('AUTH.UNAUTHENTICATED', HttpStatus.UNAUTHORIZED, 'A bearer token is required (Authorization: Bearer <token>).');
    }
    let actor;
    try {
      actor = await this.auth.authenticate(match[1]);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      this.logger.warn({ code: typeof code === 'string' ? code : 'AUTH.TOKEN_INVALID' }, `bearer token refused (${typeof code === 'string' ? code : 'error'}): ${action}`);
      throw error;
    }
    if (roles) await this.authorization.authorize(actor, roles, action, 'api');
    request.actor = actor;
    return true;
  }
}
