import { SqliteEventStore, verifyRawChain, verifyStore } from '@trial-ledger/event-store';

/** Verifies a ledger file twice (parallel, then one thread) and reports rates and this process's peak RSS. */
const main = async (): Promise<void> => {
  const store = new SqliteEventStore(process.argv[2]);
  let start = process.hrtime.bigint();
  const parallel = await verifyStore(store);
  const parallelSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  start = process.hrtime.bigint();
  const sequential = await verifyRawChain(store.readAllRaw());
  const sequentialSeconds = Number(process.hrtime.bigint() - start) / 1e9;
  await store.close();
  process.stdout.write(
    JSON.stringify({
      parallel: { ok: parallel.ok, events: parallel.eventsChecked, seconds: parallelSeconds },
      sequential: { ok: sequential.ok, events: sequential.eventsChecked, seconds: sequentialSeconds },
      maxRssMb: process.resourceUsage().maxRSS / 1024,
    }),
  );
};

void main();
