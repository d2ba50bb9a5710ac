import type { StoreInspection } from '@trial-ledger/event-store';

/**
 * `verify`'s account of what lies outside the hash chain: each side record the chain does not back
 * (a fault: the ledger is reported damaged) and each missing or altered defence (a warning).
 */
export const describeInspection = (inspection: StoreInspection): string[] => {
  const lines: string[] = [];
  const tables = inspection.sideTables.length > 0 ? ` (${inspection.sideTables.join(', ')})` : '';
  if (inspection.faults.length === 0) {
    lines.push(`Side records${tables}: ${inspection.idempotencyRecordsChecked} idempotency record(s) checked against the events, all backed by the chain.`);
  } else {
    lines.push(`SIDE RECORDS NOT BACKED BY THE CHAIN${tables}: ${inspection.faults.length} found.`);
    for (const fault of inspection.faults) lines.push(`  ${fault.table} ${fault.record}: ${fault.problem} — ${fault.message}.`);
  }
  for (const warning of inspection.warnings) lines.push(`WARNING [${warning.code}]: ${warning.message}.`);
  return lines;
};
