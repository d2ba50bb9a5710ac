import { PassThrough } from 'node:stream';
import { create } from 'xmlbuilder2';
import { FixedClock, SqliteEventStore } from '@trial-ledger/event-store';
import { seedAuditLedger, USERS, appendOne, subjectStream, type SeededLedger } from '../testing/audit-ledger.fixture';
import { validateOdmXml } from '../testing/odm-schema.validator';
import { exportOdm, ODM_NAMESPACE, type OdmExportSummary } from './odm.exporter';

type El = { getAttribute(name: string): string | null; getElementsByTagNameNS(ns: string, name: string): { length: number; item(i: number): El | null }; textContent: string | null; parentNode: El | null; localName: string };

const all = (root: El, name: string): El[] => {
  const list = root.getElementsByTagNameNS(ODM_NAMESPACE, name);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as El);
};
const text = (root: El, name: string): string | null => all(root, name)[0]?.textContent ?? null;

const exportToString = async (store: SqliteEventStore, clock: FixedClock): Promise<{ xml: string; summary: OdmExportSummary }> => {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const summary = await exportOdm(store, out, { clock });
  return { xml: Buffer.concat(chunks).toString('utf8'), summary };
};

describe('exportOdm (CDISC ODM 1.3.2)', () => {
  let store: SqliteEventStore;
  let seeded: SeededLedger;
  let xml: string;
  let summary: OdmExportSummary;
  let doc: El;
  const clock = new FixedClock('2026-03-05T12:00:00.000Z');

  beforeAll(async () => {
    store = new SqliteEventStore(':memory:', { clock });
    seeded = await seedAuditLedger(store);
    // A correction after the signature supersedes it (SPEC §5); a record signature by the monitor.
    await appendOne(store, subjectStream('S001'), 'RecordSigned', {
      studyId: 'LANR-HGNET-01', subjectId: 'S001', signerUserId: USERS.monitor.userId, signerUsername: USERS.monitor.username, signerFullName: USERS.monitor.fullName,
      signedAt: '2026-03-02T09:00:00.000Z', meaning: 'review', signedThroughVersion: 9, signedEventHash: 'f'.repeat(64), signedHash: 'a'.repeat(64), hashAlgorithm: 'SHA-256',
      targetEventId: seeded.assessment.eventId, targetType: 'TumorAssessmentRecorded',
    }, USERS.monitor);
    await appendOne(store, subjectStream('S001'), 'EntryCorrected', {
      targetEventId: seeded.assessment.eventId, targetType: 'TumorAssessmentRecorded', reason: 'Radiology re-read of T2',
      before: { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 32, nodal: false }, { lesionId: 'T2', organ: 'lymph node', diameterMm: null, nodal: true }] },
      after: { targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 32, nodal: false }] },
    }, USERS.investigator, 'Radiology re-read of T2');
    ({ xml, summary } = await exportToString(store, clock));
    doc = (create(xml).node as unknown as { documentElement: El }).documentElement;
  });
  afterAll(() => store.close());

  it('is valid against the ODM 1.3.2 schema', async () => {
    const result = await validateOdmXml(xml);
    expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('given a schema violation, then the validator does reject it (the check can fail)', async () => {
    const broken = xml.replace('<GlobalVariables>', '<GlobalVariables><Bogus/>');
    expect((await validateOdmXml(broken)).valid).toBe(false);
  });

  it('is a transactional, archival ODM 1.3.2 file bound to the ledger head', () => {
    expect(doc.localName).toBe('ODM');
    expect(doc.getAttribute('ODMVersion')).toBe('1.3.2');
    expect(doc.getAttribute('FileType')).toBe('Transactional');
    expect(doc.getAttribute('CreationDateTime')).toBe('2026-03-05T12:00:00.000Z');
    expect(doc.getAttribute('FileOID')).toBe(summary.fileOid);
    expect(doc.getAttribute('Description')).toContain(summary.headHash);
    expect(summary).toMatchObject({ studies: ['LANR-HGNET-01'], subjects: 2, signatures: 2 });
  });

  it('describes every form and item it uses in MetaDataVersion', () => {
    const defined = new Set(all(doc, 'ItemDef').map((e) => e.getAttribute('OID')));
    const used = new Set(all(doc, 'ItemData').map((e) => e.getAttribute('ItemOID')));
    expect([...used].filter((o) => !defined.has(o))).toEqual([]);
    const forms = new Set(all(doc, 'FormDef').map((e) => e.getAttribute('OID')));
    expect(all(doc, 'FormData').every((f) => forms.has(f.getAttribute('FormOID')))).toBe(true);
    const dose = all(doc, 'ItemDef').find((e) => e.getAttribute('OID') === 'IT.DOSEADMINISTERED.DOSEMG') as El;
    expect(dose.getAttribute('DataType')).toBe('integer');
    expect(all(doc, 'ItemDef').find((e) => e.getAttribute('OID') === 'IT.DOSEADMINISTERED.ADMINISTEREDON')?.getAttribute('DataType')).toBe('date');
    expect(all(doc, 'ItemDef').find((e) => e.getAttribute('OID') === 'IT.ELIGIBILITYCONFIRMED.KI67PERCENT')?.getAttribute('DataType')).toBe('float');
  });

  it('lists users with full names, a location and the four signature meanings in AdminData', () => {
    const users = all(doc, 'User');
    expect(users.map((u) => text(u, 'FullName'))).toEqual(expect.arrayContaining(['Chloé Coordinator', 'Dr Ivan Investigator', 'Mona Monitor']));
    expect(all(doc, 'Location')).toHaveLength(1);
    expect(all(doc, 'SignatureDef').map((s) => s.getAttribute('OID'))).toEqual(['SD.AUTHORSHIP', 'SD.REVIEW', 'SD.APPROVAL', 'SD.RESPONSIBILITY']);
    expect(xml).not.toContain('SECRETHASHVALUE');
  });

  it('carries an AuditRecord on every inserted item: user, location, server time and the event id as SourceID', () => {
    const inserted = all(doc, 'ItemData').filter((i) => i.getAttribute('TransactionType') === 'Insert');
    expect(inserted.length).toBeGreaterThan(40);
    for (const item of inserted) expect(all(item, 'AuditRecord')).toHaveLength(1);
    const doseItem = inserted.find((i) => i.getAttribute('ItemOID') === 'IT.DOSEADMINISTERED.DOSEMG' && i.getAttribute('Value') === '12') as El;
    expect(all(doseItem, 'UserRef')[0].getAttribute('UserOID')).toBe('USR.u-coord');
    expect(text(doseItem, 'SourceID')).toBe(seeded.doseToCorrect.eventId);
    expect(text(doseItem, 'DateTimeStamp')).toBe(seeded.doseToCorrect.metadata.recordedAt);
  });

  it('writes a correction as an Update of the changed item with its reason, on the original form', () => {
    const update = all(doc, 'ItemData').find((i) => i.getAttribute('TransactionType') === 'Update') as El;
    expect(update.getAttribute('ItemOID')).toBe('IT.DOSEADMINISTERED.DOSEMG');
    expect(update.getAttribute('Value')).toBe('120');
    expect(text(update, 'ReasonForChange')).toBe('Transcription error: 120 mg per pharmacy log');
    expect(text(update, 'SourceID')).toBe(seeded.correction.eventId);
    const form = update.parentNode?.parentNode as El;
    expect(form.getAttribute('FormRepeatKey')).toBe(String(seeded.doseToCorrect.streamVersion));
  });

  it('writes a void as a Remove of the form with the reason', () => {
    const removed = all(doc, 'FormData').filter((f) => f.getAttribute('TransactionType') === 'Remove');
    expect(removed).toHaveLength(1);
    expect(removed[0].getAttribute('FormRepeatKey')).toBe(String(seeded.voidedDose.streamVersion));
    expect(text(removed[0], 'ReasonForChange')).toBe('Entered for the wrong subject');
  });

  it('writes a shortened list correction as upserted rows and a removed row', () => {
    const rows = all(doc, 'ItemGroupData').filter((g) => g.getAttribute('ItemGroupOID') === 'IG.TUMORASSESSMENTRECORDED.TARGETLESIONS');
    expect(rows.map((g) => `${g.getAttribute('ItemGroupRepeatKey')}:${g.getAttribute('TransactionType')}`)).toEqual(['1:Insert', '2:Insert', '1:Upsert', '2:Remove']);
    expect(all(rows[1], 'ItemData').find((i) => i.getAttribute('ItemOID')?.endsWith('.DIAMETERMM'))?.getAttribute('IsNull')).toBe('Yes');
  });

  it('writes e-signatures as Signature elements with the signer, meaning and time, and marks a superseded one', () => {
    const signatures = all(doc, 'Signature');
    expect(signatures).toHaveLength(2);
    const [casebook, record] = signatures;
    expect(all(casebook, 'UserRef')[0].getAttribute('UserOID')).toBe('USR.u-inv');
    expect(all(casebook, 'SignatureRef')[0].getAttribute('SignatureOID')).toBe('SD.APPROVAL');
    expect(text(casebook, 'DateTimeStamp')).toBe('2026-03-01T10:00:00.000Z');
    expect(all(record, 'SignatureRef')[0].getAttribute('SignatureOID')).toBe('SD.REVIEW');
    expect((record.parentNode as El).getAttribute('FormOID')).toBe('F.TUMORASSESSMENTRECORDED');
    const notes = all(doc, 'Comment').map((c) => c.textContent ?? '');
    expect(notes.find((n) => n.includes('Mona Monitor'))).toContain('status: SUPERSEDED');
    expect(notes.find((n) => n.includes('Dr Ivan Investigator'))).toContain('status: SUPERSEDED');
  });

  it('says in each signature annotation what it covers and attests: the casebook through a version, or the one record, never a record signature as the casebook\'s', () => {
    const notes = all(doc, 'Comment').map((c) => c.textContent ?? '');
    const casebookNote = notes.find((n) => n.includes('Dr Ivan Investigator')) ?? '';
    const recordNote = notes.find((n) => n.includes('Mona Monitor')) ?? '';
    expect(casebookNote).toMatch(/covers the whole casebook through version \d+/);
    expect(casebookNote).toContain('meaning: Approval: I approve these data as complete and accurate');
    expect(recordNote).toContain(`covers one record: Tumor assessment recorded ${seeded.assessment.eventId}`);
    expect(recordNote).toContain('meaning: Review: I have reviewed these data');
    expect(recordNote).not.toContain('of the casebook');
  });
});

