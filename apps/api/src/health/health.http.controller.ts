import { Controller, Get, HttpStatus, UseGuards } from '@nestjs/common';
import { DeclaredQueryGuard } from '../shared/validation/declared-query.guard';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, type HealthCheckResult, type HealthIndicatorFunction } from '@nestjs/terminus';
import { StoreWriteError, type StoreWriteFault } from '@trial-ledger/event-store';
import { ApiProblemException } from '../shared/problem-details/api-problem.exception';
import { LedgerIntegrityHealthIndicator } from './ledger-integrity.health-indicator';
import { ReadModelsHealthIndicator } from './read-models.health-indicator';
import { StoreHealthIndicator } from './store.health-indicator';

/**
 * Liveness and readiness (@nestjs/terminus), public so that a load balancer, an orchestrator or the
 * container's HEALTHCHECK can probe without a token. Each answer says `up` or `down` per check and
 * nothing else: no store URL or file path, no log position, no error text.
 */
@ApiTags('health')
@Controller('health')
@UseGuards(DeclaredQueryGuard)
export class HealthHttpController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly store: StoreHealthIndicator,
    private readonly ledger: LedgerIntegrityHealthIndicator,
    private readonly readModels: ReadModelsHealthIndicator,
  ) {}

  /** `/health` is kept as documented (the Docker HEALTHCHECK probes it) and answers as readiness. */
  @Get(['/', 'ready'])
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Readiness (/health/ready, also /health): the store answers, no damage was found in the ledger while serving, and the read models are caught up with the log' })
  @ApiOkResponse({ description: '{ status: "ok", info: { store: { status: "up" }, ledger: { status: "up" }, readModels: { status: "up" } } }' })
  @ApiServiceUnavailableResponse({
    description: 'STORE.UNAVAILABLE, LEDGER.TAMPERED or HEALTH.NOT_READY problem with each check up or down; STORE.DISK_FULL, STORE.READ_ONLY, STORE.IO_ERROR, STORE.FILE_REPLACED or STORE.LOCKED (with Retry-After) while the store cannot write',
  })
  ready(): Promise<HealthCheckResult> {
    return this.run([() => this.store.isReachable(), async () => this.ledger.isIntact(), () => this.readModels.areCaughtUp()]);
  }

  @Get('live')
  @HealthCheck({ swaggerDocumentation: false })
  @ApiOperation({ summary: 'Liveness: the process serves requests (no dependency is checked, so a store outage does not restart it)' })
  @ApiOkResponse({ description: '{ status: "ok" }' })
  live(): Promise<HealthCheckResult> {
    return this.run([]);
  }

  /**
   * Terminus's 503 as this API's one error format (RFC 9457), with the per-check states: an unreachable
   * store keeps the code every other route gives for it (STORE.UNAVAILABLE); damage found in the ledger
   * while serving is LEDGER.TAMPERED; lagging or stopped read models are HEALTH.NOT_READY.
   */
  private async run(checks: HealthIndicatorFunction[]): Promise<HealthCheckResult> {
    try {
      return await this.health.check(checks);
    } catch (error) {
      const details = ((error as { getResponse?: () => unknown }).getResponse?.() as HealthCheckResult | undefined)?.details ?? {};
      const code = healthFailureCode(details);
      // A store that answers but cannot write keeps the code its refused commands get, with Retry-After.
      if (isStoreWriteFault(code)) throw new StoreWriteError(code, 'The event store cannot write');
      if (code === 'STORE.UNAVAILABLE') throw new ApiProblemException(code, HttpStatus.SERVICE_UNAVAILABLE, 'The event store is unreachable.', { checks: details });
      if (code === 'LEDGER.TAMPERED') {
        throw new ApiProblemException(code, HttpStatus.SERVICE_UNAVAILABLE, 'The server found events in the ledger whose content no longer matches their hashes; run verify.', { checks: details });
      }
      throw new ApiProblemException(code, HttpStatus.SERVICE_UNAVAILABLE, 'The read models are not caught up with the ledger.', { checks: details });
    }
  }
}

/** The stable code of a failed health check, from its per-check states: the store's first, then the ledger's, then the read models'. */
export const healthFailureCode = (details: HealthCheckResult['details']): StoreWriteFault | 'STORE.UNAVAILABLE' | 'LEDGER.TAMPERED' | 'HEALTH.NOT_READY' => {
  if (details.store?.status === 'down') {
    const fault = (details.store as { fault?: unknown }).fault;
    return isStoreWriteFault(fault) ? fault : 'STORE.UNAVAILABLE';
  }
  return details.ledger?.status === 'down' ? 'LEDGER.TAMPERED' : 'HEALTH.NOT_READY';
};

const STORE_WRITE_FAULTS: ReadonlySet<unknown> = new Set<StoreWriteFault>(['STORE.DISK_FULL', 'STORE.READ_ONLY', 'STORE.IO_ERROR', 'STORE.FILE_REPLACED', 'STORE.LOCKED']);
const isStoreWriteFault = (value: unknown): value is StoreWriteFault => STORE_WRITE_FAULTS.has(value);
