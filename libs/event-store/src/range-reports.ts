import { GENESIS_HASH } from './event-envelope';
import type { ChainFault, ChainVerification } from './hash-chain';

/** One verifier's account of a contiguous range of positions, checked apart from the others (a SQLite worker thread, a PostgreSQL connection). */
export interface RangeReport {
  readonly from: number;
  readonly to: number;
  /** prevHash of the first row in the range (to link with the previous range). */
  readonly firstPrevHash: string | null;
  readonly lastHash: string | null;
  readonly count: number;
  readonly fault: ChainFault | null;
  /** Per stream: [streamId, first version seen, its position, last version seen]. */
  readonly streams: Array<[string, number, number, number]>;
}

/**
 * Joins the reports of contiguous ranges covering positions 1..`head`, in order: each range's first
 * `prevHash` must be the previous range's last hash, and each stream's first version in a range must
 * follow its last version before. The first fault in log order wins, as in the sequential verifier.
 */
export const joinRangeReports = (reports: readonly RangeReport[], head: number): ChainVerification => {
  const lastVersion = new Map<string, number>();
  let prevHash = GENESIS_HASH;
  let checked = 0;
  for (const report of reports) {
    const faults: ChainFault[] = report.fault ? [report.fault] : [];
    if (report.count > 0 && report.firstPrevHash !== prevHash) {
      faults.push({ position: report.from, damage: 'chain-broken', message: `event at position ${report.from} does not link to the hash of position ${report.from - 1}` });
    }
    for (const [streamId, first, position] of report.streams) {
      const before = lastVersion.get(streamId) ?? 0;
      if (first !== before + 1) faults.push({ position, damage: 'stream-version-gap', message: `stream ${streamId} goes from version ${before} to ${first}` });
    }
    if (faults.length > 0) {
      const fault = faults.reduce((a, b) => (b.position < a.position ? b : a));
      return { ok: false, eventsChecked: checked + Math.max(0, fault.position - report.from), headPosition: fault.position - 1, headHash: prevHash, fault };
    }
    for (const [streamId, , , last] of report.streams) lastVersion.set(streamId, last);
    checked += report.count;
    prevHash = report.lastHash ?? prevHash;
  }
  return { ok: true, eventsChecked: checked, headPosition: head, headHash: prevHash, fault: null };
};
