import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ChainVerification } from '../hash-chain';
import { joinRangeReports, type RangeReport } from '../range-reports';

/** The canonical JSON of a row, assembled inside SQLite in JCS key order (see `canonicalJsonFromRaw`). */
const CANONICAL_SQL = `'{"data":' || data || ',"eventId":' || json_quote(event_id) || ',"globalPosition":' || global_position ||
  ',"metadata":' || metadata || ',"prevHash":' || json_quote(prev_hash) || ',"schemaVersion":' || schema_version ||
  ',"streamId":' || json_quote(stream_id) || ',"streamVersion":' || stream_version || ',"type":' || json_quote(type) || '}'`;

/**
 * Runs in a worker thread: checks one range of positions from the stored bytes — gapless positions,
 * each hash over (prevHash ‖ canonical JSON), links inside the range, `recorded_at` equal to the hashed
 * one, and stream versions continuous inside the range. Plain JavaScript, evaluated as the worker's body.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { hash: sha256 } = require('node:crypto');
const Database = require(workerData.driver);
const { file, from, to, sql } = workerData;
const db = new Database(file, { readonly: true, fileMustExist: true });
const stmt = db.prepare(sql).raw(true);
let expected = from, prev = null, firstPrev = null, count = 0, fault = null;
const streams = new Map();
const fail = (position, damage, message, eventId) => { fault = { position, damage, message, eventId }; };
let after = from - 1;
outer: for (;;) {
  const rows = stmt.all(after, to, 5000);
  for (const r of rows) {
    const [position, eventId, streamId, version, prevHash, hash, canonical, timeOk] = r;
    if (position !== expected) { fail(expected, 'position-gap', 'position ' + expected + ' is missing (next stored is ' + position + ')'); break outer; }
    if (sha256('sha256', prevHash + canonical) !== hash || timeOk !== 1) {
      fail(position, 'content-altered', 'content of the event at position ' + position + ' does not match its hash', eventId); break outer;
    }
    if (prev === null) firstPrev = prevHash;
    else if (prevHash !== prev) { fail(position, 'chain-broken', 'event at position ' + position + ' does not link to the hash of position ' + (position - 1), eventId); break outer; }
    const s = streams.get(streamId);
    if (s === undefined) streams.set(streamId, [streamId, version, position, version]);
    else if (version !== s[3] + 1) { fail(position, 'stream-version-gap', 'stream ' + streamId + ' goes from version ' + s[3] + ' to ' + version, eventId); break outer; }
    else s[3] = version;
    prev = hash; expected = position + 1; count += 1;
  }
  if (rows.length < 5000) break;
  after = rows[rows.length - 1][0];
}
if (!fault && expected !== to + 1) fail(expected, 'position-gap', 'position ' + expected + ' is missing');
db.close();
parentPort.postMessage({ from, to, firstPrevHash: firstPrev, lastHash: prev, count, fault, streams: [...streams.values()] });
`;

const RANGE_SQL = `SELECT global_position, event_id, stream_id, stream_version, prev_hash, hash, ${CANONICAL_SQL},
  instr(metadata, '"recordedAt":' || json_quote(recorded_at)) > 0
  FROM events WHERE global_position > ? AND global_position <= ? ORDER BY global_position LIMIT ?`;

const runRange = (file: string, from: number, to: number): Promise<RangeReport> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file, from, to, sql: RANGE_SQL, driver: require.resolve('better-sqlite3') },
    });
    worker.once('message', (report: RangeReport) => resolve(report));
    worker.once('error', reject);
    worker.once('exit', (code) => code !== 0 && reject(new Error(`verification worker exited with ${code}`)));
  });

/**
 * Verifies positions 1..`head` of a SQLite ledger file with one worker thread per core, each over a
 * contiguous range; the ranges are then joined: each range's first `prevHash` must be the previous
 * range's last hash, and each stream's first version in a range must follow its last version before.
 * The first fault in log order is reported, exactly as the sequential `ChainVerifier` would.
 */
export const verifySqliteFileParallel = async (
  file: string,
  head: number,
  options: { workers?: number; minRange?: number } = {},
): Promise<ChainVerification> => {
  const parts = Math.max(1, Math.min(options.workers ?? availableParallelism(), Math.ceil(head / (options.minRange ?? 50_000))));
  const size = Math.ceil(head / parts);
  const ranges = Array.from({ length: parts }, (_, i) => [i * size + 1, Math.min(head, (i + 1) * size)] as const).filter(([a, b]) => a <= b);
  const reports = await Promise.all(ranges.map(([from, to]) => runRange(file, from, to)));
  return joinRangeReports(reports, head);
};
