import { openEventStore, verifyStore } from '@trial-ledger/event-store';
import { seedUsers } from '../../cli/cli-harness';
import { LedgerClient, STUDY, type CommandOutcome } from './ledger-process';

/** Users for every role (password `PASSWORD`) and the seed study, so that coordinators can screen. */
export const seedLedger = async (store: string, url: string): Promise<void> => {
  await seedUsers(store);
  const outcome = await new LedgerClient(url, 'admin').post('/api/v1/studies', {});
  if (outcome.status !== 201) throw new Error(`registering ${STUDY}: ${outcome.status} ${outcome.code ?? ''}`);
};

/** What the ledger holds once the dust settles: screenings per subject, whether the chain verifies. */
export interface LedgerContents {
  readonly screenings: ReadonlyMap<string, number>;
  readonly chainOk: boolean;
  readonly head: number;
}

export const readLedger = async (store: string): Promise<LedgerContents> => {
  const opened = await openEventStore(store);
  try {
    const screenings = new Map<string, number>();
    for await (const event of opened.readAll({ afterPosition: 0 })) {
      if (event.type !== 'SubjectScreened') continue;
      const subjectId = String((event.data as { subjectId?: unknown }).subjectId);
      screenings.set(subjectId, (screenings.get(subjectId) ?? 0) + 1);
    }
    const verification = await verifyStore(opened);
    return { screenings, chainOk: verification.ok, head: (await opened.head()).position };
  } finally {
    await opened.close();
  }
};

/** Every acknowledged subject screened exactly once; nothing screened that was never sent. */
export const lostOrDoubled = (acknowledged: Iterable<string>, contents: LedgerContents): { lost: string[]; doubled: string[] } => {
  const lost: string[] = [];
  const doubled: string[] = [];
  for (const subjectId of acknowledged) {
    const count = contents.screenings.get(subjectId) ?? 0;
    if (count === 0) lost.push(subjectId);
  }
  for (const [subjectId, count] of contents.screenings) if (count > 1) doubled.push(subjectId);
  return { lost, doubled };
};

/**
 * Concurrent clients that each screen new subjects until `until()` says stop. A refused attempt is
 * retried with the same Idempotency-Key (as a site's client would after a 503 or a dropped
 * connection), so a command whose answer was lost is never recorded twice.
 */
export const runLoad = async (
  urls: () => string,
  options: { clients: number; prefix: string; until: () => boolean; onOutcome?: (o: CommandOutcome | { status: 0; code: string }) => void },
): Promise<{ acknowledged: Set<string>; sent: number }> => {
  const acknowledged = new Set<string>();
  let sent = 0;
  const worker = async (w: number): Promise<void> => {
    const client = new LedgerClient(urls());
    for (let n = 0; !options.until(); n += 1) {
      const subjectId = `${options.prefix}_${w}_${n}`;
      sent += 1;
      while (!options.until()) {
        client.url = urls();
        try {
          const outcome = await client.screen(subjectId, `key-${subjectId}`);
          options.onOutcome?.(outcome);
          if (outcome.status === 201 || outcome.status === 200) {
            acknowledged.add(subjectId);
            break;
          }
        } catch (error) {
          options.onOutcome?.({ status: 0, code: (error as Error).message });
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, w) => worker(w)));
  return { acknowledged, sent };
};
