import { Module } from '@nestjs/common';
import { HealthHttpController } from './health.http.controller';

const httpControllers = [HealthHttpController];

@Module({ controllers: [...httpControllers] })
export class HealthModule {}
