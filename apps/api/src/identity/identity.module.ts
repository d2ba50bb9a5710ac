import { Global, Module } from '@nestjs/common';
import { AuthenticationService, AuthorizationLog, Identity, SignatureService, UserAdministrationService } from '@trial-ledger/identity';
import { AuthHttpController } from './auth/auth.http.controller';
import { IdentityShutdown, identityProvider, identityServiceProviders } from './identity.providers';
import { SignaturesHttpController } from './signatures/signatures.http.controller';
import { UsersHttpController } from './users/users.http.controller';

const httpControllers = [AuthHttpController, UsersHttpController, SignaturesHttpController];
const services = [identityProvider, ...identityServiceProviders, IdentityShutdown];

/**
 * Authentication, user management and electronic signatures over HTTP. Global, and the only place
 * the identity services are provided: they hold the sessions, so the login route and every feature
 * module's `BearerAuthGuard` must share this one instance.
 */
@Global()
@Module({ controllers: [...httpControllers], providers: [...services], exports: [Identity, UserAdministrationService, AuthenticationService, AuthorizationLog, SignatureService] })
export class IdentityModule {}
