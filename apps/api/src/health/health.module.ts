import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { HealthHttpController } from './health.http.controller';
import { ReadModelsHealthIndicator } from './read-models.health-indicator';
import { StoreHealthIndicator } from './store.health-indicator';

const httpControllers = [HealthHttpController];
const healthIndicators = [StoreHealthIndicator, ReadModelsHealthIndicator];

@Module({ imports: [TerminusModule.forRoot({ errorLogStyle: 'json' })], controllers: [...httpControllers], providers: [...healthIndicators] })
export class HealthModule {}
