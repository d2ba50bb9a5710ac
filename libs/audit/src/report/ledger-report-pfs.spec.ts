import { addDays } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { testing } from '@trial-ledger/projections';
import { PassThrough } from 'node:stream';
import { analysePfs } from '@trial-ledger/pfs';
import { exportOdm } from '../odm/odm.exporter';
import { renderLedgerReport } from './ledger-report.renderer';

const START = '2026-01-05';
const day = (n: number): string => addDays(START, n - 1);

/**
 * The printable report a regulator takes away gives the PFS figures as `trial-ledger pfs` does (SPEC §3):
 * the median with its 95 % CI and each landmark rate with its 95 % CI, a limit not reached named NR.
 */
describe('renderLedgerReport: PFS figures', () => {
  it('given a progression on day 85 and a subject followed to day 253, then the 182-day rate carries its CI and the unreached upper limit reads NR', async () => {
    // given
    const ledger = new testing.LedgerScenario('LANR-HGNET-01');
    ledger.registerStudy();
    const s1 = ledger.subject('S001');
    s1.baseline(addDays(START, -10), { diameters: [50] });
    s1.enrol(START);
    s1.followUp(day(85), { diameters: [61] });
    const s2 = ledger.subject('S002');
    s2.baseline(addDays(START, -10), { diameters: [50] });
    s2.enrol(START);
    for (const n of [85, 169, 253]) s2.followUp(day(n), { diameters: [50] });
    const store = new SqliteEventStore(':memory:');
    await ledger.appendTo(store);
    // when
    const page = await renderLedgerReport(store, { clock: new FixedClock('2027-03-01T12:00:00.000Z') });
    await store.close();
    // then: S(182) = 0.5; the log-log CI is (0.006, 0.91) (R survfit, conf.type = "log-log")
    const pfs = page.slice(page.indexOf('<section id="pfs"'), page.indexOf('</section>', page.indexOf('<section id="pfs"')));
    expect(pfs).toMatch(/PFS at day 182: 50\.0 % \(95 % CI 0\.6 %–91\.0 %\)/);
    expect(pfs).toMatch(/PFS at day 365: NE \(95 % CI NE–NE\)/);
    expect(pfs).toMatch(/median PFS 85 days\s+\(95 % CI [^)]*–NR\)/);
  });
});

describe('a subject withdrawn before enrollment', () => {
  it('is counted by status in the report, exported to ODM with the withdrawal, and not in the PFS analysis set', async () => {
    // given
    const ledger = new testing.LedgerScenario('LANR-HGNET-01');
    ledger.registerStudy();
    const s1 = ledger.subject('S001');
    s1.baseline(addDays(START, -10), { diameters: [50] });
    s1.enrol(START);
    const s2 = ledger.subject('S002');
    s2.screen(addDays(START, -7));
    s2.confirmEligibility(addDays(START, -6));
    s2.withdraw(addDays(START, -3), 'consent-withdrawn');
    const store = new SqliteEventStore(':memory:');
    await ledger.appendTo(store);
    // when
    const clock = new FixedClock('2027-03-01T12:00:00.000Z');
    const page = await renderLedgerReport(store, { clock });
    const pfs = await analysePfs(store, 'LANR-HGNET-01');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportOdm(store, out, { clock });
    await store.close();
    // then
    expect(page).toMatch(/Subjects by status<\/th><td>withdrawn-before-enrollment 1, enrolled 1</);
    expect(pfs.subjects.map((s) => s.subjectId)).toEqual(['S001']);
    const xml = Buffer.concat(chunks).toString('utf8');
    const withdrawal = xml.slice(xml.lastIndexOf('<SubjectData SubjectKey="S002"'));
    expect(withdrawal).toMatch(/^<SubjectData SubjectKey="S002"[^]*?FormOID="F\.SUBJECTWITHDRAWN"/);
    expect(withdrawal).toContain(`ItemOID="IT.SUBJECTWITHDRAWN.WITHDRAWALDATE" TransactionType="Insert" Value="${addDays(START, -3)}"`);
  });

  it('who then dies (vital status) stays withdrawn-before-enrollment in the report, has the death in ODM, and is still not in the PFS analysis set', async () => {
    // given
    const ledger = new testing.LedgerScenario('LANR-HGNET-01');
    ledger.registerStudy();
    const s1 = ledger.subject('S001');
    s1.baseline(addDays(START, -10), { diameters: [50] });
    s1.enrol(START);
    const s2 = ledger.subject('S002');
    s2.screen(addDays(START, -7));
    s2.confirmEligibility(addDays(START, -6));
    s2.withdraw(addDays(START, -3), 'consent-withdrawn');
    s2.die(day(40));
    const store = new SqliteEventStore(':memory:');
    await ledger.appendTo(store);
    // when
    const clock = new FixedClock('2027-03-01T12:00:00.000Z');
    const page = await renderLedgerReport(store, { clock });
    const pfs = await analysePfs(store, 'LANR-HGNET-01');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportOdm(store, out, { clock });
    await store.close();
    // then
    expect(page).toMatch(/Subjects by status<\/th><td>withdrawn-before-enrollment 1, enrolled 1</);
    expect([pfs.subjects.map((s) => s.subjectId), pfs.summary.events]).toEqual([['S001'], 0]);
    const xml = Buffer.concat(chunks).toString('utf8');
    expect(xml.slice(xml.lastIndexOf('<SubjectData SubjectKey="S002"'))).toContain(`Value="${day(40)}"`);
  });
});
