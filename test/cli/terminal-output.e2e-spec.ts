import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@trial-ledger/event-store';
import { testEvent } from '../../libs/event-store/src/testing';
import { printResult, terminalSafe } from '../../apps/cli/src/shared/output';
import { cli, tempDir } from './cli-harness';

/** A reason recorded before the free-text rule (or by another tool): a terminal escape, a bidi override, a forged row. */
const HOSTILE_REASON = 'left the site\u001b[2K\r\u202Eevil\n2026-01-01T00:00:00.000Z  #1  Forged Person (forger, admin)  Signed the casebook';

/**
 * The CLI's human output is read on a terminal, which acts on control characters instead of showing
 * them. Printed raw, a recorded escape sequence erases or recolours what the auditor reads, an override
 * reorders it, and a line feed in a reason prints a trail row that was never recorded.
 */
describe('the CLI shows recorded control and bidi characters as escapes, never raw', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('audit-trail: no raw control or override character reaches stdout, and a line feed in a reason starts no row', async () => {
    const file = join(dir.path, 'old.sqlite');
    const store = new SqliteEventStore(file);
    const event = testEvent('UserDeactivated', { userId: 'u-2', username: 'rex', at: '2026-01-01T00:00:00.000Z' });
    await store.append({ writes: [{ streamId: 'identity', expectedVersion: 0, events: [{ ...event, metadata: { ...event.metadata, reason: HOSTILE_REASON } }] }] });
    await store.close();
    const run = await cli(['--store', `sqlite:${file}`, 'audit-trail']);
    expect(run.status).toBe(0);
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(run.stdout).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/u);
    expect(run.stdout).toContain('left the site\\u001b[2K\\u000d\\u202eevil\\u000a2026-01-01T00:00:00.000Z  #1  Forged Person');
    expect(run.stdout.split('\n').filter((line) => /^\d{4}-\d\d-\d\dT/.test(line))).toHaveLength(1);
  });

  it('every other human output goes through printResult, which escapes the same characters but keeps its own line breaks', () => {
    expect(terminalSafe('a\tb\u0007c\u202Ed', true)).toBe('a\tb\\u0007c\\u202ed');
    expect(terminalSafe('one\ntwo', true)).toBe('one\ntwo');
    expect(terminalSafe('one\ntwo')).toBe('one\\u000atwo');
    const out: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => out.push(chunk) > 0) as typeof process.stdout.write;
    try {
      printResult(false, null, () => 'Withdrawn 2026-01-01: \u001b]0;pwned\u0007moved\nnext line');
    } finally {
      process.stdout.write = write;
    }
    expect(out.join('')).toBe('Withdrawn 2026-01-01: \\u001b]0;pwned\\u0007moved\nnext line\n');
  });

  it('verify: an idempotency record planted with an escape sequence for a key is named, escaped', async () => {
    const file = join(dir.path, 'planted.sqlite');
    const store = new SqliteEventStore(file);
    await store.append({ writes: [{ streamId: 's-1', expectedVersion: 0, events: [testEvent('E')] }] });
    await store.close();
    const db = new Database(file);
    db.prepare('INSERT INTO idempotency_keys (idempotency_key, request_hash, event_ids, stream_versions, last_position, recorded_at) VALUES (?, NULL, ?, ?, 1, ?)')
      .run('k\u001b[2J\u202Eplanted', '[]', '{}', '2026-01-01T00:00:00.000Z');
    db.close();
    const run = await cli(['--store', `sqlite:${file}`, 'verify']);
    expect(run.status).toBe(3);
    expect(run.stderr).toContain('k\\u001b[2J\\u202eplanted');
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(run.stderr).not.toMatch(/[\u001b\u202E]/u);
  });

  it.each([
    ['a refusal quoting a typed subject id', ['replay', '--subject', 'S\u001b]0;pwned\u0007\u202Ex'], 1, 'S\\u001b]0;pwned\\u0007\\u202ex'],
    ['a usage error quoting an unknown option', ['verify', '--x\u001b[2J'], 2, "'--x\\u001b[2J'"],
  ])('%s: the error line shows the characters as escapes', async (_what, argv, status, shown) => {
    const file = join(dir.path, `errors-${status}.sqlite`);
    const store = new SqliteEventStore(file);
    await store.append({ writes: [{ streamId: 's-1', expectedVersion: 0, events: [testEvent('E')] }] });
    await store.close();
    const run = await cli(['--store', `sqlite:${file}`, ...argv]);
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(shown);
    // eslint-disable-next-line no-control-regex -- asserting their absence
    expect(run.stderr).not.toMatch(/[\u001b\u0007\u202E]/u);
  });
});
