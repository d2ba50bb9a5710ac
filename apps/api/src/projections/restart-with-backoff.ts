import type { Logger } from '@nestjs/common';
import { withoutSecrets } from '@trial-ledger/config';
import { mapSqliteWriteError } from '@trial-ledger/event-store';

/** The longest pause between attempts to restart a failed follower of the log (a freed disk is noticed within it). */
const MAX_RECOVERY_DELAY_MS = 4_000;

/** A stable code (`STORE.*`) and a project code pattern: what an operator's log search keys on. */
const STABLE_CODE = /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/;

/**
 * The log line of a follower that stopped: what stopped, the stable code of the cause — a side file's
 * SQLite error read as the ledger's own (`STORE.DISK_FULL`, `STORE.IO_ERROR`, …), a store fault's own
 * code, else `READ_MODEL.STOPPED` — and the cause's words.
 */
export const followerFailure = (what: string, error: unknown): string =>
  `${what} (${followerFailureCode(error)}): ${withoutSecrets(error instanceof Error ? error.message : String(error))}`;

/** The stable code of a follower's failure, as its log line's `code`. */
export const followerFailureCode = (error: unknown): string => {
  const mapped = mapSqliteWriteError(error) as { code?: unknown } | null;
  return typeof mapped?.code === 'string' && STABLE_CODE.test(mapped.code) ? mapped.code : 'READ_MODEL.STOPPED';
};

/** What follows the log from a saved checkpoint: the read models' runner, the audit-trail indexer. */
export interface CheckpointedFollower {
  start(): Promise<void>;
  stop(): Promise<void>;
  flush(): Promise<void>;
}

/**
 * Restarts a follower of the log that failed (a full disk, a broken subscription) from its saved
 * checkpoint: the first attempt a second after `schedule`, then at doubling pauses up to
 * `MAX_RECOVERY_DELAY_MS`, one attempt at a time, until one succeeds or `cancel` (module destroy), so
 * readiness turns green again without a restart of the server once the cause is gone.
 */
export class RestartWithBackoff {
  private timer: NodeJS.Timeout | null = null;
  private cancelled = false;
  /** The message of the last failed attempt, logged once until another cause or a restart. */
  private lastFailure: string | null = null;

  constructor(
    private readonly follower: CheckpointedFollower,
    private readonly logger: Logger,
    private readonly name: string,
    private readonly onRestarted: () => void = () => undefined,
  ) {}

  schedule(delayMs = 1000): void {
    if (this.timer !== null || this.cancelled) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.attempt(delayMs);
    }, delayMs);
    this.timer.unref();
  }

  cancel(): void {
    this.cancelled = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private async attempt(delayMs: number): Promise<void> {
    try {
      // Folded but unsaved rows are dropped: `start` reloads the saved rows and folds the log from their checkpoint.
      await this.follower.stop().catch(() => undefined);
      if (this.cancelled) return;
      await this.follower.start();
      await this.follower.flush();
      this.onRestarted();
      this.lastFailure = null;
      this.logger.log(`${this.name} resumed from the saved checkpoint`);
    } catch (error) {
      // Once per cause, not once per attempt: a disk that stays broken would otherwise fill the log.
      const message = (error as Error).message;
      if (message !== this.lastFailure) this.logger.error({ code: followerFailureCode(error) }, followerFailure(`${this.name} still stopped`, error));
      this.lastFailure = message;
      this.schedule(Math.min(delayMs * 2, MAX_RECOVERY_DELAY_MS));
    }
  }
}
