import { cli } from './cli-harness';

describe('trial-ledger (program)', () => {
  it('--help lists the commands and exits 0', async () => {
    const run = await cli(['--help']);
    expect(run.status).toBe(0);
    for (const command of ['serve', 'study', 'import', 'demo', 'migrate']) expect(run.stdout).toMatch(new RegExp(`^  ${command}\\b`, 'm'));
  });

  it('study --help lists register, amend, lock, unlock and show', async () => {
    const run = await cli(['study', '--help']);
    expect(run.status).toBe(0);
    for (const sub of ['register', 'amend', 'lock', 'unlock', 'show']) expect(run.stdout).toMatch(new RegExp(`^  ${sub}\\b`, 'm'));
  });

  it('an unknown command or option is a usage error: exit status 2', async () => {
    expect((await cli(['frobnicate'])).status).toBe(2);
    expect((await cli(['demo', '--no-such-option'])).status).toBe(2);
    expect((await cli(['serve', '--port', 'eighty'])).status).toBe(2);
  });
});