describe('exportOdm: free text XML 1.0 cannot carry', () => {
  it('given an adverse-event term and a correction reason holding control characters, then the export is still well-formed, schema-valid ODM with U+FFFD in their place', async () => {
    const clock = new FixedClock('2026-03-05T12:00:00.000Z');
    const store = new SqliteEventStore(':memory:', { clock });
    try {
      await seedAuditLedger(store);
      const ae = await appendOne(store, subjectStream('S002'), 'AdverseEventReported', {
        term: 'Nau\u0000sea\u0007 \uFFFF\uD800', onsetDate: '2026-01-21', ctcaeGrade: 1, serious: false, relatedness: 'unrelated',
      }, USERS.investigator);
      await appendOne(store, subjectStream('S002'), 'EntryCorrected', {
        targetEventId: ae.eventId, targetType: 'AdverseEventReported', before: { ctcaeGrade: 1 }, after: { ctcaeGrade: 2 }, reason: 'Re-graded\u001b per source',
      }, USERS.investigator, 'Re-graded\u001b per source');

      const { xml } = await exportToString(store, clock);

      expect(() => create(xml)).not.toThrow();
      const result = await validateOdmXml(xml);
      expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
      expect(xml).toContain('Nau\uFFFDsea\uFFFD \uFFFD\uFFFD');
      expect(xml).toContain('Re-graded\uFFFD per source');
      const controls = [...xml].filter((c) => c.charCodeAt(0) < 0x20 && !'\t\n\r'.includes(c));
      expect(controls).toEqual([]);
    } finally {
      await store.close();
    }
  });
});

