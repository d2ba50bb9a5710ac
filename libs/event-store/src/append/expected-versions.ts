import { ConcurrencyError } from '../event-store.errors';
import type { AppendRequest } from '../event-store.port';

/**
 * Optimistic concurrency (SPEC §4): every stream the decision read but does not write must still be
 * at the version the decision saw, and every written stream at its expected version. Returns each
 * written stream's current version, from which the new events are numbered.
 */
export const checkExpectedVersions = (request: AppendRequest, versionOf: (streamId: string) => number): Record<string, number> => {
  for (const check of request.checks ?? []) {
    const actual = versionOf(check.streamId);
    if (actual !== check.expectedVersion) throw new ConcurrencyError(check.streamId, check.expectedVersion, actual);
  }
  const versions: Record<string, number> = {};
  for (const write of request.writes) {
    const actual = versionOf(write.streamId);
    if (write.expectedVersion !== 'any' && actual !== write.expectedVersion) throw new ConcurrencyError(write.streamId, write.expectedVersion, actual);
    versions[write.streamId] = actual;
  }
  return versions;
};
