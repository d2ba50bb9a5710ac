import { availableParallelism } from 'node:os';
import type { Pool } from 'pg';
import { ChainVerifier, type ChainVerification } from '../hash-chain';
import { joinRangeReports, type RangeReport } from '../range-reports';
import { queryRows } from './postgres-connection';
import { NEXT_POSITION_SQL, rawWindows } from './postgres-reads';
import { toRawRecord } from './postgres-rows';

/** Verification ranges below this many events are not worth a connection of their own. */
const MIN_VERIFY_RANGE = 25_000;

export interface PostgresVerifyOptions {
  /** Ranges verified at once, each on its own connection (default: the cores here, at most 4). */
  readonly ranges?: number;
  /** No range is made smaller than this many positions (default 25,000). */
  readonly minRange?: number;
  /** Positions per round trip. */
  readonly batchSize?: number;
}

/**
 * Verifies positions 1..head as contiguous ranges read over separate connections at once, each
 * checked from the stored bytes by its own `ChainVerifier`, then joined exactly as the SQLite
 * parallel verifier joins its workers' ranges (`joinRangeReports`). Hashes are recomputed here, in
 * the verifier, never by the database. The result is the sequential verifier's, fault for fault.
 */
export const verifyPostgresChain = async (pool: Pool, head: number, options: PostgresVerifyOptions = {}): Promise<ChainVerification> => {
  const parts = Math.max(
    1,
    Math.min(options.ranges ?? Math.min(4, availableParallelism()), Math.ceil(head / (options.minRange ?? MIN_VERIFY_RANGE))),
  );
  const size = Math.ceil(head / parts);
  const ranges = Array.from({ length: parts }, (_, i) => [i * size + 1, Math.min(head, (i + 1) * size)] as const).filter(([a, b]) => a <= b);
  const reports = await Promise.all(ranges.map(([from, to]) => verifyRange(pool, from, to, options.batchSize ?? 5000)));
  const joined = joinRangeReports(reports, head);
  if (joined.ok || !joined.fault || joined.fault.position <= 1) return joined;
  // The join knows the hash at the end of the previous range, not at the fault: look both up so the
  // report names the same last good hash and event as the sequential verifier does.
  const fault = joined.fault;
  const rows = await queryRows<{ global_position: string; hash: string; event_id: string }>(
    pool,
    'SELECT global_position, hash, event_id FROM events WHERE global_position IN ($1, $2)',
    [fault.position - 1, fault.position],
  );
  const before = rows.find((r) => Number(r.global_position) === fault.position - 1);
  const at = rows.find((r) => Number(r.global_position) === fault.position);
  return {
    ...joined,
    headHash: before?.hash ?? joined.headHash,
    fault: fault.damage === 'position-gap' || fault.eventId !== undefined || !at ? fault : { ...fault, eventId: at.event_id },
  };
};

/** One range's account for `joinRangeReports`: what links to the range before, and each stream's versions in it. */
const verifyRange = async (pool: Pool, from: number, to: number, batchSize: number): Promise<RangeReport> => {
  let verifier: ChainVerifier | null = null;
  let firstPrevHash: string | null = null;
  const streams = new Map<string, [string, number, number, number]>();
  scan: for await (const rows of rawWindows(pool, from - 1, to, batchSize)) {
    for (let i = 0; i < rows.length; i += 1) {
      const record = toRawRecord(rows[i]);
      if (verifier === null) {
        // Inside the range links are checked from the first row's own prevHash; the join checks that one.
        firstPrevHash = record.prevHash;
        verifier = new ChainVerifier(from === 1 ? undefined : { position: from - 1, hash: record.prevHash });
      }
      if (!verifier.pushRaw(record)) break scan;
      const seen = streams.get(record.streamId);
      if (seen === undefined) streams.set(record.streamId, [record.streamId, record.streamVersion, record.globalPosition, record.streamVersion]);
      else seen[3] = record.streamVersion;
    }
  }
  const result = verifier?.result();
  const count = result?.eventsChecked ?? 0;
  let fault = result?.fault ?? null;
  const reached = result?.headPosition ?? from - 1;
  if (fault === null && reached !== to) {
    // The range ends in a gap; its far side, as the sequential verifier would name it, is in a later range.
    const next = await queryRows<{ p: string | null }>(pool, NEXT_POSITION_SQL, [reached, Number.MAX_SAFE_INTEGER]);
    const stored = next[0]?.p === null || next[0]?.p === undefined ? '' : ` (next stored is ${Number(next[0].p)})`;
    fault = { position: reached + 1, damage: 'position-gap', message: `position ${reached + 1} is missing${stored}` };
  }
  return { from, to, firstPrevHash, lastHash: count > 0 && result ? result.headHash : null, count, fault, streams: [...streams.values()] };
};
