import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { create } from 'xmlbuilder2';
import { exportOdm, ODM_NAMESPACE } from '@trial-ledger/audit';
import { executeCommand, type Command, type CommandEnvelope, type CommandOutcome } from '@trial-ledger/command-pipeline';
import type { Actor } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { ADMIN, COORDINATOR, eligibility, INVESTIGATOR, registerStudy, screening, subjectCommand } from '../../../libs/domain/src/subject/testing/subject.fixtures';

/** The part of an exported ODM document's DOM the tests read. */
export type OdmElement = {
  getAttribute(name: string): string | null;
  getElementsByTagNameNS(ns: string, name: string): { length: number; item(i: number): OdmElement | null };
  textContent: string | null;
  parentNode: OdmElement | null;
};

/** Every ODM element named `name` below `root`, in document order. */
export const odmElements = (root: OdmElement, name: string): OdmElement[] => {
  const list = root.getElementsByTagNameNS(ODM_NAMESPACE, name);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as OdmElement);
};

/** The FormData an ItemData stands in (ItemData → ItemGroupData → FormData). */
export const formOf = (item: OdmElement): OdmElement => item.parentNode!.parentNode as OdmElement;

export interface SubjectLedger {
  /** This test's store (a new SQLite file per test). */
  readonly store: SqliteEventStore;
  readonly clock: FixedClock;
  as(actor?: Actor): CommandEnvelope;
  run(command: Command, envelope?: CommandEnvelope): Promise<CommandOutcome>;
  /** The ODM export of the store as text and as a DOM. */
  exportDocument(): Promise<{ readonly xml: string; readonly doc: OdmElement }>;
}

/**
 * A new SQLite ledger for each test (jest hooks) holding the study and subject S001 screened and found
 * eligible, then what `andThen` records; recorded at `instant` by a fixed clock.
 */
export const subjectLedgerPerTest = (tmpPrefix: string, instant: string, andThen: (ledger: SubjectLedger) => Promise<void>): SubjectLedger => {
  let dir = '';
  let store: SqliteEventStore | null = null;
  const clock = new FixedClock(instant);
  const ledger: SubjectLedger = {
    get store(): SqliteEventStore {
      if (store === null) throw new Error('the ledger exists only inside a test');
      return store;
    },
    clock,
    as: (actor = INVESTIGATOR) => ({ actor, source: 'api' }),
    run: (command, envelope = ledger.as()) => executeCommand(ledger.store, command, envelope, { clock }),
    exportDocument: async () => {
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));
      await exportOdm(ledger.store, out, { clock });
      const xml = Buffer.concat(chunks).toString('utf8');
      return { xml, doc: (create(xml).node as unknown as { documentElement: OdmElement }).documentElement };
    },
  };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), tmpPrefix));
    store = new SqliteEventStore(join(dir, 'ledger.sqlite'), { clock });
    await ledger.run(registerStudy(), { actor: ADMIN, source: 'cli' });
    await ledger.run(subjectCommand('ScreenSubject', screening()), ledger.as(COORDINATOR));
    await ledger.run(subjectCommand('AssessEligibility', eligibility()));
    await andThen(ledger);
  });
  afterEach(async () => {
    await store?.close();
    store = null;
    rmSync(dir, { recursive: true, force: true });
  });
  return ledger;
};
