import type { StoredEvent } from './event-envelope';
import type { ReadAllOptions, Subscription, SubscriptionOptions } from './event-store.port';

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
export class CatchUpSubscription implements Subscription {
  private position: number;
  private stopped = false;
  private readonly waiters: Array<{ position: number; resolve: () => void; reject: (e: unknown) => void }> = [];
  private failure: unknown = null;
  private readonly loop: Promise<void>;

  constructor(
    private readonly readAll: (options: ReadAllOptions) => AsyncIterable<StoredEvent>,
    private readonly notifier: AppendNotifier,
    private readonly options: SubscriptionOptions,
    private readonly pollMs = 250,
  ) {
    this.position = options.afterPosition;
    this.loop = this.run();
  }

  private async run(): Promise<void> {
    try {
      while (!this.stopped) {
        for await (const event of this.readAll({ afterPosition: this.position, batchSize: 500 })) {
          if (this.stopped) return;
          await this.options.onEvent(event);
          this.position = event.globalPosition;
          this.release();
        }
        if (this.stopped) return;
        this.options.onCaughtUp?.(this.position);
        this.release();
        await this.notifier.waitForAppend(this.position, this.pollMs);
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
    await this.loop;
  }
}

/** In-process notifier: appends in this process wake subscribers at once; the timeout covers the rest. */
export class LocalAppendNotifier implements AppendNotifier {
  private listeners = new Set<() => void>();

  notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  waitForAppend(_position: number, timeoutMs: number): Promise<void> {
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
