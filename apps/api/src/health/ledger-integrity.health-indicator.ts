import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { API_OPTIONS, type ApiModuleOptions } from '../shared/tokens';

/**
 * Readiness: the server has found no damage in its ledger while it runs (`ApiModuleOptions.ledgerIntegrity`).
 * Down with the stable code only — the position and the damage go to the operator's log and `verify`.
 */
@Injectable()
export class LedgerIntegrityHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  isIntact(key = 'ledger'): HealthIndicatorResult {
    const check = this.health.check(key);
    const watch = this.options.ledgerIntegrity;
    if (watch?.damage) return check.down({ fault: 'LEDGER.TAMPERED' });
    // Signing stopped leaves the server ready (commands are recorded and verified as they arrive) but is said.
    return watch?.checkpointsAreStopped ? check.up({ checkpoints: 'stopped' }) : check.up();
  }
}
