import { Controller, Get, HttpStatus, Logger, UseGuards } from '@nestjs/common';
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
  private readonly logger = new Logger('Health');
  /** Readiness as last said in the log: `up`, or the code of its failure. */
  private readiness: string = 'up';

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
    return this.run([() => this.store.isReachable(), async () => this.ledger.isIntact(), () => this.readModels.areCaughtUp()], true);
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
  private async run(checks: HealthIndicatorFunction[], readiness = false): Promise<HealthCheckResult> {
    try {
      const result = await this.health.check(checks);
      if (readiness) this.sayReadiness('up', result.details);
      return result;
    } catch (error) {
      const details = ((error as { getResponse?: () => unknown }).getResponse?.() as HealthCheckResult | undefined)?.details ?? {};
      const code = healthFailureCode(details);
      if (readiness) this.sayReadiness(code, details);
      // A store that answers but cannot write keeps the code its refused commands get, with Retry-After.
      if (isStoreWriteFault(code)) throw new StoreWriteError(code, 'The event store cannot write');
      if (code === 'STORE.UNAVAILABLE') throw new ApiProblemException(code, HttpStatus.SERVICE_UNAVAILABLE, 'The event store is unreachable.', { checks: details });
      if (code === 'LEDGER.TAMPERED') {
        throw new ApiProblemException(code, HttpStatus.SERVICE_UNAVAILABLE, 'The server found events in the ledger whose content no longer matches their hashes; run verify.', { checks: details });
      }
      throw new ApiProblemException(code, HttpStatus.SERVICE_UNAVAILABLE, 'The read models are not caught up with the ledger.', { checks: details });
    }
  }

  /**
   * One line per change of readiness, however often it is probed: a warning (with its code) when it goes down or
   * its cause changes, an info line when it is up again. Probes that find it as it was add nothing to the log.
   */
  private sayReadiness(state: string, details: HealthCheckResult['details']): void {
    if (state === this.readiness) return;
    const was = this.readiness;
    this.readiness = state;
    if (state === 'up') this.logger.log({ was }, `readiness up again (was down: ${was})`);
    else this.logger.warn({ code: state, checks: details }, `readiness down: ${checkStates(details)}; /health and /health/ready answer 503 until it recovers ${state}`);
  }
}

/** `store down, ledger up, readModels down`: each check's state, as the 503 body gives them. */
const checkStates = (details: HealthCheckResult['details']): string =>
  Object.entries(details)
    .map(([name, state]) => `${name} ${String(state.status)}`)
    .join(', ');

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
