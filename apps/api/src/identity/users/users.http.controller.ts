import { applyDecorators, Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { userHistoryPage } from '@trial-ledger/audit';
import { QUERY_ROLES, type Actor } from '@trial-ledger/domain';
import { USER_MANAGEMENT_STREAM_IDS, UserAdministrationService, type UserChangeKey } from '@trial-ledger/identity';
import { ApiProblemResponses, BODY_PROBLEMS, SESSION_PROBLEMS, STORE_PROBLEM, type ProblemResponse } from '../../shared/routing/problem-responses';
import type { HttpResponse } from '../../shared/http/http.types';
import { createdOnlyIfAbsent, NewResourceWithoutEntityTag, NoEntityTag } from '../../shared/http/if-match';
import { IDEMPOTENCY_KEY_HEADER_DOC, IDEMPOTENT_REPLAYED_HEADER, IdempotencyKeyHeader, resolveIdempotencyKey } from '../../shared/http/idempotency-key';
import { CurrentActor, Roles } from '../roles.decorator';
import { UserHistoryPageResponse } from './user-history.response';
import { AddUserRequestDto, ChangeRoleRequestDto, ReasonRequestDto, ResetPasswordRequestDto, UserHistoryQueryDto, UsernamePathParams } from './users.request.dto';

/**
 * User management (SPEC §5): administrators only, every change an event with actor and reason.
 * Auditors (monitor, regulator) may read the user list. No response ever carries a password hash.
 */
const USER_READ_PROBLEMS: readonly ProblemResponse[] = [[400, 'VALIDATION.FAILED: an undeclared or malformed query parameter'], ...SESSION_PROBLEMS, STORE_PROBLEM];
const USER_CHANGE_PROBLEMS: readonly ProblemResponse[] = [
  [400, 'VALIDATION.FAILED (with `errors`), REQUEST.MALFORMED_JSON, REQUEST.INVALID_IF_MATCH, REQUEST.INVALID_IDEMPOTENCY_KEY, a PASSWORD.* rule, or another domain validation code'],
  ...BODY_PROBLEMS.filter(([status]) => status !== 400),
  ...SESSION_PROBLEMS,
  [404, 'IDENTITY.USER_NOT_FOUND'],
  [409, 'IDENTITY.USERNAME_TAKEN (usernames are never reused), IDENTITY.USERNAME_CONFUSABLE (reads as an existing username: 0/o, 1/l, rn/m), IDENTITY.FULL_NAME_IN_USE (an active account has the printed name; send a reason for another person of that name), IDENTITY.LAST_ADMIN (the last active administrator stays one)'],
  [412, 'REQUEST.PRECONDITION_FAILED: If-Match named a version; users have no entity tag (send none, or * except when adding a user, who does not exist yet)'],
  [422, 'IDEMPOTENCY.KEY_REUSED: the Idempotency-Key was used with another request (for a password, another password)'],
  STORE_PROBLEM,
];

/**
 * The `Idempotency-Key` of a user-management request, and the `Idempotent-Replayed` header its
 * repeat answers with (the same mechanism as every command route).
 */
const keyedBy = (header: string | string[] | undefined, response: HttpResponse): UserChangeKey => ({
  idempotencyKey: resolveIdempotencyKey(header, undefined),
  onRepeat: () => void response.header(IDEMPOTENT_REPLAYED_HEADER, 'true'),
});

/** An administrator's change to a user: the role it takes, its problems, and the `Idempotency-Key` header it reads. */
/** The answer of every user-management command and of the list, field by field (no password hash ever). */
const USER_VIEW =
  '{ userId, username, fullName, role, status (active | deactivated), createdAt, passwordChangedAt, passwordExpiresAt (null: never), mustChangePassword, lockedUntil (null: not locked), lastLoginAt }';

const UserChangeRoute = (): MethodDecorator => applyDecorators(Roles('admin'), ApiProblemResponses(USER_CHANGE_PROBLEMS), ApiHeader(IDEMPOTENCY_KEY_HEADER_DOC));

@ApiTags('users')
@Controller('api/v1/users')
export class UsersHttpController {
  constructor(private readonly users: UserAdministrationService) {}

  @Get()
  @Roles(...QUERY_ROLES.ListUsers)
  @ApiProblemResponses(USER_READ_PROBLEMS)
  @ApiOperation({ operationId: 'ListUsers', summary: 'Every user ever created, with role, status, password expiry and lockout' })
  @ApiOkResponse({ description: `{ users: [${USER_VIEW}] }` })
  async list(@CurrentActor() actor: Actor) {
    return { users: await this.users.listUsers(actor, 'api') };
  }

  @Get('history')
  @Roles(...QUERY_ROLES.GetUserHistory)
  @ApiProblemResponses(USER_READ_PROBLEMS)
  @ApiOperation({
    operationId: 'GetUserHistory',
    summary:
      'The history of user management in log order (the identity stream: users added, role changes, deactivations, password changes, logins, lockouts, refusals; and the account policy changes), paginated by log position, secrets redacted; admin: without subject ids',
  })
  @ApiOkResponse({ type: UserHistoryPageResponse })
  async history(@CurrentActor() actor: Actor, @Query() query: UserHistoryQueryDto): Promise<UserHistoryPageResponse> {
    return userHistoryPage(USER_MANAGEMENT_STREAM_IDS, await this.users.userManagementEvents(actor, 'api'), query, actor.role);
  }

  @Post()
  @UserChangeRoute()
  @ApiOperation({ operationId: 'AddUser', summary: 'Add a user (UserCreated); usernames are never reused' })
  @ApiCreatedResponse({ description: `The user added: ${USER_VIEW}` })
  add(
    @CurrentActor() actor: Actor, @NewResourceWithoutEntityTag() onlyIfAbsent: boolean, @Body() body: AddUserRequestDto,
    @IdempotencyKeyHeader() key: string | string[] | undefined, @Res({ passthrough: true }) response: HttpResponse,
  ) {
    return createdOnlyIfAbsent(this.users.addUser(actor, body, 'api', keyedBy(key, response)), onlyIfAbsent, 'IDENTITY.USERNAME_TAKEN');
  }

  @Post(':username/deactivate')
  @UserChangeRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'DeactivateUser', summary: "Withdraw a user's access (UserDeactivated); their sessions end at once" })
  @ApiOkResponse({ description: `The user as now: ${USER_VIEW}` })
  deactivate(
    @CurrentActor() actor: Actor, @NoEntityTag() _ifMatch: void, @Param() path: UsernamePathParams, @Body() body: ReasonRequestDto,
    @IdempotencyKeyHeader() key: string | string[] | undefined, @Res({ passthrough: true }) response: HttpResponse,
  ) {
    return this.users.deactivateUser(actor, { username: path.username, reason: body.reason }, 'api', keyedBy(key, response));
  }

  @Post(':username/reactivate')
  @UserChangeRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'ReactivateUser', summary: 'Restore access (UserReactivated)' })
  @ApiOkResponse({ description: `The user as now: ${USER_VIEW}` })
  reactivate(
    @CurrentActor() actor: Actor, @NoEntityTag() _ifMatch: void, @Param() path: UsernamePathParams, @Body() body: ReasonRequestDto,
    @IdempotencyKeyHeader() key: string | string[] | undefined, @Res({ passthrough: true }) response: HttpResponse,
  ) {
    return this.users.reactivateUser(actor, { username: path.username, reason: body.reason }, 'api', keyedBy(key, response));
  }

  @Post(':username/role')
  @UserChangeRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'ChangeUserRole', summary: "Change a user's role (UserRoleChanged); applies to open sessions at once" })
  @ApiOkResponse({ description: `The user as now: ${USER_VIEW}` })
  changeRole(
    @CurrentActor() actor: Actor, @NoEntityTag() _ifMatch: void, @Param() path: UsernamePathParams, @Body() body: ChangeRoleRequestDto,
    @IdempotencyKeyHeader() key: string | string[] | undefined, @Res({ passthrough: true }) response: HttpResponse,
  ) {
    return this.users.changeRole(actor, { username: path.username, role: body.role, reason: body.reason }, 'api', keyedBy(key, response));
  }

  @Post(':username/password-reset')
  @UserChangeRoute()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'ResetPassword', summary: 'Set a temporary password the user must change at the next login' })
  @ApiOkResponse({ description: `The user as now (mustChangePassword: true): ${USER_VIEW}` })
  resetPassword(
    @CurrentActor() actor: Actor, @NoEntityTag() _ifMatch: void, @Param() path: UsernamePathParams, @Body() body: ResetPasswordRequestDto,
    @IdempotencyKeyHeader() key: string | string[] | undefined, @Res({ passthrough: true }) response: HttpResponse,
  ) {
    return this.users.resetPassword(actor, { username: path.username, newPassword: body.newPassword, reason: body.reason }, 'api', keyedBy(key, response));
  }
}
