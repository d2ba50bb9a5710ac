import { StoreWriteError, type StoreWriteFault } from './event-store.errors';

/** Whether the store can take writes now: what readiness reports (the instance leaves rotation while not). */
export interface StoreWriteHealth {
  readonly writable: boolean;
  /** The fault that made the last write fail, while it lasts. */
  readonly fault?: StoreWriteFault;
  readonly detail?: string;
  /** When the fault was first seen (ISO 8601). */
  readonly since?: string;
}

/**
 * Remembers the last write fault of a store until it has gone: a later write succeeds, or `probe`
 * (cheap, side-effect free: free space, a writable file system, a database not in read-only mode)
 * says the cause has cleared. `STORE.FILE_REPLACED` never clears by itself: the server must be
 * restarted on a file someone has checked.
 */
export class StoreWriteHealthTracker {
  private fault: { code: StoreWriteFault; detail: string; since: string; lastSeenMs: number } | null = null;

  /**
   * `holdMs`: a fault older than this is taken as cleared when the probe cannot tell (0: only the probe
   * decides); `heldFaults`: the faults the hold applies to (all when not given).
   */
  constructor(
    private readonly probe: (fault: StoreWriteFault) => Promise<boolean> | boolean,
    private readonly holdMs = 0,
    private readonly heldFaults?: readonly StoreWriteFault[],
  ) {}

  /** Records `error` if it is a write fault; returns it unchanged either way (for `throw tracker.seen(e)`). */
  seen(error: unknown): unknown {
    if (error instanceof StoreWriteError && (this.fault === null || this.fault.code !== 'STORE.FILE_REPLACED')) {
      this.fault = { code: error.code, detail: error.message, since: this.fault?.since ?? new Date().toISOString(), lastSeenMs: Date.now() };
    }
    return error;
  }

  succeeded(): void {
    if (this.fault?.code !== 'STORE.FILE_REPLACED') this.fault = null;
  }

  async health(): Promise<StoreWriteHealth> {
    const fault = this.fault;
    if (fault === null) return { writable: true };
    if (fault.code !== 'STORE.FILE_REPLACED') {
      const held = this.heldFaults === undefined || this.heldFaults.includes(fault.code);
      const expired = held && this.holdMs > 0 && Date.now() - fault.lastSeenMs >= this.holdMs;
      const cleared = expired || (await Promise.resolve(this.probe(fault.code)).catch(() => false));
      if (cleared && this.fault === fault) {
        this.fault = null;
        return { writable: true };
      }
    }
    return { writable: false, fault: fault.code, detail: fault.detail, since: fault.since };
  }
}
