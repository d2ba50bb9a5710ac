import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { AuditModule } from './audit/audit.module';
import { ledgerConfigModule } from './config/ledger-config.module';
import { structuredLoggingModule } from './edge/structured-logging';
import { acceptableMediaGuard } from './edge/content-negotiation';
import { throttlingGuard, throttlingModule } from './edge/throttling';
import { CorrectionsModule } from './corrections/corrections.module';
import { DispositionModule } from './disposition/disposition.module';
import { DosingModule } from './dosing/dosing.module';
import { EfficacyModule } from './efficacy/efficacy.module';
import { HealthModule } from './health/health.module';
import { IdentityModule } from './identity/identity.module';
import { MonitoringModule } from './monitoring/monitoring.module';
import { PfsModule } from './pfs/pfs.module';
import { ProjectionsModule } from './projections/projections.module';
import { SafetyModule } from './safety/safety.module';
import { ScreeningModule } from './screening/screening.module';
import { StudiesModule } from './studies/studies.module';
import { SubjectsModule } from './subjects/subjects.module';
import { ViewerModule } from './viewer/viewer.module';
import { InfrastructureModule } from './shared/infrastructure.module';
import { ProblemDetailsExceptionFilter } from './shared/problem-details/problem-details.exception-filter';
import { createRequestValidationPipe } from './shared/validation/request-validation.pipe';
import type { ApiModuleOptions } from './shared/tokens';
import type { DestinationStream } from 'pino';

export interface AppModuleOptions extends ApiModuleOptions {
  /** The environment to configure from (default: `process.env`); tests pass their own. */
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Where the JSON log goes (default: stderr); tests read it back. */
  readonly logDestination?: DestinationStream;
}

/** Feature modules, one per bounded area; each holds its vertical slices. */
const featureModules = [
  HealthModule,
  IdentityModule,
  StudiesModule,
  ScreeningModule,
  DosingModule,
  EfficacyModule,
  SafetyModule,
  DispositionModule,
  CorrectionsModule,
  SubjectsModule,
  ProjectionsModule,
  PfsModule,
  AuditModule,
  ViewerModule,
  MonitoringModule,
];

/** Cross-cutting edge behaviour, registered once here so every module (and every test app) gets it. */
const edgeProviders = [
  { provide: APP_FILTER, useClass: ProblemDetailsExceptionFilter },
  { provide: APP_PIPE, useFactory: createRequestValidationPipe },
  // Before the throttler: a request refused for its Accept is not counted as an attempt.
  acceptableMediaGuard,
  throttlingGuard,
];

@Module({})
export class AppModule {
  /** The store comes from outside: the CLI opens the one named by `--store`; tests pass a temp-file SQLite store. */
  static forRoot(options: AppModuleOptions): DynamicModule {
    return {
      module: AppModule,
      imports: [ledgerConfigModule(options.environment), structuredLoggingModule(options.logDestination), throttlingModule(), InfrastructureModule.forRoot(options), CqrsModule.forRoot(), ...featureModules],
      providers: [...edgeProviders],
    };
  }
}
