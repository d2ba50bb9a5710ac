import { openEventStore } from './open-event-store';

describe('openEventStore', () => {
  it.each(['foo:/tmp/x.sqlite', '', 'mysql://localhost/ledger'])('given the store URL %j with no adapter for its scheme, then STORE.INVALID_URL (a configuration error, not an append refusal)', async (url) => {
    await expect(openEventStore(url)).rejects.toMatchObject({ code: 'STORE.INVALID_URL', message: expect.stringContaining('Unknown store URL scheme') });
  });

  it.each(['postgres://ledger:s3cret@localhost:notaport/ledger', 'postgres://ledger:s3cret@[::1/ledger', 'kurrentdb://admin:s3cret@host:port?tls=false'])(
    'given a server URL %j that cannot be parsed, then STORE.INVALID_URL naming how to write it, not its password',
    async (url) => {
      const refusal = openEventStore(url);
      await expect(refusal).rejects.toMatchObject({ code: 'STORE.INVALID_URL', message: expect.stringContaining('store URL cannot be parsed') });
      await expect(refusal).rejects.toMatchObject({ message: expect.not.stringContaining('s3cret') });
    },
  );
});
