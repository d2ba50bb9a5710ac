import { Logger } from '@nestjs/common';
import { StoreUnavailableError } from '@trial-ledger/event-store';
import { followerFailure, RestartWithBackoff } from './restart-with-backoff';

/** What SQLite (better-sqlite3) throws when a side file cannot grow. */
const sqliteFull = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });

describe('a follower of the log that stopped says why, with a stable code', () => {
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [sqliteFull, 'Read models stopped (STORE.DISK_FULL): database or disk is full'],
    [Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' }), 'Read models stopped (STORE.IO_ERROR): disk I/O error'],
    [new StoreUnavailableError('PostgreSQL is unavailable: connect ECONNREFUSED'), 'Read models stopped (STORE.UNAVAILABLE): PostgreSQL is unavailable: connect ECONNREFUSED'],
    [new TypeError('boom'), 'Read models stopped (READ_MODEL.STOPPED): boom'],
  ])('%s', (error, line) => {
    expect(followerFailure('Read models stopped', error)).toBe(line);
  });

  it('a restart that fails again logs the code once per cause', async () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation();
    let attempts = 0;
    const follower = {
      start: async () => {
        attempts += 1;
        if (attempts < 3) throw sqliteFull;
      },
      stop: async () => undefined,
      flush: async () => undefined,
    };
    const recovery = new RestartWithBackoff(follower, new Logger('ReadModels'), 'Read models');
    recovery.schedule(1);
    for (const end = Date.now() + 10_000; attempts < 3 && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    recovery.cancel();
    expect(logged.mock.calls).toEqual([[{ code: 'STORE.DISK_FULL' }, 'Read models still stopped (STORE.DISK_FULL): database or disk is full']]);
  });
});
