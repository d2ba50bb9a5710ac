// Jest globalSetup: the key directory and XDG config home of the whole run point at a temporary
// directory. Set here, in the parent process, so that the workers — and every process a test spawns
// without an explicit environment — inherit it; the per-file setup (isolated-key-dir.ts) gives each
// test file its own directory on top.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const configHome = mkdtempSync(join(tmpdir(), 'trial-ledger-run-config-'));
  process.env.CUSTODY_TEST_CONFIG_HOME = configHome;
  process.env.XDG_CONFIG_HOME = configHome;
  process.env.TRIAL_LEDGER_KEY_DIR = join(configHome, 'trial-ledger');
  delete process.env.LEDGER_KEY_FILE;
  delete process.env.TRIAL_LEDGER_TRUST_FILE;
};
