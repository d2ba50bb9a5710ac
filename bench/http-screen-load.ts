import { BENCH_PASSWORD, login } from './api-under-test';

/**
 * A closed-loop HTTP load of `POST …/subjects` (ScreenSubject on new subjects) against a running
 * `trial-ledger serve` over a demo ledger (`trial-ledger demo --fresh` with `TRIAL_LEDGER_DEMO_PASSWORD`,
 * the same variable set here; unset, the benches' `BENCH_PASSWORD`):
 * `node dist/bench/http-screen-load.js URL CONNECTIONS SECONDS [SUBJECT_PREFIX]`. Prints commands/s and
 * p50/p99 latency; the server must listen on loopback. The coordinator s.okafor first replaces the
 * demo's one-time password (`login`); a refused login stops the run before any request is sent.
 */
const main = async (): Promise<void> => {
  const [base, connections, seconds, prefix = 'L'] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
  if (!base || !Number.isInteger(connections) || connections < 1 || !(seconds > 0)) {
    throw new Error('usage: http-screen-load URL CONNECTIONS SECONDS [SUBJECT_PREFIX]');
  }
  const token = await login(base, 's.okafor', process.env.TRIAL_LEDGER_DEMO_PASSWORD || BENCH_PASSWORD);
  let next = 0;
  let accepted = 0;
  let refused = 0;
  const latencies: number[] = [];
  const end = Date.now() + seconds * 1000;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      next += 1;
      const started = performance.now();
      const response = await fetch(`${base}/api/v1/studies/LANR-HGNET-01/subjects`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ subjectId: `${prefix}${next}`, screeningDate: '2026-03-02', consentDate: '2026-03-01', sex: 'F', birthYear: 1961 }),
      });
      await response.arrayBuffer();
      latencies.push(performance.now() - started);
      if (response.status === 201) accepted += 1;
      else refused += 1;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  latencies.sort((a, b) => a - b);
  const at = (q: number): string => (latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0).toFixed(0);
  process.stdout.write(`${connections} connections, ${seconds} s: ${(accepted / seconds).toFixed(0)} commands/s (${accepted} accepted, ${refused} refused), p50 ${at(0.5)} ms, p99 ${at(0.99)} ms\n`);
};

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
