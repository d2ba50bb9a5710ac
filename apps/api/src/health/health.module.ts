import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthHttpController } from './health.http.controller';
import { LedgerIntegrityHealthIndicator } from './ledger-integrity.health-indicator';
import { ReadModelsHealthIndicator } from './read-models.health-indicator';
import { StoreHealthIndicator } from './store.health-indicator';
import { StoreHealthService } from './store-health.service';

const httpControllers = [HealthHttpController];
const healthIndicators = [StoreHealthIndicator, LedgerIntegrityHealthIndicator, ReadModelsHealthIndicator];
const services = [StoreHealthService];

@Module({ imports: [TerminusModule.forRoot({ logger: false })], controllers: [...httpControllers], providers: [...healthIndicators, ...services], exports: [...services] })
export class HealthModule {}
