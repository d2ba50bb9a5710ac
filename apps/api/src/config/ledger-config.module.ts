import type { DynamicModule } from '@nestjs/common';
import { ConfigModule, registerAs } from '@nestjs/config';
import { ledgerConfig } from './ledger-environment';

/** The namespace of the validated configuration: `configService.getOrThrow<LedgerConfig>(LEDGER_CONFIG)`. */
export const LEDGER_CONFIG = 'ledger';

/**
 * @nestjs/config over the ledger's schema. Nothing is read from a `.env` file (a deployment sets its
 * environment explicitly) and nothing is written back to `process.env`; a test passes its own
 * `environment` instead of changing the process's. An invalid value fails the start of the app.
 */
export const ledgerConfigModule = (environment: Readonly<Record<string, string | undefined>> = process.env): Promise<DynamicModule> =>
  ConfigModule.forRoot({
    isGlobal: true,
    ignoreEnvFile: true,
    validatePredefined: false,
    skipProcessEnv: true,
    load: [registerAs(LEDGER_CONFIG, () => ledgerConfig(environment))],
  });
