import type { EventStore } from '@trial-ledger/event-store';
import { PostgresSessionStore } from './postgres-session-store';
import { MemorySessionStore, type SessionStore } from './session-store';
import { SqliteSessionStore } from './sqlite-session-store';

/** The suffix of the sessions file beside a SQLite ledger (`ledger.sqlite.sessions`). */
export const SESSIONS_FILE_SUFFIX = '.sessions';

/**
 * Where a ledger's sessions live: in its PostgreSQL database (shared by every server on it), in a
 * file beside its SQLite file, else (KurrentDB, memory) in the process. The file is opened on first
 * use, so a CLI command that never touches a session creates nothing.
 */
export const sessionStoreFor = (store: EventStore): SessionStore => {
  if (store.serverState) return new PostgresSessionStore(store.serverState);
  const file = store.localFile;
  if (file === undefined) return new MemorySessionStore();
  let opened: SqliteSessionStore | null = null;
  const db = (): SqliteSessionStore => (opened ??= new SqliteSessionStore(`${file}${SESSIONS_FILE_SUFFIX}`));
  return {
    description: `the file beside the ledger (${file}${SESSIONS_FILE_SUFFIX})`,
    insert: (session) => db().insert(session),
    find: (tokenHash) => db().find(tokenHash),
    touch: (tokenHash, atMs) => db().touch(tokenHash, atMs),
    end: (tokenHash, why, atMs) => db().end(tokenHash, why, atMs),
    endUser: (userId, why, atMs) => db().endUser(userId, why, atMs),
    purge: (lifetimeMs, nowMs) => db().purge(lifetimeMs, nowMs),
    close: async () => {
      await opened?.close();
      opened = null;
    },
  };
};
