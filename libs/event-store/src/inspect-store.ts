import { deriveEarlierRequest } from './append/idempotent-repeat';
import type { StoredEvent } from './event-envelope';
import type { EventStore, IdempotencyRecord } from './event-store.port';
import { isIdempotencyRecordSource } from './ledger-importer';

/**
 * How a record kept beside the chain disagrees with the chained events: `planted` — no chained event
 * carries its key; `altered` — they do, but the record says something else (other events, versions,
 * position or fingerprint); `orphaned` — it names events the ledger does not hold; `index-altered` —
 * an event's indexed key column differs from the key in its hashed metadata.
 */
export type SideRecordProblem = 'planted' | 'altered' | 'orphaned' | 'index-altered';

export interface SideRecordFault {
  /** Where the record lives, e.g. `idempotency_keys`, `events.idempotency_key`. */
  readonly table: string;
  /** The record's key (an idempotency key, or a global position for an event's index column). */
  readonly record: string;
  readonly problem: SideRecordProblem;
  readonly message: string;
}

/**
 * A stored Merkle node for a subtree the log has not completed: nothing in the chain backs it, and the
 * append that completes that subtree would collide with it and fail — every append from then on.
 */
export const plantedTreeNodeFault = (level: number, index: string | number, head: number): SideRecordFault => ({
  table: 'merkle_nodes',
  record: `${level}/${index}`,
  problem: 'planted',
  message: `Merkle node level ${level}, index ${index} covers events beyond the ${head} the ledger holds: it was planted, and the append that reaches it would fail`,
});

/** The SQL condition of such a node (the same in SQLite and PostgreSQL): not a complete subtree of the first `head` leaves. */
export const TREE_NODE_BEYOND_HEAD = 'level >= 63 OR idx >= (head >> level)';

/** A defence of the store that is missing or altered (append-only triggers, role separation). */
export interface DefenceWarning {
  readonly code: string;
  readonly message: string;
}

/** What the store itself can check: its index columns against the hashed metadata, and its defences. */
export interface StorageInspection {
  /** The side tables and columns this store keeps beside the chain, all checked. */
  readonly sideTables: readonly string[];
  readonly faults: readonly SideRecordFault[];
  readonly warnings: readonly DefenceWarning[];
}

/** Optional capability of a store (SQLite, PostgreSQL): inspect what lies outside the hash chain. */
export interface StorageInspector {
  inspectStorage(): Promise<StorageInspection>;
}

export interface StoreInspection extends StorageInspection {
  readonly ok: boolean;
  /** Idempotency records read from the store's side table (older versions wrote them) and checked. */
  readonly idempotencyRecordsChecked: number;
}

const isStorageInspector = (store: EventStore): store is EventStore & StorageInspector =>
  typeof (store as Partial<StorageInspector>).inspectStorage === 'function';

const sameList = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

const sameVersions = (a: Readonly<Record<string, number>>, b: Readonly<Record<string, number>>): boolean =>
  sameList(Object.keys(a).sort(), Object.keys(b).sort()) && Object.keys(a).every((k) => a[k] === b[k]);

/**
 * Checks one side-table idempotency record against the chained events: `named` are the events it
 * lists (null where the ledger has none), `carrying` the events stored with its key.
 */
export const checkIdempotencyRecord = (
  table: string,
  record: IdempotencyRecord,
  named: readonly (StoredEvent | null)[],
  carrying: readonly StoredEvent[],
): SideRecordFault | null => {
  const fault = (problem: SideRecordProblem, message: string): SideRecordFault => ({ table, record: record.key, problem, message });
  const missing = record.eventIds.filter((_, i) => named[i] === null);
  if (missing.length > 0) return fault('orphaned', `idempotency record ${record.key} names event(s) the ledger does not hold: ${missing.join(', ')}`);
  const owner = record.userId ?? named[0]?.metadata.actor.userId ?? null;
  const derived = deriveEarlierRequest(record.key, owner, carrying)?.record;
  if (!derived) return fault('planted', `idempotency record ${record.key} is not backed by the chain: no recorded event carries that key${owner ? ` for user ${owner}` : ''}`);
  const differences = [
    sameList(record.eventIds, derived.eventIds) ? null : `events ${record.eventIds.join(',')} ≠ ${derived.eventIds.join(',')}`,
    sameVersions(record.streamVersions, derived.streamVersions) ? null : 'stream versions',
    record.lastPosition === derived.lastPosition ? null : `last position ${record.lastPosition} ≠ ${derived.lastPosition}`,
    derived.requestHash === null || record.requestHash === derived.requestHash ? null : 'request fingerprint',
  ].filter((d): d is string => d !== null);
  return differences.length === 0 ? null : fault('altered', `idempotency record ${record.key} differs from the chained events: ${differences.join('; ')}`);
};

/**
 * Everything `verify` checks beyond the hash chain (issue: side tables outside the chain): every
 * idempotency record a side table keeps, against the events; the store's index columns against the
 * hashed metadata; and whether the store's defences (append-only triggers, role separation) are in
 * place — a missing defence is a warning, a record the chain does not back is a fault.
 */
export const inspectStore = async (store: EventStore): Promise<StoreInspection> => {
  const storage: StorageInspection = isStorageInspector(store) ? await store.inspectStorage() : { sideTables: [], faults: [], warnings: [] };
  const faults = [...storage.faults];
  let checked = 0;
  if (isIdempotencyRecordSource(store)) {
    const table = store.idempotencyRecordTable;
    for await (const record of store.readIdempotencyRecords()) {
      checked += 1;
      const named = await Promise.all(record.eventIds.map((id) => store.getEvent(id)));
      const fault = checkIdempotencyRecord(table, record, named, await store.eventsWithIdempotencyKey(record.key));
      if (fault) faults.push(fault);
    }
  }
  return { ...storage, ok: faults.length === 0, faults, idempotencyRecordsChecked: checked };
};

/** The fields a verification report adds for what lies outside the chain (CLI `--json` and the API alike). */
export interface StoreInspectionReport {
  readonly sideRecords: {
    readonly ok: boolean;
    readonly tables: readonly string[];
    readonly idempotencyRecordsChecked: number;
    readonly faults: readonly SideRecordFault[];
  };
  /** Missing or altered defences: reported, but not damage to the record itself. */
  readonly warnings: readonly DefenceWarning[];
}

export const inspectionReport = (inspection: StoreInspection): StoreInspectionReport => ({
  sideRecords: { ok: inspection.ok, tables: inspection.sideTables, idempotencyRecordsChecked: inspection.idempotencyRecordsChecked, faults: inspection.faults },
  warnings: inspection.warnings,
});
