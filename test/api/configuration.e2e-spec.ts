import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Test } from '@nestjs/testing';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { AppModule } from '../../apps/api/src/app.module';
import { cli } from '../cli/cli-harness';

const BIN = resolve(__dirname, '../../bin/trial-ledger.js');

describe('configuration: an invalid value is a start-up error, never a silent default', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'trial-ledger-config-'));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'));
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('given TRIAL_LEDGER_LOCKOUT_MINUTES=thirty, when the API module is built, then it fails with CONFIG.INVALID naming the variable', async () => {
    const building = Test.createTestingModule({ imports: [AppModule.forRoot({ store, environment: { TRIAL_LEDGER_LOCKOUT_MINUTES: 'thirty' } })] }).compile();
    await expect(building).rejects.toMatchObject({ code: 'CONFIG.INVALID', message: expect.stringContaining('TRIAL_LEDGER_LOCKOUT_MINUTES must be a whole number') });
  });

  it('given a valid environment, when the API module is built, then it starts', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot({ store, environment: { TRIAL_LEDGER_LOCKOUT_MINUTES: '45', TRIAL_LEDGER_LOG_LEVEL: 'silent' } })] }).compile();
    await moduleRef.close();
  });

  it('given a misspelt setting, when a CLI command runs, then exit 2 with CONFIG.INVALID and nothing is opened', async () => {
    const url = `sqlite:${join(dir, 'never-created.sqlite')}`;
    const run = await cli(['--store', url, 'users', 'list'], { TRIAL_LEDGER_SESION_INACTIVITY_MINUTES: '30' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('TRIAL_LEDGER_SESION_INACTIVITY_MINUTES is not a trial-ledger setting');
    expect(run.stderr).toContain('[CONFIG.INVALID]');
  });

  it('given an invalid value, `trial-ledger serve` does not start: exit 2, the variable named, the value not echoed', () => {
    const result = spawnSync(process.execPath, [BIN, '--store', `sqlite:${join(dir, 'serve.sqlite')}`, 'serve', '--port', '0'], {
      encoding: 'utf8',
      env: { ...process.env, TRIAL_LEDGER_MAX_FAILED_ATTEMPTS: 'unlimited' },
      timeout: 30_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('TRIAL_LEDGER_MAX_FAILED_ATTEMPTS must be a whole number from 1 to 100');
    expect(result.stderr).not.toContain('unlimited');
    expect(result.stdout).not.toContain('listening');
  });

  it('--help still works with a broken environment (nothing to configure yet)', async () => {
    const run = await cli(['verify', '--help'], { TRIAL_LEDGER_LOG_LEVEL: 'loud' });
    expect(run.status).toBe(0);
  });
});
