import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The ledger signing key and the trust file default to the user's config directory; no test may write
 * there. Each test file gets its own key directory (and XDG config home), removed afterwards. This
 * `process.env` is the test sandbox's copy: a process spawned with `{ env: process.env }` sees this
 * directory, one spawned without an `env` sees the run-wide one from `isolated-key-dir.global-setup.cjs`.
 */
const configHome = mkdtempSync(join(tmpdir(), 'trial-ledger-config-'));
process.env.XDG_CONFIG_HOME = configHome;
process.env.TRIAL_LEDGER_KEY_DIR = join(configHome, 'trial-ledger');
delete process.env.LEDGER_KEY_FILE;
delete process.env.TRIAL_LEDGER_TRUST_FILE;

afterAll(() => rmSync(configHome, { recursive: true, force: true }));
