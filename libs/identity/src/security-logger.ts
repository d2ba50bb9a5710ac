/**
 * The port through which identity reports security events as they happen (Part 11 §11.300(d):
 * unauthorised use is reported at once). The API plugs in its framework logger, the CLI writes to
 * stderr, tests record.
 */
export interface SecurityLogger {
  /** `code`: the stable code of the event (`AUTH.ACCOUNT_LOCKED`, …), for a log search or an alert to key on. */
  warn(message: string, code?: string): void;
}

/** stderr, so that a command's `--json` output on stdout stays parseable. */
export const stderrSecurityLogger: SecurityLogger = { warn: (message) => process.stderr.write(`trial-ledger [security] ${message}\n`) };
