import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { DeclaredQueryGuard } from '../../shared/validation/declared-query.guard';
import { ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES } from '@trial-ledger/domain';
import { AuthenticationService } from '@trial-ledger/identity';
import type { HttpRequest } from '../../shared/http/http.types';
import { NoIdempotencyKey } from '../../shared/http/idempotency-key';
import { originOf } from '../client-origin';
import { ApiProblemResponses, BODY_PROBLEMS, RATE_LIMIT_PROBLEM, STORE_PROBLEM, type ProblemResponse } from '../../shared/routing/problem-responses';
import { Roles } from '../roles.decorator';
import { ChangePasswordRequestDto, LoginRequestDto } from './auth.request.dto';

/** `/auth/*` takes no `Idempotency-Key` and refuses one (see `refuseIdempotencyKey`): a session or a credential change cannot be answered again. */
const NO_KEY_PROBLEM: ProblemResponse = [400, 'REQUEST.IDEMPOTENCY_KEY_NOT_ACCEPTED: an Idempotency-Key was sent'];
const AUTH_BODY_PROBLEMS: readonly ProblemResponse[] = BODY_PROBLEMS.map(([status, description]) =>
  status === 400 ? [status, `${description}, or REQUEST.IDEMPOTENCY_KEY_NOT_ACCEPTED (an Idempotency-Key was sent)`] : [status, description],
);

const bearerOf = (request: HttpRequest): string => /^Bearer\s+(\S+)$/i.exec(String(request.headers.authorization ?? '').trim())?.[1] ?? '';

@ApiTags('auth')
@Controller('api/v1/auth')
export class AuthHttpController {
  constructor(private readonly auth: AuthenticationService) {}

  @Post('login')
  @UseGuards(DeclaredQueryGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'Login',
    summary: 'Open a session: an opaque bearer token that expires after inactivity and at an absolute lifetime',
    description: 'Every attempt is recorded (LoginSucceeded / LoginFailed / AccountLockedOut). An unknown user, a wrong password, a locked and a deactivated account all answer 401 AUTH.INVALID_CREDENTIALS with the same body; AUTH.PASSWORD_EXPIRED (401) only after the right password.',
  })
  @ApiOkResponse({ description: '{ token, tokenType, expiresAt, actor, passwordExpiresAt }' })
  @ApiProblemResponses([
    ...AUTH_BODY_PROBLEMS,
    [401, 'AUTH.INVALID_CREDENTIALS (unknown user, wrong password, locked or deactivated account: one answer), AUTH.PASSWORD_EXPIRED'],
    [403, 'AUTH.PASSWORD_CHANGE_REQUIRED: the password was set by an administrator; choose your own first (POST /api/v1/auth/password)'],
    RATE_LIMIT_PROBLEM,
    STORE_PROBLEM,
  ])
  async login(@NoIdempotencyKey() _key: void, @Body() body: LoginRequestDto, @Req() request: HttpRequest) {
    const result = await this.auth.login(body.username, body.password, originOf(request));
    return { token: result.token, tokenType: 'Bearer', expiresAt: result.expiresAt, actor: result.actor, passwordExpiresAt: result.passwordExpiresAt };
  }

  @Post('logout')
  @Roles(...ROLES)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'Logout', summary: 'End the session: its token stops working at once' })
  @ApiNoContentResponse({ description: 'Signed out (LoggedOut recorded); no body.' })
  @ApiProblemResponses([NO_KEY_PROBLEM, [401, 'AUTH.UNAUTHENTICATED, AUTH.TOKEN_INVALID or AUTH.SESSION_EXPIRED: no, an unknown or an expired bearer token'], STORE_PROBLEM])
  async logout(@NoIdempotencyKey() _key: void, @Req() request: HttpRequest): Promise<void> {
    await this.auth.logout(bearerOf(request), 'api');
  }

  @Post('password')
  @UseGuards(DeclaredQueryGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'ChangePassword',
    summary: 'Change your password (also the way out of an expired one); ends your open sessions',
    description: 'Refusals: AUTH.INVALID_CREDENTIALS, AUTH.ACCOUNT_LOCKED (401); PASSWORD.TOO_SHORT, PASSWORD.TOO_WEAK, PASSWORD.CONTAINS_USERNAME, PASSWORD.CONTAINS_NAME and the other PASSWORD.* rules (400); PASSWORD.REUSED (409).',
  })
  @ApiOkResponse({
    description:
      'The account as now (PasswordChanged recorded; log in again with the new password): { userId, username, fullName, role, status, createdAt, passwordChangedAt, passwordExpiresAt, mustChangePassword: false, lockedUntil, lastLoginAt }',
  })
  @ApiProblemResponses([
    ...AUTH_BODY_PROBLEMS,
    [401, 'AUTH.INVALID_CREDENTIALS, AUTH.ACCOUNT_LOCKED'],
    [409, 'PASSWORD.REUSED: one of the recent passwords'],
    RATE_LIMIT_PROBLEM,
    STORE_PROBLEM,
  ])
  changePassword(@NoIdempotencyKey() _key: void, @Body() body: ChangePasswordRequestDto, @Req() request: HttpRequest) {
    return this.auth.changePassword(body, originOf(request));
  }
}
