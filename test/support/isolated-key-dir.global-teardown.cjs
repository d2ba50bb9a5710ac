// Removes the run's temporary config home made by isolated-key-dir.global-setup.cjs.
const { rmSync } = require('node:fs');

module.exports = async () => {
  const configHome = process.env.CUSTODY_TEST_CONFIG_HOME;
  if (configHome) rmSync(configHome, { recursive: true, force: true });
};
