import { Module } from '@nestjs/common';
import { HealthHttpController } from './health.http.controller';
import { StoreHealthService } from './store-health.service';

const httpControllers = [HealthHttpController];
const services = [StoreHealthService];

@Module({ controllers: [...httpControllers], providers: [...services], exports: [...services] })
export class HealthModule {}
