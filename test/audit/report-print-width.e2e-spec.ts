import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { renderLedgerReport } from '@trial-ledger/audit';
import { appendOne, seedAuditLedger, subjectStream, USERS } from '../../libs/audit/src/testing/audit-ledger.fixture';

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
/** An A4 page at 96 dpi is 794 CSS pixels wide: what the printed report has to fit in. */
const A4_WIDTH = 794;

/** Runs `probe` (a script that sets `document.body.dataset.result`) on the page in headless Chromium at A4 width. */
const inChromium = (dir: string, page: string, probe: string): string => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install it (CI does) or set CHROMIUM_BIN`);
  const file = join(dir, 'report.html');
  writeFileSync(file, page.replace('</body></html>', `<script>${probe}</script></body></html>`));
  const dom = execFileSync(
    CHROMIUM,
    ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${mkdtempSync(join(dir, 'chromium-'))}`, `--window-size=${A4_WIDTH},1000`, '--dump-dom', `file://${file}`],
    { stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 },
  ).toString('utf8');
  return (/data-result="([^"]*)"/.exec(dom)?.[1] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
};
const layoutWidth = (dir: string, page: string): number => Number(inChromium(dir, page, 'document.body.dataset.result = String(document.documentElement.scrollWidth);'));

/**
 * The printable report must keep every recorded character on the page: a long value without spaces (a
 * pasted URL, a lot number run together, a hash) used to widen its table cell, and the page with it, far
 * beyond an A4 sheet, so the printout cut it off or shrank the whole report to an unreadable size.
 */
describe('report: long values wrap inside an A4 page', () => {
  const dir = mkdtempSync(join(tmpdir(), 'report-width-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('given an adverse-event term and a correction reason of 1,500 characters without a space, then the page is no wider than A4 and the text is all there', async () => {
    const store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock: new FixedClock('2026-03-01T09:00:00.000Z') });
    try {
      await seedAuditLedger(store);
      const term = `Nausea:${'x'.repeat(1500)}`;
      const ae = await appendOne(store, subjectStream('S002'), 'AdverseEventReported', { term, onsetDate: '2026-02-01', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
      const reason = `See:${'y'.repeat(1500)}`;
      await appendOne(store, subjectStream('S002'), 'EntryCorrected', { targetEventId: ae.eventId, targetType: 'AdverseEventReported', before: { ctcaeGrade: 1 }, after: { ctcaeGrade: 2 }, reason }, USERS.investigator, reason);
      const page = await renderLedgerReport(store, { clock: new FixedClock('2026-03-05T12:00:00.000Z') });
      expect(page).toContain(term);
      expect(page).toContain(reason);
      expect(layoutWidth(dir, page)).toBeLessThanOrEqual(A4_WIDTH);
    } finally {
      await store.close();
    }
  }, 240_000);

  it('given a correction reason typed on two lines, then the printed reason keeps its line break (it ran the lines together)', async () => {
    const store = new SqliteEventStore(join(dir, 'lines.sqlite'), { clock: new FixedClock('2026-03-01T09:00:00.000Z') });
    try {
      await seedAuditLedger(store);
      const ae = await appendOne(store, subjectStream('S002'), 'AdverseEventReported', { term: 'Nausea', onsetDate: '2026-02-01', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, USERS.investigator);
      const reason = 'Grade per source: 2\nnot 1 as transcribed';
      await appendOne(store, subjectStream('S002'), 'EntryCorrected', { targetEventId: ae.eventId, targetType: 'AdverseEventReported', before: { ctcaeGrade: 1 }, after: { ctcaeGrade: 2 }, reason }, USERS.investigator, reason);
      const page = await renderLedgerReport(store, { clock: new FixedClock('2026-03-05T12:00:00.000Z') });
      const shown = inChromium(dir, page, `document.body.dataset.result = JSON.stringify([...document.querySelectorAll('td')].filter((td) => td.textContent.startsWith('Grade per source')).map((td) => td.innerText));`);
      expect(JSON.parse(shown)).toEqual(expect.arrayContaining(['Grade per source: 2\nnot 1 as transcribed']));
      expect(JSON.parse(shown)).not.toContain('Grade per source: 2 not 1 as transcribed');
    } finally {
      await store.close();
    }
  }, 240_000);
});
