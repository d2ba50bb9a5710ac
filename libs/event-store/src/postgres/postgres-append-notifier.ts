import { Client, type ClientConfig } from 'pg';
import { LocalAppendNotifier, type AppendNotifier } from '../catch-up-subscription';

/** NOTIFY channel that wakes catch-up subscriptions in every process connected to the database. */
export const APPEND_CHANNEL = 'trial_ledger_appended';

/**
 * Wakes subscriptions on `NOTIFY trial_ledger_appended` from any process, over one dedicated
 * connection that LISTENs (a pooled connection would be handed to other queries). If that
 * connection fails, subscriptions fall back to polling until the next wait re-opens it.
 */
export class PostgresAppendNotifier implements AppendNotifier {
  private readonly local = new LocalAppendNotifier();
  private listener: Client | null = null;
  private opening: Promise<void> | null = null;
  private closed = false;

  /** `onDropped`: told when an open LISTEN connection is dropped by the server or the network (not when closed here). */
  constructor(
    private readonly config: ClientConfig,
    private readonly onDropped?: (error: Error | undefined) => void,
  ) {}

  /**
   * The highest position any notification has announced. A notification that arrives while a
   * subscription is busy reading would otherwise be lost, leaving it asleep until the next poll.
   */
  private announced = 0;

  /** Appends made through this store wake its subscribers without waiting for the round trip. */
  notify(position: number): void {
    this.announced = Math.max(this.announced, position);
    this.local.notify();
  }

  waitForAppend(position: number, timeoutMs: number): Promise<void> {
    void this.listen();
    if (this.announced > position) return Promise.resolve();
    return this.local.waitForAppend(position, timeoutMs);
  }

  /** Opens the LISTEN connection if it is not open; resolves once it listens (or has failed). */
  listen(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (!this.opening) {
      const client = new Client(this.config);
      const reset = (): void => {
        if (this.listener === client) this.listener = null;
        this.opening = null;
      };
      let dropped = false;
      // An open LISTEN connection that ends (an error first, or the end alone) without close() is said once.
      const drop = (error?: Error): void => {
        const listening = this.listener === client;
        reset();
        if (!listening || dropped || this.closed) return;
        dropped = true;
        this.onDropped?.(error);
      };
      client.on('error', drop);
      client.on('end', () => drop());
      client.on('notification', (message) => this.notify(Number(message.payload ?? 0) || 0));
      this.opening = client
        .connect()
        .then(() => client.query(`LISTEN ${APPEND_CHANNEL}`))
        .then(async () => {
          if (this.closed) {
            await client.end();
            return;
          }
          this.listener = client;
          // Anything appended while the LISTEN was being set up: the subscription re-reads on wake-up.
          this.local.notify();
        })
        .catch(() => {
          reset();
          void client.end().catch(() => undefined);
        });
    }
    return this.opening;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.opening;
    const listener = this.listener;
    this.listener = null;
    if (listener) await listener.end().catch(() => undefined);
  }
}
