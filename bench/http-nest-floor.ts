import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/**
 * The framework's floor, run as its own process: a Nest app with one POST route that takes the JSON
 * body and answers 201 with a counter, on Express (the API's adapter) or on Fastify. No validation,
 * guard, store or log: what any Nest route costs on this machine before the API does anything.
 * `node dist/bench/http-nest-floor.js express|fastify` prints its URL on the first stdout line.
 */
let position = 0;

@Controller()
class FloorController {
  @Post()
  @HttpCode(201)
  accept(@Body() body: unknown): { position: number } {
    if (body === undefined) throw new Error('no body');
    position += 1;
    return { position };
  }
}

@Module({ controllers: [FloorController] })
class FloorModule {}

const main = async (): Promise<void> => {
  const adapter = process.argv[2];
  if (adapter !== 'express' && adapter !== 'fastify') throw new Error('usage: http-nest-floor express|fastify');
  const app = adapter === 'fastify' ? await NestFactory.create(FloorModule, new FastifyAdapter(), { logger: false }) : await NestFactory.create(FloorModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const address = (app.getHttpServer() as import('node:http').Server).address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  process.stdout.write(`http://127.0.0.1:${address.port}\n`);
  process.on('SIGTERM', () => void app.close());
};

void main();
