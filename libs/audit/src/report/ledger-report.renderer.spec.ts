import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, FixedClock } from '@trial-ledger/event-store';
import { SqliteAttacker } from '../testing/sqlite-attacker';
import { appendOne, seedAuditLedger, subjectStream, USERS } from '../testing/audit-ledger.fixture';
import { escapeHtml, html } from './html';
import { ledgerReportParts, renderLedgerReport } from './ledger-report.renderer';

describe('renderLedgerReport', () => {
  let store: SqliteEventStore;
  let page: string;

  beforeAll(async () => {
    store = new SqliteEventStore(':memory:', { clock: new FixedClock('2026-03-01T09:00:00.000Z') });
    await seedAuditLedger(store);
    // A correction after the casebook signature supersedes it; a hostile value must be escaped.
    await appendOne(store, subjectStream('S002'), 'AdverseEventReported', { term: '<script>alert(1)</script>', onsetDate: '2026-02-01', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
    page = await renderLedgerReport(store, { clock: new FixedClock('2026-03-05T12:00:00.000Z') });
  });
  afterAll(() => store.close());

  it('opens with the study, the generation time and an intact verification verdict', () => {
    expect(page).toMatch(/^<!DOCTYPE html>/);
    expect(page).toContain('generated 2026-03-05 12:00:00 UTC');
    expect(page).toContain('INTACT — 22 events');
  });

  it('gives each subject its own printed page with casebook, corrections with reasons and audit trail', () => {
    expect((page.match(/<section class="subject"/g) ?? []).length).toBe(2);
    expect(page).toContain('Transcription error: 120 mg per pharmacy log');
    expect(page).toContain('Entered for the wrong subject');
    expect(page).toMatch(/<tr class="voided">/);
    expect(page).toContain('break-before: page');
  });

  it('comes in parts a writer streams: the opening, one section per subject, the closing tags; together the same page', async () => {
    const parts = [...(await ledgerReportParts(store, { clock: new FixedClock('2026-03-05T12:00:00.000Z') }))];
    expect(parts).toHaveLength(4);
    expect(parts[0]).toMatch(/^<!DOCTYPE html>/);
    expect(parts[0]).not.toContain('<section class="subject"');
    expect(parts.slice(1, 3).map((part) => part.match(/^<section class="subject" id="subject-(\w+)"/)?.[1])).toEqual(['S001', 'S002']);
    expect(parts[3]).toBe('\n</body></html>\n');
    expect(parts.join('')).toBe(page);
  });

  it('shows the signature manifestation: printed name, date-time and meaning (as signed, the same fields the ODM export writes)', () => {
    expect(page).toContain('<strong>Dr Ivan Investigator</strong> (iinv, investigator)');
    expect(page).toContain('Signed 2026-03-01 10:00:00 UTC — meaning: <strong>approval</strong>');
  });

  it('escapes ledger content and never prints password hashes', () => {
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('SECRETHASHVALUE');
    expect(escapeHtml(`a<b>"c"&'d'`)).toBe('a&lt;b&gt;&quot;c&quot;&amp;&#39;d&#39;');
    expect(html`<p>${'<i>'}</p>${html`<b>${1}</b>`}`.value).toBe('<p>&lt;i&gt;</p><b>1</b>');
  });

  it('given --subject naming a subject of the study, then only its casebook; given a mistyped one, then SUBJECT.NOT_FOUND rather than a report without any casebook', async () => {
    const clock = new FixedClock('2026-03-05T12:00:00.000Z');
    const one = await renderLedgerReport(store, { clock, subjectId: 'S002' });
    expect(one.match(/<section class="subject" id="subject-(\w+)"/g)).toEqual(['<section class="subject" id="subject-S002"']);
    await expect(renderLedgerReport(store, { clock, subjectId: 'S0002' })).rejects.toMatchObject({ code: 'SUBJECT.NOT_FOUND' });
  });

  it('says why the KM curve is missing when PFS cannot be analysed yet', () => {
    expect(page).toContain('Progression-free survival (Kaplan–Meier)');
  });
});

describe('renderLedgerReport: the verification verdict covers the Merkle tree, as verify does', () => {
  it('given a stored Merkle node rewritten behind the store (the chain still links), then the report says DAMAGED and names the node, never INTACT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'report-tree-'));
    const file = join(dir, 'ledger.sqlite');
    const clock = new FixedClock('2026-03-05T12:00:00.000Z');
    try {
      const store = new SqliteEventStore(file);
      await seedAuditLedger(store);
      const intact = await renderLedgerReport(store, { clock, trustStatement: 'Trust basis: the hash chain only (not anchored).' });
      expect(intact).toContain('the Merkle tree recomputed');
      expect(intact).toMatch(/<th>Merkle tree \(RFC 9162\)<\/th><td>intact: 21 leaves/);
      expect(intact).toContain('<th>Trust basis</th><td>Trust basis: the hash chain only (not anchored).</td>');
      await store.close();

      const attacker = new SqliteAttacker(file);
      expect(attacker.rewriteMerkleNode(4, 0, Buffer.alloc(32, 7))).toBe(1);
      attacker.close();
      const reopened = new SqliteEventStore(file);
      try {
        const page = await renderLedgerReport(reopened, { clock });
        expect(page).not.toContain('class="verdict ok"');
        expect(page).toMatch(/<p class="verdict bad">DAMAGED: the stored Merkle tree[^<]*level 4, index 0/);
      } finally {
        await reopened.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Part 11 §11.50: the report says what each signature covers; a record signature is not printed as the casebook's. */
describe('renderLedgerReport: the scope and the meaning of each signature in words', () => {
  let store: SqliteEventStore;
  let page: string;
  let scanId: string;

  beforeAll(async () => {
    store = new SqliteEventStore(':memory:', { clock: new FixedClock('2026-03-01T09:00:00.000Z') });
    const seeded = await seedAuditLedger(store);
    scanId = seeded.assessment.eventId;
    const through = await store.streamVersion(subjectStream('S001'));
    await appendOne(store, subjectStream('S001'), 'RecordSigned', {
      studyId: 'LANR-HGNET-01', subjectId: 'S001', signerUserId: USERS.monitor.userId, signerUsername: USERS.monitor.username, signerFullName: USERS.monitor.fullName,
      signedAt: '2026-03-01T11:00:00.000Z', meaning: 'review', signedThroughVersion: through, signedEventHash: 'f'.repeat(64), signedHash: 'a'.repeat(64), hashAlgorithm: 'SHA-256',
      targetEventId: scanId, targetType: 'TumorAssessmentRecorded',
    }, USERS.monitor);
    page = await renderLedgerReport(store, { clock: new FixedClock('2026-03-05T12:00:00.000Z') });
  });
  afterAll(() => store.close());

  const signatureBlocks = (): string[] => page.split('<div class="signature">').slice(1).map((block) => block.split('</div></div>')[0]);

  it('given a casebook signature, then its block says it covers the whole casebook through its version and words its meaning', () => {
    const block = signatureBlocks().find((b) => b.includes('Dr Ivan Investigator')) ?? '';
    expect(block).toMatch(/Covers the whole casebook through version \d+/);
    expect(block).toContain('Approval: I approve these data as complete and accurate');
  });
  it('given a record signature, then its block names the one record (type in words and id), not the casebook', () => {
    const block = signatureBlocks().find((b) => b.includes(USERS.monitor.fullName)) ?? '';
    expect(block).toContain(`Covers one record: Tumor assessment recorded ${scanId}`);
    expect(block).not.toContain('whole casebook');
    expect(block).toContain('Review: I have reviewed these data');
  });
});