describe('exportOdm: a study the ledger does not hold', () => {
  it('given a study id with no events, then STUDY.NOT_FOUND and nothing is written (not an empty export that looks complete)', async () => {
    const clock = new FixedClock('2026-03-05T12:00:00.000Z');
    const store = new SqliteEventStore(':memory:', { clock });
    try {
      await seedAuditLedger(store);
      const out = new PassThrough();
      const chunks: Buffer[] = [];
      out.on('data', (c: Buffer) => chunks.push(c));

      await expect(exportOdm(store, out, { clock, studyId: 'LANR-HGNET-O1' })).rejects.toMatchObject({ code: 'STUDY.NOT_FOUND' });
      expect(Buffer.concat(chunks).length).toBe(0);
      await expect(exportOdm(store, new PassThrough().resume(), { clock, studyId: 'LANR-HGNET-01' })).resolves.toMatchObject({ studies: ['LANR-HGNET-01'] });
    } finally {
      await store.close();
    }
  });
});

describe('exportOdm: a correction that turns a screen failure into an eligible assessment', () => {
  it('given the failed criteria cleared and the entry now EligibilityConfirmed, then the item is updated to null on the original form and an annotation names what the entry now is (no phantom repeating group)', async () => {
    const clock = new FixedClock('2026-03-05T12:00:00.000Z');
    const store = new SqliteEventStore(':memory:', { clock });
    try {
      await seedAuditLedger(store);
      const s3 = subjectStream('S003');
      await appendOne(store, s3, 'SubjectScreened', { studyId: 'LANR-HGNET-01', subjectId: 'S003', screeningDate: '2026-01-05', consentDate: '2026-01-04', sex: 'M', birthYear: 1958 }, USERS.coordinator);
      const failed = await appendOne(store, s3, 'SubjectScreenFailed', {
        assessmentDate: '2026-01-06', age: 67, primarySite: 'stomach', whoGrade: 1, ki67Percent: 2, diseaseStatus: 'metastatic', measurableDisease: true, priorSystemicTherapy: false, ecog: 1,
        failedCriteria: ['primary-site-not-hindgut'],
      }, USERS.investigator);
      const correction = await appendOne(store, s3, 'EntryCorrected', {
        targetEventId: failed.eventId, targetType: 'SubjectScreenFailed', reason: 'Primary site misread from the pathology report',
        before: { failedCriteria: ['primary-site-not-hindgut'], primarySite: 'stomach' }, after: { failedCriteria: [], primarySite: 'rectum' }, resultingType: 'EligibilityConfirmed',
      }, USERS.investigator, 'Primary site misread from the pathology report');

      const { xml } = await exportToString(store, clock);
      const result = await validateOdmXml(xml);
      expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
      const root = (create(xml).node as unknown as { documentElement: El }).documentElement;

      const groupOids = [...all(root, 'ItemGroupDef'), ...all(root, 'ItemGroupData')].map((g) => g.getAttribute('OID') ?? g.getAttribute('ItemGroupOID'));
      expect(groupOids).not.toContain('IG.SUBJECTSCREENFAILED.FAILEDCRITERIA');
      const changed = all(root, 'ItemData').filter((i) => text(i, 'SourceID') === correction.eventId);
      expect(changed.map((i) => [i.getAttribute('ItemOID'), i.getAttribute('TransactionType'), i.getAttribute('Value'), i.getAttribute('IsNull')])).toEqual([
        ['IT.SUBJECTSCREENFAILED.FAILEDCRITERIA', 'Update', null, 'Yes'],
        ['IT.SUBJECTSCREENFAILED.PRIMARYSITE', 'Update', 'rectum', null],
      ]);
      const form = changed[0].parentNode?.parentNode as El;
      expect(form.localName).toBe('FormData');
      expect(form.getAttribute('FormOID')).toBe('F.SUBJECTSCREENFAILED');
      expect(text(form, 'Comment')).toContain('is now Eligibility confirmed (EligibilityConfirmed)');
    } finally {
      await store.close();
    }
  });
});

