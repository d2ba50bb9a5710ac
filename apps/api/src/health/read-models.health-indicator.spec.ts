import type { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ReadModelsRunner } from '../projections/read-models.runner';
import { ViewerReadModels } from '../viewer/viewer-read-models';
import { ReadModelsHealthIndicator } from './read-models.health-indicator';

/** A module registry holding the given providers, as `ModuleRef.get(…, { strict: false })` finds them. */
const modules = (providers: Map<unknown, unknown>): ModuleRef =>
  ({
    get: (token: unknown) => {
      if (!providers.has(token)) throw new Error(`no provider ${String(token)}`);
      return providers.get(token);
    },
  }) as unknown as ModuleRef;

describe('readiness of the read models', () => {
  const runner = (caughtUp: boolean) => ({ caughtUp: async () => caughtUp });
  const viewer = (isWarm: boolean) => ({ isWarm });
  const probe = (providers: Map<unknown, unknown>) => new ReadModelsHealthIndicator(new HealthIndicatorService(), modules(providers)).areCaughtUp();

  it('is down while the viewer is still deriving its dashboard digests after start, and up once it has', async () => {
    expect(await probe(new Map<unknown, unknown>([[ReadModelsRunner, runner(true)], [ViewerReadModels, viewer(false)]]))).toEqual({ readModels: { status: 'down' } });
    expect(await probe(new Map<unknown, unknown>([[ReadModelsRunner, runner(true)], [ViewerReadModels, viewer(true)]]))).toEqual({ readModels: { status: 'up' } });
  });

  it('is down while the read models lag, whatever the viewer; a server without the viewer waits for the read models only', async () => {
    expect(await probe(new Map<unknown, unknown>([[ReadModelsRunner, runner(false)], [ViewerReadModels, viewer(true)]]))).toEqual({ readModels: { status: 'down' } });
    expect(await probe(new Map<unknown, unknown>([[ReadModelsRunner, runner(true)]]))).toEqual({ readModels: { status: 'up' } });
  });
});
