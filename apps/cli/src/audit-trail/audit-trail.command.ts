import { once } from 'node:events';
import type { Command } from 'commander';
import { auditTrail, writeAuditTrail, type AuditTrailRow } from '@trial-ledger/audit';
import { personInWords } from '@trial-ledger/domain';
import { globalOptions, withExistingStore } from '../shared/cli-context';
import { ledgerCheckAlongside, reportDamageRead } from '../shared/ledger-damage';
import { terminalSafe } from '../shared/output';
import { trailFilter, withTrailFilters, type AuditTrailFilterOptions } from './audit-trail-filter.options';

const show = (value: unknown): string => (typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value));

/** One trail row as a monitor reads it on a terminal: when, who, what, and for a change before → after and why. */
export const formatTrailRow = (row: AuditTrailRow): string => {
  const who = personInWords(row);
  const where = row.subjectId ? `subject ${row.subjectId}` : row.streamId;
  const head = `${row.recordedAt}  #${row.position}  ${who}  ${row.action} — ${where}`;
  const lines = [head];
  if (row.eventType === 'EntryCorrected' && row.after) {
    const changes = Object.keys(row.after).map((k) => `${k}: ${show(row.before?.[k])} → ${show(row.after?.[k])}`);
    lines.push(`    corrected ${row.targetType} ${row.targetEventId}: ${changes.join('; ')}`);
  } else if (row.eventType === 'EntryVoided') {
    lines.push(`    voided ${row.targetType} ${row.targetEventId} (was ${show(row.before)})`);
  } else {
    const fields = Object.entries(row.fields).map(([k, v]) => `${k}=${show(v)}`);
    if (fields.length > 0) lines.push(`    ${fields.join('  ')}`);
  }
  if (row.reason) lines.push(`    reason: ${row.reason}`);
  // Each line escaped on its own: a line feed inside a reason or a value cannot start a forged row.
  return lines.map((line) => terminalSafe(line)).join('\n');
};

/** `trial-ledger audit-trail [--subject S] [--user U] [--from T] [--to T] [--type TYPE] [--json]`, streamed. */
export const registerAuditTrail = (program: Command): void => {
  withTrailFilters(
    program.command('audit-trail').description('Print the audit trail (who, when, what, before/after and why), oldest first, streamed'),
  ).action(async (opts: AuditTrailFilterOptions, command: Command) => {
    const options = globalOptions(command);
    const filter = trailFilter(opts);
    await withExistingStore(options, async (store) => {
      const damage = ledgerCheckAlongside(store, options);
      const rows = auditTrail(store, filter);
      if (options.json) {
        await writeAuditTrail(rows, process.stdout, 'json', undefined, false);
        reportDamageRead(await damage);
        return;
      }
      let count = 0;
      for await (const row of rows) {
        count += 1;
        if (!process.stdout.write(`${formatTrailRow(row)}\n`)) await once(process.stdout, 'drain');
      }
      process.stdout.write(`${count} audit-trail entr${count === 1 ? 'y' : 'ies'}.\n`);
      reportDamageRead(await damage);
    });
  });
};
