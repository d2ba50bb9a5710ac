import type { StoredEvent } from './event-envelope';
import type { ReadAllOptions, Subscription, SubscriptionOptions } from './event-store.port';
import { StoreUnavailableError } from './event-store.errors';

/** Longest wait between two attempts to read from a store that is unavailable. */
const MAX_BACKOFF_MS = 5_000;


/** How a store tells a subscription that the log may have grown. */
export interface AppendNotifier {
  /** Resolves when an append may have happened after `position`, or after `timeoutMs` at the latest. */
  waitForAppend(position: number, timeoutMs: number): Promise<void>;
}

/**
 * A checkpointed catch-up subscription over any store: it reads the log from the subscriber's
 * checkpoint in batches, then waits for a notification (or a poll interval, which also catches
 * appends made by other processes) and reads again. The log is the source of truth; notifications
 * only shorten the wait.
 */
export class CatchUpSubscription<E extends { readonly globalPosition: number } = StoredEvent> implements Subscription {
  private position: number;
  private stopped = false;
  private readonly waiters: Array<{ position: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private failure: unknown = null;
  private readonly loop: Promise<void>;
  /**
   * Resolves on stop, cutting short any wait (a notifier's poll timer is unref'd, so a stop that waited
   * on it could leave a shutting-down process with nothing but that timer — and Node would exit
   * before the store is closed).
   */
  private readonly stopping: Promise<void>;
  private signalStop!: () => void;

  constructor(
    private readonly readAll: (options: ReadAllOptions) => AsyncIterable<E>,
    private readonly notifier: AppendNotifier,
    private readonly options: SubscriptionOptions<E>,
    private readonly pollMs = 250,
  ) {
    this.position = options.afterPosition;
    this.stopping = new Promise((resolve) => (this.signalStop = resolve));
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    let backoffMs = 0;
    try {
      while (!this.stopped) {
        try {
          for await (const event of this.readAll({ afterPosition: this.position, batchSize: 500 })) {
            if (this.stopped) return;
            await this.options.onEvent(event);
            this.position = event.globalPosition;
            backoffMs = 0;
            this.release();
          }
        } catch (error) {
          // A store that went away (database restart, dropped connection) is waited out: the loop resumes
          // from the last event it handed over, so nothing is skipped or handed over twice. Callers
          // waiting meanwhile are told at once (their request answers 503) rather than left hanging.
          if (!(error instanceof StoreUnavailableError)) throw error;
          for (const waiter of this.waiters.splice(0)) waiter.reject(error);
          backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(this.pollMs, backoffMs * 2));
          let timer: NodeJS.Timeout | undefined;
          await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, backoffMs))), this.stopping]);
          clearTimeout(timer);
          continue;
        }
        if (this.stopped) return;
        this.options.onCaughtUp?.(this.position);
        this.release();
        await Promise.race([this.notifier.waitForAppend(this.position, this.pollMs), this.stopping]);
      }
    } catch (error) {
      this.failure = error;
      this.options.onError?.(error);
      for (const waiter of this.waiters.splice(0)) waiter.reject(error);
    }
  }

  private release(): void {
    for (let i = this.waiters.length - 1; i >= 0; i -= 1) {
      if (this.waiters[i].position <= this.position) this.waiters.splice(i, 1)[0].resolve();
    }
  }

  waitFor(position: number): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (position <= this.position) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ position, resolve, reject }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.signalStop();
    await this.loop;
  }
}

/** In-process notifier: appends in this process wake subscribers at once; the timeout covers the rest. */
export class LocalAppendNotifier implements AppendNotifier {
  private listeners = new Set<() => void>();
  /** The highest head announced: an append committed while a subscriber was busy reading is not lost. */
  private announced = 0;

  notify(headPosition = 0): void {
    this.announced = Math.max(this.announced, headPosition);
    for (const listener of [...this.listeners]) listener();
  }

  waitForAppend(position: number, timeoutMs: number): Promise<void> {
    if (this.announced > position) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      timer.unref?.();
      this.listeners.add(done);
    });
  }
}
