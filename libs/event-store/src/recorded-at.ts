/**
 * `recordedAt` never goes backwards along the log, even if the server clock does: bitemporal replay
 * ("as known at T" = every event recorded at or before T) then always selects a prefix of the log.
 */
export const nextRecordedAt = (clockNow: string, previous: string | null): string =>
  previous !== null && previous > clockNow ? previous : clockNow;
