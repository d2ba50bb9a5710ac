import { logLedgerKeyCreated, logProcessWarnings, logStoreWarning, openServeLog } from './serve-log';

describe("serve's log", () => {
  const level = process.env.TRIAL_LEDGER_LOG_LEVEL;
  beforeAll(() => (process.env.TRIAL_LEDGER_LOG_LEVEL = 'info'));
  afterAll(() => {
    if (level === undefined) delete process.env.TRIAL_LEDGER_LOG_LEVEL;
    else process.env.TRIAL_LEDGER_LOG_LEVEL = level;
  });

  it("writes its lines in the API's format: level, ISO time, service, context, msg", () => {
    const written: string[] = [];
    const { log } = openServeLog({ write: (chunk: string) => void written.push(chunk) });
    log.info({ url: 'http://127.0.0.1:3000' }, 'listening on http://127.0.0.1:3000');
    const line = JSON.parse(written[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 30, service: 'trial-ledger-api', context: 'serve', msg: 'listening on http://127.0.0.1:3000' });
    expect(new Date(String(line.time)).toISOString()).toBe(line.time);
  });

  it("turns Node's warnings into warning lines with PROCESS.WARNING and no password, instead of Node's plain text", () => {
    const written: string[] = [];
    const { log } = openServeLog({ write: (chunk: string) => void written.push(chunk) });
    const listeners = process.listeners('warning');
    try {
      logProcessWarnings(log);
      expect(process.listeners('warning')).toHaveLength(1);
      // What process.emitWarning emits on the next tick.
      process.emit('warning', Object.assign(new Error('could not reach postgres://ledger:s3cret@db/ledger'), { name: 'DeprecationWarning', code: 'DEP0999' }));
      const line = JSON.parse(written[0]) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 40, code: 'PROCESS.WARNING', warning: { name: 'DeprecationWarning', code: 'DEP0999' } });
      expect(written[0]).not.toContain('s3cret');
    } finally {
      process.removeAllListeners('warning');
      for (const listener of listeners) process.on('warning', listener);
    }
  });
});

describe("serve's log of the store's warnings", () => {
  const level = process.env.TRIAL_LEDGER_LOG_LEVEL;
  beforeAll(() => (process.env.TRIAL_LEDGER_LOG_LEVEL = 'warn'));
  afterAll(() => {
    if (level === undefined) delete process.env.TRIAL_LEDGER_LOG_LEVEL;
    else process.env.TRIAL_LEDGER_LOG_LEVEL = level;
  });

  it('given a dropped idle connection, then one warning line with its code, no password and no stack, even at level warn', () => {
    const written: string[] = [];
    const { log } = openServeLog({ write: (chunk: string) => void written.push(chunk) });
    logStoreWarning(log)({ code: 'STORE.CONNECTION_LOST', message: 'an idle PostgreSQL connection of postgres://ledger:s3cret@db/ledger was dropped (57P01: terminating connection due to administrator command)' });
    expect(written).toHaveLength(1);
    const line = JSON.parse(written[0]) as Record<string, unknown>;
    expect(line).toMatchObject({ level: 40, code: 'STORE.CONNECTION_LOST', msg: expect.stringMatching(/dropped .* STORE\.CONNECTION_LOST$/) });
    expect(written[0]).not.toContain('s3cret');
    expect(line).not.toHaveProperty('stack');
  });
});

describe("serve's line for a new ledger signing key", () => {
  const level = process.env.TRIAL_LEDGER_LOG_LEVEL;
  beforeAll(() => (process.env.TRIAL_LEDGER_LOG_LEVEL = 'warn'));
  afterAll(() => {
    if (level === undefined) delete process.env.TRIAL_LEDGER_LOG_LEVEL;
    else process.env.TRIAL_LEDGER_LOG_LEVEL = level;
  });

  it('given TRIAL_LEDGER_LOG_LEVEL=warn, when the key is created, then the fingerprint an operator hands to auditors is still logged, as a warning with LEDGER_KEY.CREATED', () => {
    const written: string[] = [];
    const { log } = openServeLog({ write: (chunk: string) => void written.push(chunk) });
    const fingerprint = `sha256:${'ab'.repeat(32)}`;
    logLedgerKeyCreated(log, '/keys/ledger.key.pem', fingerprint);
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0])).toMatchObject({
      level: 40,
      code: 'LEDGER_KEY.CREATED',
      keyFile: '/keys/ledger.key.pem',
      fingerprint,
      msg: expect.stringMatching(new RegExp(`^created the ledger signing key /keys/ledger\\.key\\.pem \\(public key fingerprint ${fingerprint}\\).* LEDGER_KEY\\.CREATED$`)),
    });
  });
});
