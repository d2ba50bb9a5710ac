/**
 * The API's JSON access log (nestjs-pino, on stderr) would interleave a line per request with the
 * test report. A test run is a deployment that sets its log level: off, unless the caller chose one.
 * Tests that check the log pass their own environment to the app.
 */
if (!process.env.TRIAL_LEDGER_LOG_LEVEL) process.env.TRIAL_LEDGER_LOG_LEVEL = 'silent';