describe('exportOdm: the Length of text items', () => {
  it('given free text with astral characters (emoji), then the ItemDef Length counts characters (code points), not UTF-16 code units, and the file is schema-valid', async () => {
    const clock = new FixedClock('2026-03-05T12:00:00.000Z');
    const store = new SqliteEventStore(':memory:', { clock });
    try {
      await seedAuditLedger(store);
      // 23 characters: 12 emoji (24 UTF-16 code units) and 11 letters and spaces — 35 code units in all.
      const term = 'Rash 🔴🔴🔴🔴🔴🔴 itch 🤢🤢🤢🤢🤢🤢';
      expect([[...term].length, term.length]).toEqual([23, 35]);
      await appendOne(store, subjectStream('S002'), 'AdverseEventReported', { term, onsetDate: '2026-01-21', ctcaeGrade: 1, serious: false, relatedness: 'unrelated' }, USERS.investigator);

      const { xml } = await exportToString(store, clock);

      const doc = (create(xml).node as unknown as { documentElement: El }).documentElement;
      const itemDef = all(doc, 'ItemDef').find((e) => e.getAttribute('OID') === 'IT.ADVERSEEVENTREPORTED.TERM');
      expect(itemDef?.getAttribute('Length')).toBe('23');
      const result = await validateOdmXml(xml);
      expect(result.errors.map((e) => e.rawMessage)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
