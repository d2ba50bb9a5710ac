import { openEventStore } from './open-event-store';

describe('openEventStore', () => {
  it.each(['foo:/tmp/x.sqlite', '', 'mysql://localhost/ledger'])('given the store URL %j with no adapter for its scheme, then STORE.INVALID_URL (a configuration error, not an append refusal)', async (url) => {
    await expect(openEventStore(url)).rejects.toMatchObject({ code: 'STORE.INVALID_URL', message: expect.stringContaining('Unknown store URL scheme') });
  });
});
