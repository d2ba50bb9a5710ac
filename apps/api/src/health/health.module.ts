import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthCheckLogger } from './health-check.logger';
import { HealthHttpController } from './health.http.controller';
import { LedgerIntegrityHealthIndicator } from './ledger-integrity.health-indicator';
import { ReadModelsHealthIndicator } from './read-models.health-indicator';
import { StoreHealthIndicator } from './store.health-indicator';
import { StoreHealthService } from './store-health.service';

const httpControllers = [HealthHttpController];
const healthIndicators = [StoreHealthIndicator, LedgerIntegrityHealthIndicator, ReadModelsHealthIndicator];
const services = [StoreHealthService];

@Module({ imports: [TerminusModule.forRoot({ errorLogStyle: 'json', logger: HealthCheckLogger })], controllers: [...httpControllers], providers: [...healthIndicators, ...services], exports: [...services] })
export class HealthModule {}
