import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { StoreUnavailableError, type EventStore } from '@trial-ledger/event-store';
import { EVENT_STORE } from '../shared/tokens';

export interface HealthView {
  readonly status: 'ok';
  readonly store: { readonly description: string; readonly reachable: true; readonly headPosition: number; readonly headRecordedAt: string | null };
}

/**
 * Liveness and readiness in one: the store answers and says where the head of the log is. Public
 * (no bearer token) so that a load balancer or `trial-ledger serve` supervisor can probe it; it
 * discloses no clinical data.
 */
@ApiTags('health')
@Controller('health')
export class HealthHttpController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({ summary: 'Store reachable and the head position of the log' })
  @ApiOkResponse({ description: 'The store answered.' })
  async check(): Promise<HealthView> {
    try {
      const head = await this.store.head();
      return { status: 'ok', store: { description: this.store.description, reachable: true, headPosition: head.position, headRecordedAt: head.recordedAt } };
    } catch (error) {
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError('The event store did not answer the health probe', error);
    }
  }
}
