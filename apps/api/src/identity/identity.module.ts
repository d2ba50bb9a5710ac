import { Global, Module } from '@nestjs/common';
import { IdentityService } from '@trial-ledger/identity';
import { AuthHttpController } from './auth/auth.http.controller';
import { identityServiceProvider } from './identity.providers';
import { SignaturesHttpController } from './signatures/signatures.http.controller';
import { UsersHttpController } from './users/users.http.controller';

const httpControllers = [AuthHttpController, UsersHttpController, SignaturesHttpController];
const services = [identityServiceProvider];

/**
 * Authentication, user management and electronic signatures over HTTP. Global, and the only place
 * `IdentityService` is provided: it holds the sessions, so the login route and every feature
 * module's `BearerAuthGuard` must share this one instance.
 */
@Global()
@Module({ controllers: [...httpControllers], providers: [...services], exports: [IdentityService] })
export class IdentityModule {}
