import { PassThrough } from 'node:stream';
import { create } from 'xmlbuilder2';
import { loadDefaultProtocol } from '@trial-ledger/domain';
import { FixedClock, SqliteEventStore, type StoredEvent } from '@trial-ledger/event-store';
import { appendOne, STUDY_ID, subjectStream, USERS } from '../testing/audit-ledger.fixture';
import { validateOdmXml } from '../testing/odm-schema.validator';
import { exportOdm, ODM_NAMESPACE } from './odm.exporter';

type El = { getAttribute(name: string): string | null; getElementsByTagNameNS(ns: string, name: string): { length: number; item(i: number): El | null }; parentNode: El | null; textContent: string | null };
const all = (root: El, name: string): El[] => {
  const list = root.getElementsByTagNameNS(ODM_NAMESPACE, name);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as El);
};
const ancestor = (el: El, attribute: string): El | null => {
  for (let at = el.parentNode; at; at = at.parentNode) if (at.getAttribute?.(attribute) !== null && at.getAttribute?.(attribute) !== undefined) return at;
  return null;
};

/**
 * The ODM export of adverse-event outcomes: each outcome is a form of its own (with its audit record), and the
 * AE's form carries the current outcome (SDTM AEOUT, coded by CL.AEOUT) and end date (AEENDTC), updated by every
 * outcome recorded, corrected or voided, so the file's last value of each is the casebook's.
 */
