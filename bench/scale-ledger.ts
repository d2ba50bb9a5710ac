import { addDays } from '@trial-ledger/domain';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { testing } from '@trial-ledger/projections';

/**
 * A study ledger of about `events` events for scale measurements, written through the deciders: per
 * subject screening, baseline, eligibility, enrollment (with its roster entry), 12 doses, 4 follow-up
 * scans and adverse events up to 40 events. `node dist/bench/scale-ledger.js FILE EVENTS`.
 */
export const writeScaleLedger = async (file: string, events: number): Promise<number> => {
  const ledger = new testing.LedgerScenario('SCALE-01');
  const protocol = testing.seedProtocol();
  const store = new SqliteEventStore(file);
  try {
    ledger.registerStudy({ ...protocol, studyId: 'SCALE-01', targetEnrollment: 100_000 });
    let appended = 0;
    for (let n = 1; ledger.events.length < events; n += 1) {
      const s = ledger.subject(`B${String(n).padStart(5, '0')}`);
      const start = addDays('2023-01-02', n % 400);
      s.baseline(addDays(start, -10), { diameters: [50] });
      s.enrol(start);
      for (let cycle = 1; cycle <= 12; cycle += 1) s.dose(cycle, addDays(start, 1 + (cycle - 1) * 28));
      for (let k = 1; k <= 4; k += 1) s.followUp(addDays(start, 84 * k), { diameters: [50 - k] });
      for (let k = 0; ledger.events.length % 40 !== 0 && k < 30; k += 1) s.adverseEvent(addDays(start, 2 + k), 1 + (k % 3));
      // Every 250 subjects (10,000 events) go to the store, 1,000 decisions per group commit.
      if (n % 250 === 0) {
        await ledger.appendTo(store, appended, 1000);
        appended = ledger.events.length;
      }
    }
    await ledger.appendTo(store, appended, 1000);
    return (await store.head()).position;
  } finally {
    await store.close();
  }
};

if (require.main === module) {
  const [file, count] = process.argv.slice(2);
  writeScaleLedger(file, Number(count)).then(
    (head) => process.stdout.write(`${file}: ${head} events\n`),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).stack}\n`);
      process.exit(1);
    },
  );
}
