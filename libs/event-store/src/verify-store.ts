import type { EventStore, ReadAllOptions } from './event-store.port';
import { verifyChain, verifyRawChain, type ChainVerification, type VerificationProgress } from './hash-chain';

/**
 * Recomputes the whole hash chain of a store (SPEC §4), from its stored bytes where the store offers
 * them, otherwise from its events. Streams the log: memory is bounded by the number of streams.
 */
export const verifyStore = async (
  store: EventStore,
  options: ReadAllOptions & { onProgress?: VerificationProgress } = {},
): Promise<ChainVerification> => {
  const whole = options.afterPosition === undefined && options.toPosition === undefined && !options.onProgress;
  if (whole && store.verifyChain) {
    const native = await store.verifyChain();
    if (native) return native;
  }
  return store.readAllRaw ? verifyRawChain(store.readAllRaw(options), options.onProgress) : verifyChain(store.readAll(options), options.onProgress);
};
