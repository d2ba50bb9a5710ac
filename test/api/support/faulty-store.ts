import { ConcurrencyError, StoreUnavailableError, type AppendRequest, type EventStore } from '@trial-ledger/event-store';

/** Switches a test flips to make the store misbehave the way real databases do. */
export interface StoreFaults {
  /** Every call fails as if the database were unreachable. */
  unavailable: boolean;
  /** Every append loses the race: another writer moved the stream first. */
  conflictOnAppend: boolean;
  appendCalls: number;
}

export const storeFaults = (): StoreFaults => ({ unavailable: false, conflictOnAppend: false, appendCalls: 0 });

/** The real store behind a proxy that injects the faults (reads and writes go through untouched otherwise). */
export const faultyStore = (faults: StoreFaults) => (store: EventStore): EventStore =>
  new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || property === 'close') return value;
      return (...args: unknown[]) => {
        if (faults.unavailable) throw new StoreUnavailableError('database connection refused (injected)');
        if (property === 'append') {
          faults.appendCalls += 1;
          if (faults.conflictOnAppend) {
            const write = (args[0] as AppendRequest).writes[0];
            const expected = typeof write.expectedVersion === 'number' ? write.expectedVersion : 0;
            throw new ConcurrencyError(write.streamId, write.expectedVersion, expected + 1);
          }
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