describe('ODM export: adverse event outcomes (AEOUT, AEENDTC)', () => {
  const clock = new FixedClock('2026-05-01T12:00:00.000Z');
  let store: SqliteEventStore;
  let xml: string;
  let doc: El;
  let diarrhoea: StoredEvent;
  let nausea: StoredEvent;
  let correction: StoredEvent;
  let voided: StoredEvent;

  beforeAll(async () => {
    store = new SqliteEventStore(':memory:', { clock });
    const { admin, coordinator, investigator } = USERS;
    await appendOne(store, `study-${STUDY_ID}`, 'StudyRegistered', { studyId: STUDY_ID, protocol: loadDefaultProtocol() }, admin);
    const s1 = subjectStream('S001');
    await appendOne(store, s1, 'SubjectScreened', { studyId: STUDY_ID, subjectId: 'S001', screeningDate: '2026-01-05', consentDate: '2026-01-04', sex: 'F', birthYear: 1961 }, coordinator);
    await appendOne(store, s1, 'EligibilityConfirmed', { assessmentDate: '2026-01-06', age: 64, primarySite: 'rectum', whoGrade: 2, ki67Percent: 4.5, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1 }, investigator);
    await appendOne(store, s1, 'SubjectEnrolled', { subjectNumber: 1, enrollmentDate: '2026-01-07' }, investigator);
    diarrhoea = await appendOne(store, s1, 'AdverseEventReported', { term: 'Diarrhoea', onsetDate: '2026-01-20', ctcaeGrade: 2, serious: false, relatedness: 'possibly related' }, coordinator);
    nausea = await appendOne(store, s1, 'AdverseEventReported', { term: 'Nausea', onsetDate: '2026-01-22', ctcaeGrade: 1, serious: false, relatedness: 'unlikely' }, coordinator);
    await appendOne(store, s1, 'AdverseEventOutcomeRecorded', { adverseEventId: diarrhoea.eventId, outcome: 'recovering', endDate: null }, coordinator);
    const recovered = await appendOne(store, s1, 'AdverseEventOutcomeRecorded', { adverseEventId: diarrhoea.eventId, outcome: 'recovered', endDate: '2026-02-03' }, coordinator);
    correction = await appendOne(store, s1, 'EntryCorrected', {
      targetEventId: recovered.eventId, targetType: 'AdverseEventOutcomeRecorded', before: { endDate: '2026-02-03' }, after: { endDate: '2026-02-05' }, reason: 'End date per the clinic letter',
    }, coordinator, 'End date per the clinic letter');
    const nauseaOutcome = await appendOne(store, s1, 'AdverseEventOutcomeRecorded', { adverseEventId: nausea.eventId, outcome: 'recovered-with-sequelae', endDate: '2026-01-30' }, coordinator);
    voided = await appendOne(store, s1, 'EntryVoided', { targetEventId: nauseaOutcome.eventId, targetType: 'AdverseEventOutcomeRecorded', reason: 'Entered on the wrong AE' }, coordinator, 'Entered on the wrong AE');
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await exportOdm(store, out, { clock });
    xml = Buffer.concat(chunks).toString('utf8');
    doc = (create(xml).node as unknown as { documentElement: El }).documentElement;
  });
  afterAll(() => store.close());

  it('is valid against the ODM 1.3.2 schema', async () => {
    const result = await validateOdmXml(xml);
    expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("defines the AE form's outcome and end date items with their SDTM names, the outcome coded by CL.AEOUT (the CDISC terms)", () => {
    const itemDef = (itemOid: string) => all(doc, 'ItemDef').find((e) => e.getAttribute('OID') === itemOid) as El;
    const sdtmAlias = (def: El) => all(def, 'Alias').find((a) => a.getAttribute('Context') === 'CDISC SDTM')?.getAttribute('Name');
    const outcome = itemDef('IT.ADVERSEEVENTREPORTED.OUTCOME');
    expect(sdtmAlias(outcome)).toBe('AE.AEOUT');
    expect(all(outcome, 'CodeListRef').map((r) => r.getAttribute('CodeListOID'))).toEqual(['CL.AEOUT']);
    const endDate = itemDef('IT.ADVERSEEVENTREPORTED.ENDDATE');
    expect({ alias: sdtmAlias(endDate), type: endDate.getAttribute('DataType') }).toEqual({ alias: 'AE.AEENDTC', type: 'date' });
    expect(sdtmAlias(itemDef('IT.ADVERSEEVENTREPORTED.TERM'))).toBe('AE.AETERM');
    expect(sdtmAlias(itemDef('IT.ADVERSEEVENTOUTCOMERECORDED.OUTCOME'))).toBe('AE.AEOUT');
    const codeList = all(doc, 'CodeList').find((c) => c.getAttribute('OID') === 'CL.AEOUT') as El;
    expect(all(codeList, 'CodeListItem').map((i) => [i.getAttribute('CodedValue'), all(i, 'TranslatedText')[0].textContent])).toEqual([
      ['recovered', 'RECOVERED/RESOLVED'],
      ['recovering', 'RECOVERING/RESOLVING'],
      ['not-recovered', 'NOT RECOVERED/NOT RESOLVED'],
      ['recovered-with-sequelae', 'RECOVERED/RESOLVED WITH SEQUELAE'],
      ['fatal', 'FATAL'],
      ['unknown', 'UNKNOWN'],
    ]);
  });

  /** The values the file gives an AE form's item, in file order, with the ledger event each is audited to. */
  const aeItemValues = (ae: StoredEvent, item: string) =>
    all(doc, 'ItemData')
      .filter((d) => d.getAttribute('ItemOID') === `IT.ADVERSEEVENTREPORTED.${item}` && ancestor(d, 'FormRepeatKey')?.getAttribute('FormRepeatKey') === String(ae.streamVersion))
      .map((d) => ({ value: d.getAttribute('Value') ?? (d.getAttribute('IsNull') === 'Yes' ? null : '?'), source: all(d, 'SourceID')[0]?.textContent }));

  it("updates the AE's form with each outcome, corrected values included: its last values are the casebook's (recovered, 2026-02-05)", () => {
    expect(aeItemValues(diarrhoea, 'OUTCOME').map((v) => v.value)).toEqual(['recovering', 'recovered', 'recovered']);
    const endDates = aeItemValues(diarrhoea, 'ENDDATE');
    expect(endDates.map((v) => v.value)).toEqual([null, '2026-02-03', '2026-02-05']);
    expect(endDates.at(-1)?.source).toBe(correction.eventId);
  });

  it("a voided outcome leaves the AE without one: its items are updated to null, audited to the void", () => {
    const outcomes = aeItemValues(nausea, 'OUTCOME');
    expect(outcomes.map((v) => v.value)).toEqual(['recovered-with-sequelae', null]);
    expect(outcomes.at(-1)?.source).toBe(voided.eventId);
  });

  it('keeps each outcome as a form of its own, removed by its void', () => {
    const outcomeForms = all(doc, 'FormData').filter((f) => f.getAttribute('FormOID') === 'F.ADVERSEEVENTOUTCOMERECORDED');
    expect(outcomeForms.map((f) => f.getAttribute('TransactionType'))).toEqual(['Insert', 'Insert', 'Context', 'Insert', 'Remove']);
  });
});
