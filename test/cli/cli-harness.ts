import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Actor, Role } from '@trial-ledger/domain';
import { openEventStore, SqliteEventStore, systemClock } from '@trial-ledger/event-store';
import { Identity, identityPolicy } from '@trial-ledger/identity';
import { runCli } from '../../apps/cli/src/program';
import { addReadyUser } from '../../libs/identity/src/testing';
import { seedAuditLedger } from '../../libs/audit/src/testing/audit-ledger.fixture';

export interface CliRun {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the CLI in-process as a user would run the binary: captures stdout and stderr, and leaves no
 * global state behind (`process.exitCode` is what commands use to fail without throwing).
 */
export const cli = async (argv: readonly string[], env: Record<string, string | undefined> = {}): Promise<CliRun> => {
  const out: string[] = [];
  const err: string[] = [];
  const writeOut = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = ((chunk: string | Uint8Array) => out.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  try {
    const status = await runCli(argv);
    return { status, stdout: out.join(''), stderr: err.join('') };
  } finally {
    process.stdout.write = writeOut;
    process.stderr.write = writeErr;
    process.exitCode = undefined;
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
};

/**
 * A temp directory per test file, removed afterwards, with a key directory beside it (`keyDir`, created on
 * first use): a key directory inside the store's directory is refused (LEDGER_KEY.INSIDE_STORE_DIR).
 */
export const tempDir = (): { path: string; keyDir: string; remove(): void } => {
  const path = mkdtempSync(join(tmpdir(), 'trial-ledger-cli-'));
  const keyDir = `${path}-keys`;
  return {
    path,
    keyDir,
    remove: () => {
      rmSync(path, { recursive: true, force: true });
      rmSync(keyDir, { recursive: true, force: true });
    },
  };
};

export const PASSWORD = 'correct horse battery staple 42';

/** A ledger with a first administrator and one user per clinical role, all with `PASSWORD`. */
export const seedUsers = async (storeUrl: string): Promise<Record<Role, Actor>> => {
  const store = await openEventStore(storeUrl);
  try {
    const identity = new Identity(store, systemClock, identityPolicy());
    const admin = await identity.users.createFirstAdmin({ username: 'admin', fullName: 'Ada Admin', password: PASSWORD });
    const adminActor: Actor = { userId: admin.userId, username: admin.username, fullName: admin.fullName, role: 'admin' };
    const actors: Partial<Record<Role, Actor>> = { admin: adminActor };
    for (const role of ['investigator', 'coordinator', 'monitor', 'regulator'] as const) {
      const view = await addReadyUser(identity, adminActor, { username: role, fullName: `Test ${role}`, role, password: PASSWORD });
      actors[role] = { userId: view.userId, username: view.username, fullName: view.fullName, role };
    }
    return actors as Record<Role, Actor>;
  } finally {
    await store.close();
  }
};

/**
 * A seeded audit ledger (the CLI's users and the audit fixture's study) in `data/` of a temporary
 * directory, with a key directory beside `data/`: `seed()` in `beforeAll`, `dir.remove()` in `afterAll`.
 */
export const seededAuditStore = () => {
  const dir = tempDir();
  const db = join(dir.path, 'data', 'ledger.sqlite');
  const store = `sqlite:${db}`;
  const keyDir = join(dir.path, 'keys');
  const headPosition = async (): Promise<number> => {
    const s = new SqliteEventStore(db);
    try {
      return (await s.head()).position;
    } finally {
      await s.close();
    }
  };
  const seed = async (): Promise<void> => {
    mkdirSync(join(dir.path, 'data'));
    await seedUsers(store);
    const s = new SqliteEventStore(db);
    await seedAuditLedger(s, { identity: false });
    await s.close();
  };
  return { dir, db, store, keyDir, headPosition, seed };
};
