import { Injectable, Logger, type LoggerService } from '@nestjs/common';
import type { HealthCheckResult } from '@nestjs/terminus';
import { healthFailureCode } from './health.http.controller';

/**
 * Terminus's own line for a failed check (`Health Check has failed! {…per-check states…}`, an error) with the
 * failure's stable code, as every warning and error line of the log has one; it used to have none.
 */
@Injectable()
export class HealthCheckLogger implements LoggerService {
  private readonly logger = new Logger('HealthCheck');

  log(message: unknown): void {
    this.logger.log(message);
  }

  warn(message: unknown): void {
    this.logger.warn({ code: 'HEALTH.NOT_READY' }, String(message));
  }

  error(message: unknown): void {
    const text = String(message);
    let details: HealthCheckResult['details'] = {};
    try {
      details = JSON.parse(text.slice(text.indexOf('{'))) as HealthCheckResult['details'];
    } catch {
      // Not terminus's JSON style: the code of a check that failed without states.
    }
    const code = healthFailureCode(details);
    this.logger.error({ code }, `${text} ${code}`);
  }
}
