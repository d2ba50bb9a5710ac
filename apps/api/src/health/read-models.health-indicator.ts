import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { AuditTrailIndexService } from '../projections/audit-trail-index.service';
import { ReadModelsRunner } from '../projections/read-models.runner';
import { ViewerReadModels } from '../viewer/viewer-read-models';
import { withTimeout } from './store.health-indicator';

/** Read models this far behind the head of the log for this long are reported as not caught up. */
const CATCH_UP_TIMEOUT_MS = 2000;

/**
 * Readiness: the clinical read models have folded every event up to the head of the log (or do so
 * within a moment), the audit-trail index saves, and the viewer has derived its dashboard digests after start. A stopped or lagging runner makes the instance not ready, so a load balancer
 * sends reads elsewhere instead of serving a stale casebook.
 */
@Injectable()
export class ReadModelsHealthIndicator {
  constructor(
    private readonly health: HealthIndicatorService,
    private readonly modules: ModuleRef,
  ) {}

  async areCaughtUp(key = 'readModels'): Promise<HealthIndicatorResult> {
    const check = this.health.check(key);
    try {
      // Looked up rather than injected: the runner belongs to the projections module, which the
      // health module must not have to import (nor that module export it) for a probe.
      const runner = this.modules.get(ReadModelsRunner, { strict: false });
      if (!(await withTimeout(runner.caughtUp(CATCH_UP_TIMEOUT_MS), CATCH_UP_TIMEOUT_MS + 500))) return check.down();
      return this.viewerWarm() && this.auditTrailSaving() ? check.up() : check.down();
    } catch {
      return check.down();
    }
  }

  /** The audit-trail index saves (not stopped on a failing disk or a lock held elsewhere); a server without one has nothing to wait for. */
  private auditTrailSaving(): boolean {
    try {
      return this.modules.get(AuditTrailIndexService, { strict: false }).healthy;
    } catch {
      return true;
    }
  }

  /** The viewer's dashboard digests are derived (a server without the viewer has nothing to wait for). */
  private viewerWarm(): boolean {
    let viewer: ViewerReadModels;
    try {
      viewer = this.modules.get(ViewerReadModels, { strict: false });
    } catch {
      return true;
    }
    return viewer.isWarm;
  }
}
