/** The server's clock: the only place `recordedAt` comes from. Injected so tests can fix time. */
export interface Clock {
  /** ISO 8601 UTC instant with milliseconds. */
  now(): string;
}

export const systemClock: Clock = { now: () => new Date().toISOString() };

/** A clock for tests and deterministic runs: starts at an instant and moves only when told. */
export class FixedClock implements Clock {
  private ms: number;
  constructor(start: string) {
    this.ms = Date.parse(start);
  }
  now(): string {
    return new Date(this.ms).toISOString();
  }
  set(instant: string): void {
    this.ms = Date.parse(instant);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}
