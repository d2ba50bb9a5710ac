import { openEventStore } from '@trial-ledger/event-store';
import { loadReviewLedger } from './review-ledger';

describe('loadReviewLedger: the study under review', () => {
  it.each([
    [undefined, 'No study is registered in this ledger'],
    ['NOPE-01', 'No registered study NOPE-01 in this ledger'],
  ])('given a ledger with no study and --study %j, then STUDY.NOT_FOUND saying so in words: %j', async (studyId, message) => {
    const store = await openEventStore('sqlite::memory:');
    try {
      await expect(loadReviewLedger(store, { studyId })).rejects.toMatchObject({ code: 'STUDY.NOT_FOUND', message });
    } finally {
      await store.close();
    }
  });
});
