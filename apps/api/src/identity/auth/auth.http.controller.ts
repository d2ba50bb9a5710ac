import { Body, Controller, HttpCode, HttpStatus, Post, Req, UseGuards } from '@nestjs/common';
import { DeclaredQueryGuard } from '../../shared/validation/declared-query.guard';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ROLES } from '@trial-ledger/domain';
import { AuthenticationService } from '@trial-ledger/identity';
import type { HttpRequest } from '../../shared/http/http.types';
import { originOf } from '../client-origin';
import { Roles } from '../roles.decorator';
import { ChangePasswordRequestDto, LoginRequestDto } from './auth.request.dto';

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
  async login(@Body() body: LoginRequestDto, @Req() request: HttpRequest) {
    const result = await this.auth.login(body.username, body.password, originOf(request));
    return { token: result.token, tokenType: 'Bearer', expiresAt: result.expiresAt, actor: result.actor, passwordExpiresAt: result.passwordExpiresAt };
  }

  @Post('logout')
  @Roles(...ROLES)
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'Logout', summary: 'End the session: its token stops working at once' })
  async logout(@Req() request: HttpRequest): Promise<void> {
    await this.auth.logout(bearerOf(request), 'api');
  }

  @Post('password')
  @UseGuards(DeclaredQueryGuard)
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'ChangePassword',
    summary: 'Change your password (also the way out of an expired one); ends your open sessions',
    description: 'Refusals: AUTH.INVALID_CREDENTIALS, AUTH.ACCOUNT_LOCKED (401); PASSWORD.TOO_SHORT (400); PASSWORD.REUSED (409).',
  })
  changePassword(@Body() body: ChangePasswordRequestDto, @Req() request: HttpRequest) {
    return this.auth.changePassword(body, originOf(request));
  }
}
