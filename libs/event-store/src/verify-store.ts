import type { EventStore, ReadAllOptions } from './event-store.port';
import { ChainVerifier, type ChainVerification } from './hash-chain';

/**
 * Recomputes the whole hash chain of a store (SPEC §4), from its stored bytes where the store offers
 * them, otherwise from its events. Streams the log: memory is bounded by the number of streams.
 */
export const verifyStore = async (
  store: EventStore,
  options: ReadAllOptions & { onProgress?: (position: number) => void } = {},
): Promise<ChainVerification> => {
  const whole = options.afterPosition === undefined && options.toPosition === undefined && !options.onProgress;
  if (whole && store.verifyChain) {
    const native = await store.verifyChain();
    if (native) return native;
  }
  const verifier = new ChainVerifier();
  let n = 0;
  if (store.readAllRaw) {
    for await (const record of store.readAllRaw(options)) {
      if (!verifier.pushRaw(record)) break;
      if (options.onProgress && ++n % 10_000 === 0) options.onProgress(record.globalPosition);
    }
  } else {
    for await (const event of store.readAll(options)) {
      if (!verifier.push(event)) break;
      if (options.onProgress && ++n % 10_000 === 0) options.onProgress(event.globalPosition);
    }
  }
  return verifier.result();
};
