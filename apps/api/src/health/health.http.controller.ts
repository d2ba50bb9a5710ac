import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';
import { StoreHealthService } from './store-health.service';

export interface HealthView {
  readonly status: 'ok';
  readonly store: { readonly description: string; readonly reachable: true; readonly headPosition: number; readonly headRecordedAt: string | null };
}

/**
 * Liveness and readiness in one: the store answers, can write, and says where the head of the log is. Public
 * (no bearer token) so that a load balancer or `trial-ledger serve` supervisor can probe it; it
 * discloses no clinical data.
 */
@ApiTags('health')
@Controller('health')
export class HealthHttpController {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly storeHealth: StoreHealthService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Store reachable and the head position of the log' })
  @ApiOkResponse({ description: 'The store answered and can write.' })
  @ApiServiceUnavailableResponse({ description: 'STORE.UNAVAILABLE, STORE.DISK_FULL, STORE.READ_ONLY, STORE.IO_ERROR or STORE.FILE_REPLACED, with Retry-After.' })
  async check(): Promise<HealthView> {
    const head = await this.storeHealth.ready();
    return { status: 'ok', store: { description: this.store.description, reachable: true, headPosition: head.position, headRecordedAt: head.recordedAt } };
  }
}
