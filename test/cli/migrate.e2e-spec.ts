import { join } from 'node:path';
import { findIdempotencyRecord, openEventStore, verifyChain } from '@trial-ledger/event-store';
import { cli, tempDir } from './cli-harness';

describe('trial-ledger migrate', () => {
  const dir = tempDir();
  const url = (name: string): string => `sqlite:${join(dir.path, name)}`;
  const headOf = async (name: string) => {
    const store = await openEventStore(url(name));
    try {
      return { head: await store.head(), chain: await verifyChain(store.readAll()), key: await findIdempotencyRecord(store, 'demo:LANR-HGNET-01:S001:screen', (await store.eventsWithIdempotencyKey('demo:LANR-HGNET-01:S001:screen'))[0]?.metadata.actor.userId ?? '') };
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    const demo = await cli(['--store', url('source.sqlite'), 'demo', '--today', '2026-03-01']);
    if (demo.status !== 0) throw new Error(demo.stderr);
  });
  afterAll(() => dir.remove());

  it('given a ledger, when migrated into an empty store, then the copy has the same head, chain and idempotency keys', async () => {
    const run = await cli(['--json', 'migrate', '--from', url('source.sqlite'), '--to', url('target.sqlite')]);

    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { eventsCopied: number; target: { ok: boolean } };
    const source = await headOf('source.sqlite');
    const target = await headOf('target.sqlite');
    expect(report.eventsCopied).toBe(source.head.position);
    expect(target.head).toEqual(source.head);
    expect(target.chain.ok).toBe(true);
    expect(source.key?.eventIds.length).toBeGreaterThan(0);
    expect(target.key).toEqual(source.key);
  });

  it('given the complete copy, when migrated again, then nothing more is copied and both sides verify; a target holding another ledger and the same store on both sides are refused', async () => {
    const again = await cli(['--json', '--store', url('source.sqlite'), 'migrate', '--to', url('target.sqlite')]);
    expect(again.status).toBe(0);
    const report = JSON.parse(again.stdout) as { eventsCopied: number; resumedAfter: number; target: { ok: boolean } };
    expect(report).toMatchObject({ eventsCopied: 0, resumedAfter: (await headOf('source.sqlite')).head.position, target: { ok: true } });

    const other = await cli(['--store', url('other.sqlite'), 'demo', '--today', '2026-03-02']);
    expect(other.status).toBe(0);
    const refused = await cli(['--store', url('source.sqlite'), 'migrate', '--to', url('other.sqlite')]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('already holds');
    expect((await cli(['migrate', '--from', url('source.sqlite'), '--to', url('source.sqlite')])).status).toBe(2);
  });
});
