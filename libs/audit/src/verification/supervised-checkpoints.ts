import type { EventStore, Subscription } from '@trial-ledger/event-store';
import { startAutoCheckpoints, type AutoCheckpointOptions } from './checkpointing';

/** The first pause before signing is started again after a failure; it doubles up to `MAX_RESTART_DELAY_MS`. */
const FIRST_RESTART_DELAY_MS = 1_000;
const MAX_RESTART_DELAY_MS = 30_000;

export interface CheckpointSupervision {
  /** Signing stopped (the checkpoint file cannot be written, the log cannot be read): told once per stop, not per attempt. */
  readonly onStopped: (error: unknown) => void;
  /** A checkpoint was written again after `onStopped`. */
  readonly onResumed: (position: number) => void;
}

/**
 * `startAutoCheckpoints` kept running for as long as a server runs. A subscription that fails — its
 * checkpoint file's disk full, a read of the log that failed — would otherwise stop both the signed
 * checkpoints and the watch for damage (SPEC §4) without a word; it is started again from the last
 * valid checkpoint in the file, after 1 s and then at doubling pauses up to 30 s, so the checkpoints
 * missed meanwhile are signed once the file can be written again and every event is still verified.
 * The first start is not supervised: what refuses it (a rewritten log, an unsafe file) refuses the
 * server's start. Damage found on a restart is reported through `onTamper`, and signing stays stopped.
 */
export const superviseAutoCheckpoints = async (store: EventStore, options: AutoCheckpointOptions, supervision: CheckpointSupervision): Promise<Subscription> => {
  let current: Subscription | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let delayMs = FIRST_RESTART_DELAY_MS;
  /** The message of the failure that stopped signing, until a checkpoint is written again. */
  let failure: string | null = null;

  const supervised: AutoCheckpointOptions = {
    ...options,
    onCheckpoint: (checkpoint) => {
      delayMs = FIRST_RESTART_DELAY_MS;
      if (failure !== null) supervision.onResumed(checkpoint.position);
      failure = null;
      options.onCheckpoint?.(checkpoint);
    },
    onError: (error) => failed(error),
  };

  const failed = (error: unknown): void => {
    if (stopped || timer !== null) return;
    const message = error instanceof Error ? error.message : String(error);
    // Once per stop, however many attempts fail (and with what: a restart meets the same cause in another call).
    if (failure === null) supervision.onStopped(error);
    failure = message;
    const fault = error as { code?: unknown; details?: { position?: unknown } };
    if (fault.code === 'LEDGER.TAMPERED') {
      options.onTamper?.(message, typeof fault.details?.position === 'number' ? fault.details.position : 0);
      return;
    }
    timer = setTimeout(() => void restart(), delayMs);
    timer.unref();
    delayMs = Math.min(delayMs * 2, MAX_RESTART_DELAY_MS);
  };

  const restart = async (): Promise<void> => {
    timer = null;
    const failedSubscription = current;
    current = null;
    await failedSubscription?.stop().catch(() => undefined);
    if (stopped) return;
    try {
      const started = await startAutoCheckpoints(store, supervised);
      // Stopped while it started (the server shutting down): nothing may keep following the log.
      if (stopped) await started.stop();
      else current = started;
    } catch (error) {
      failed(error);
    }
  };

  current = await startAutoCheckpoints(store, supervised);
  return {
    waitFor: (position) => (current ? current.waitFor(position) : Promise.reject(new Error(failure ?? 'signed checkpoints are stopped'))),
    stop: async () => {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      timer = null;
      await current?.stop();
    },
  };
};
