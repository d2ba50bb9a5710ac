import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { SqliteEventStore, verifyStore } from '@trial-ledger/event-store';
import { cli, tempDir } from '../cli/cli-harness';

const BIN = resolve(__dirname, '../../bin/trial-ledger.js');
const PASSWORD = 'crash test password for the demo team 42';

/**
 * Group commit acknowledges a command only after the COMMIT that holds it returned (fsynced with
 * synchronous=FULL). Killed with SIGKILL in the middle of a load, a real `serve` process must have lost
 * only commands it never acknowledged: every acknowledged event is in the file and the chain verifies.
 */
describe('SQLite group commit survives SIGKILL of the server under load', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('given 20 concurrent clients screening subjects, when the server is killed, then every acknowledged command is stored and the chain is intact', async () => {
    const file = join(dir.path, 'crash.sqlite');
    expect((await cli(['--store', `sqlite:${file}`, 'demo', '--fresh'], { TRIAL_LEDGER_DEMO_PASSWORD: PASSWORD })).status).toBe(0);
    const child = spawn(process.execPath, [BIN, '--store', `sqlite:${file}`, '--json', 'serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const exited = new Promise<NodeJS.Signals | null>((done) => child.once('exit', (_code, signal) => done(signal)));
    const lines = createInterface({ input: child.stdout });
    const url = (JSON.parse(await new Promise<string>((done) => lines.once('line', done))) as { url: string }).url;
    lines.on('line', () => undefined);
    // The demo's one-time password is temporary: the coordinator chooses her own first.
    const chosen = 'tangerine orbit lantern 7731';
    const changed = await fetch(`${url}/api/v1/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 's.okafor', currentPassword: PASSWORD, newPassword: chosen }),
    });
    expect(changed.status).toBeLessThan(300);
    const login = await fetch(`${url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 's.okafor', password: chosen }),
    });
    const { token } = (await login.json()) as { token: string };

    const acknowledged: string[] = [];
    let next = 0;
    let killed = false;
    const client = async (): Promise<void> => {
      while (!killed) {
        next += 1;
        try {
          const response = await fetch(`${url}/api/v1/studies/LANR-HGNET-01/subjects`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ subjectId: `K${next}`, screeningDate: '2025-01-06', consentDate: '2025-01-05', sex: 'F', birthYear: 1961 }),
          });
          if (response.status === 201) acknowledged.push(...((await response.json()) as { eventIds: string[] }).eventIds);
        } catch {
          // The connection died with the server: this command was never acknowledged.
        }
      }
    };
    const clients = Array.from({ length: 20 }, client);
    const until = Date.now() + 15_000;
    while (acknowledged.length < 60 && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');
    killed = true;
    await Promise.all(clients);

    expect(acknowledged.length).toBeGreaterThanOrEqual(60);
    const store = new SqliteEventStore(file);
    try {
      for (const eventId of acknowledged) expect(await store.getEvent(eventId)).not.toBeNull();
      const verification = await verifyStore(store);
      expect(verification.fault).toBeNull();
      expect(verification).toMatchObject({ ok: true, headPosition: (await store.head()).position });
    } finally {
      await store.close();
    }
  }, 120_000);
});
