import { logProcessWarnings, openServeLog } from './serve-log';

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
