import { join } from 'node:path';
import Database from 'better-sqlite3';
import { cli, tempDir } from '../cli/cli-harness';
import { sleep, startServe, stderrOnceMatching, type ServeProcess } from '../reliability/support/ledger-process';

const DEMO_PASSWORD = 'seal test password for the demo team 42';
/** The demo's schedule is laid out back from the day it is seen from; on this day S003 progressed on 2025-07-07 (tampered below). */
const DEMO_TODAY = '2026-12-01';
const CHOSEN = 'a regulator chooses this passphrase 0417';

/** Runs SQL on a file through a connection of its own, as an insider with the file would; answers the rows changed. */
const tamper = (file: string, sql: string): number => {
  const db = new Database(file);
  try {
    return db.prepare(sql).run().changes;
  } finally {
    db.close();
  }
};

const waitUntilReady = async (server: ServeProcess): Promise<void> => {
  for (let i = 0; i < 300; i += 1) {
    if ((await fetch(`${server.url}/health/ready`)).status === 200) return;
    await sleep(100);
  }
  throw new Error(`not ready: ${server.stderr()}`);
};

const stop = async (server: ServeProcess): Promise<void> => {
  server.kill('SIGTERM');
  expect((await server.exited).code).toBe(0);
};

/**
 * The read models `serve` saves beside a SQLite ledger, and its audit-trail index, are sealed with a key
 * from the key directory: rows changed by anyone else are never served, printed or exported as if the
 * ledger said so.
 */
describe('sealed read models with serve and the CLI (SQLite)', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${file}`;
  let server: ServeProcess | null = null;
  let pfsFromLog = '';

  beforeAll(async () => {
    expect((await cli(['--store', store, 'demo', '--fresh', '--today', DEMO_TODAY], { TRIAL_LEDGER_DEMO_PASSWORD: DEMO_PASSWORD })).status).toBe(0);
    const run = await cli(['--store', store, 'pfs', '--json']);
    expect(run.status).toBe(0);
    pfsFromLog = run.stdout;
    server = await startServe(store);
    await waitUntilReady(server);
    await stop(server);
    server = null;
  });
  afterAll(async () => {
    if (server) await stop(server);
    dir.remove();
  });

  it('the CLI does not use saved read models altered outside the server: pfs is the one the log gives', async () => {
    // S003 progressed on 2025-07-07 in the demo; a later date in its saved casebook rows (the chunks of its entries and facts) would lengthen its PFS.
    const moved = "SET items = replace(items, '2025-07-07', '2026-01-07') WHERE doc_key = 'casebook/LANR-HGNET-01/S003' AND items LIKE '%2025-07-07%'";
    expect(tamper(`${file}.read-models`, `UPDATE projection_list_chunks ${moved}`)).toBeGreaterThan(0);
    const run = await cli(['--store', store, 'pfs', '--json']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(pfsFromLog);
    expect(JSON.parse(run.stdout).subjects.find((s: { subjectId: string }) => s.subjectId === 'S003')).toMatchObject({ adt: '2025-07-07' });
  });

  it('serve, started on them, says so, discards them and rebuilds; pfs stays the one the log gives', async () => {
    server = await startServe(store, [], { TRIAL_LEDGER_LOG_LEVEL: 'error' });
    await waitUntilReady(server);
    expect(await stderrOnceMatching(server, 'altered outside the server')).toContain('altered outside the server');
    await stop(server);
    server = null;
    const sealed = new Database(`${file}.read-models`, { readonly: true });
    try {
      const chunks = sealed.prepare("SELECT group_concat(items) AS items FROM projection_list_chunks WHERE doc_key = 'casebook/LANR-HGNET-01/S003'").get() as { items: string };
      expect(chunks.items).toContain('"assessmentDate":"2025-07-07"');
    } finally {
      sealed.close();
    }
    expect((await cli(['--store', store, 'pfs', '--json'])).stdout).toBe(pfsFromLog);
  });

  it('an audit-trail index row altered while serve runs hides nothing: the trail is read from the log and the index is rebuilt', async () => {
    server = await startServe(store, [], { TRIAL_LEDGER_LOG_LEVEL: 'error' });
    await waitUntilReady(server);
    const post = (path: string, body: object) => fetch(`${server!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/api/v1/auth/password', { username: 'j.tanaka', currentPassword: DEMO_PASSWORD, newPassword: CHOSEN })).status).toBeLessThan(300);
    const { token } = (await (await post('/api/v1/auth/login', { username: 'j.tanaka', password: CHOSEN })).json()) as { token: string };
    const trail = async (): Promise<Array<{ position: number; eventType: string }>> => {
      const response = await fetch(`${server!.url}/api/v1/audit-trail?subject=S003&pageSize=1000`, { headers: { authorization: `Bearer ${token}` } });
      expect(response.status).toBe(200);
      return ((await response.json()) as { items: Array<{ position: number; eventType: string }> }).items;
    };
    const before = await trail();
    const progression = before.find((r) => r.eventType === 'ProgressionDocumented') ?? before[before.length - 1];
    expect(tamper(`${file}.audit-index`, `UPDATE audit_trail_index SET subject_id = 'S999' WHERE position = ${progression.position}`)).toBe(1);
    expect(await trail()).toEqual(before);
    expect(await stderrOnceMatching(server, 'audit-trail index was altered outside the server')).toContain('audit-trail index was altered outside the server');
    // Rebuilt from the log in the background: the row is restored.
    const subjectOfRow = (): unknown => {
      const index = new Database(`${file}.audit-index`, { readonly: true });
      try {
        return index.prepare('SELECT subject_id FROM audit_trail_index WHERE position = ?').get(progression.position);
      } finally {
        index.close();
      }
    };
    for (let i = 0; i < 100 && (subjectOfRow() as { subject_id?: string } | undefined)?.subject_id !== 'S003'; i += 1) await sleep(100);
    expect(subjectOfRow()).toEqual({ subject_id: 'S003' });
    expect(await trail()).toEqual(before);
  });
});
