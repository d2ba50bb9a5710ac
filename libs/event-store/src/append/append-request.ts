import { InvalidAppendError } from '../event-store.errors';
import type { AppendRequest } from '../event-store.port';

/**
 * The shape rules of an append, checked before any I/O: at least one event, and no stream written
 * twice (two writes to one stream would each claim the same expected version).
 */
export const validateAppendRequest = (request: AppendRequest): void => {
  if (request.writes.length === 0 || request.writes.every((w) => w.events.length === 0)) {
    throw new InvalidAppendError('An append needs at least one event');
  }
  const streams = new Set<string>();
  for (const write of request.writes) {
    if (streams.has(write.streamId)) throw new InvalidAppendError(`Stream ${write.streamId} is written twice in one append`);
    streams.add(write.streamId);
  }
};

/** Every stream an append reads or writes: what an adapter must look up before deciding. */
export const streamsOf = (request: AppendRequest): string[] => [
  ...new Set([...(request.checks ?? []).map((c) => c.streamId), ...request.writes.map((w) => w.streamId)]),
];
