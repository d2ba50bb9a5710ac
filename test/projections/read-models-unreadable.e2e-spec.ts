import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../cli/cli-harness';
import { sleep, startServe, stderrOnceMatching, type ServeProcess } from '../reliability/support/ledger-process';

const DEMO_PASSWORD = 'seal test password for the demo team 42';

const waitUntilReady = async (server: ServeProcess): Promise<void> => {
  for (let i = 0; i < 300; i += 1) {
    if ((await fetch(`${server.url}/health/ready`)).status === 200) return;
    await sleep(100);
  }
  throw new Error(`not ready: ${server.stderr()}`);
};

/**
 * The files beside the ledger that hold read models are disposable: one that is not a database at
 * all (damaged, or overwritten by an insider) must not stop `serve` nor make the CLI say the ledger is
 * damaged; the server replaces it and rebuilds, the CLI folds the log.
 */
describe('read-model files that are not SQLite databases', () => {
  const dir = tempDir();
  const file = join(dir.path, 'ledger.sqlite');
  const store = `sqlite:${file}`;
  let pfsFromLog = '';
  const garbage = (path: string): void => writeFileSync(path, Buffer.from('not a database, written over the read models '.repeat(200)));

  beforeAll(async () => {
    expect((await cli(['--store', store, 'demo', '--fresh'], { TRIAL_LEDGER_DEMO_PASSWORD: DEMO_PASSWORD })).status).toBe(0);
    pfsFromLog = (await cli(['--store', store, 'pfs', '--json'])).stdout;
    const server = await startServe(store);
    await waitUntilReady(server);
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);
  });
  afterAll(() => dir.remove());

  it('the CLI folds the log instead and says nothing about a damaged ledger', async () => {
    garbage(`${file}.read-models`);
    const run = await cli(['--store', store, 'pfs', '--json']);
    expect([run.status, run.stderr]).toEqual([0, '']);
    expect(run.stdout).toBe(pfsFromLog);
  });

  it.each(['read-models', 'audit-index'])('serve, started on a .%s file that is no database, replaces it, says so and becomes ready', async (suffix) => {
    garbage(`${file}.${suffix}`);
    const server = await startServe(store);
    try {
      await waitUntilReady(server);
      expect(await stderrOnceMatching(server, /not a SQLite database.*discarded/)).toMatch(/not a SQLite database.*discarded/);
    } finally {
      server.kill('SIGTERM');
    }
    expect((await server.exited).code).toBe(0);
    expect((await cli(['--store', store, 'pfs', '--json'])).stdout).toBe(pfsFromLog);
  });
});
