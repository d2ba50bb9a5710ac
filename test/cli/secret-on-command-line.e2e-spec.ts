import { runBinary } from './binary-harness';
import { cli, tempDir } from './cli-harness';

const dir = tempDir();
afterAll(() => dir.remove());

const SECRET = 'Db-Owner-S3cret';
const WARNING = 'CLI.SECRET_ON_COMMAND_LINE';

/**
 * A command line is world-readable on most machines (`ps`, /proc/PID/cmdline): a database password typed into
 * `--store`, `migrate --from` or `--to` is shown to every user of the machine while the command runs. The CLI
 * says so on stderr (naming the option, never the secret) and how to keep it off the command line.
 */
describe('a store URL on the command line that carries a password', () => {
  it.each([
    ['--store with user:password@', ['--store', `postgres://ledger:${SECRET}@127.0.0.1:1/none`, '--key-dir', dir.keyDir, 'verify'], '--store'],
    ['--store with ?password=', ['--store', `postgres://ledger@127.0.0.1:1/none?password=${SECRET}`, '--key-dir', dir.keyDir, 'verify'], '--store'],
    ['migrate --to with user:password@', ['--store', `sqlite:${dir.path}/missing.sqlite`, '--key-dir', dir.keyDir, 'migrate', '--to', `postgres://owner:${SECRET}@127.0.0.1:1/ledger`], '--to'],
  ])('given %s, then stderr warns that it is visible in the process list, names the option and not the password', async (_what, argv, option) => {
    const run = await cli(argv);
    expect(run.stderr).toContain(`[${WARNING}]`);
    expect(run.stderr).toContain(`${option} holds a password`);
    expect(run.stderr).toContain('PGPASSWORD');
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });

  it('given a URL without a password (or the password in the environment), then no such warning', async () => {
    const bare = await cli(['--store', 'postgres://ledger@127.0.0.1:1/none', '--key-dir', dir.keyDir, 'verify']);
    const fromEnvironment = await cli(['--key-dir', dir.keyDir, 'verify'], { LEDGER_STORE: `postgres://ledger:${SECRET}@127.0.0.1:1/none` });
    expect(bare.stderr).not.toContain(WARNING);
    expect(fromEnvironment.stderr).not.toContain(WARNING);
  });

  it('given serve, then the warning is a line of its JSON log (code and option, no secret), as every other line of its stderr', async () => {
    // serve's log goes straight to file descriptor 2, so it runs as its own process; the store is unreachable and it stops at once.
    const run = await runBinary(['--store', `postgres://ledger:${SECRET}@127.0.0.1:1/none`, '--key-dir', dir.keyDir, 'serve', '--port', '0'], { env: { TRIAL_LEDGER_LOG_LEVEL: 'warn' } });
    expect(run.status).toBe(1);
    const lines = run.stderr.split('\n').filter((line) => line.trim() !== '');
    const parsed = lines.map((line) => JSON.parse(line) as { level: number; code?: string; option?: string });
    expect(parsed).toContainEqual(expect.objectContaining({ level: 40, code: WARNING, option: '--store' }));
    expect(run.stderr + run.stdout).not.toContain(SECRET);
  });
});
