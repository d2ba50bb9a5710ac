import request from 'supertest';
import { create } from 'xmlbuilder2';
import { ODM_NAMESPACE } from '@trial-ledger/audit';
import type { Role } from '@trial-ledger/domain';
import { validateOdmXml } from '../../libs/audit/src/testing/odm-schema.validator';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from '../api/support/api-test-app';

type El = { getAttribute(name: string): string | null; getElementsByTagNameNS(ns: string, name: string): { length: number; item(i: number): El | null }; textContent: string | null; parentNode: El | null };
const all = (root: El, name: string): El[] => {
  const list = root.getElementsByTagNameNS(ODM_NAMESPACE, name);
  return Array.from({ length: list.length }, (_, i) => list.item(i) as El);
};

/**
 * The ODM export carries queries and SDV as ODM 1.3.2 Annotations (Comment + Flag) on the item a query
 * targets (or the form, for a whole-entry query and for SDV), and still validates against the official
 * schema with xmllint. The ledger is built through the API, the way users build it.
 */
describe('ODM export with query and SDV annotations', () => {
  let api: ApiTestApp;
  let doc: El;
  let xml: string;
  const ids: Record<string, string> = {};
  const post = (path: string, role: Role, body: object) => request(api.http).post(path).set('Authorization', api.auth(role)).send(body);
  const subjects = `/api/v1/studies/${STUDY}/subjects`;
  const queries = `/api/v1/studies/${STUDY}/queries`;

  beforeAll(async () => {
    api = await startApiTestApp();
    await enrolledSubject(api, 'S001');
    const events = (await request(api.http).get(`${subjects}/S001/events`).set('Authorization', api.auth('monitor')).expect(200)).body.events as { type: string; eventId: string }[];
    ids.baseline = events.find((e) => e.type === 'TumorAssessmentRecorded')!.eventId;
    ids.dose = (await post(`${subjects}/S001/doses`, 'coordinator', bodies.dose(1, '2026-03-06')).expect(201)).body.eventIds[0];
    ids.fieldQuery = (await post(queries, 'monitor', { subjectId: 'S001', targetEventId: ids.dose, fieldPath: 'administeredOn', text: 'Date <differs> from the "pharmacy" log & chart' }).expect(201)).body.queryId;
    await post(`${queries}/${ids.fieldQuery}/responses`, 'coordinator', { text: 'The chart is right', category: 'confirmed-correct' }).expect(201);
    ids.lesionQuery = (await post(queries, 'monitor', { subjectId: 'S001', targetEventId: ids.baseline, fieldPath: 'targetLesions.1.diameterMm', text: 'Node T2 short axis?' }).expect(201)).body.queryId;
    ids.entryQuery = (await post(queries, 'monitor', { subjectId: 'S001', targetEventId: ids.baseline, text: 'Scan report missing from the binder' }).expect(201)).body.queryId;
    await post(`${subjects}/S001/source-verifications`, 'monitor', { targetEventId: ids.dose }).expect(201);
    await post(`${subjects}/S001/corrections`, 'coordinator', { targetEventId: ids.dose, changes: { lotNumber: 'LOT-0043' }, reason: 'label misread' }).expect(201);
    await post(`${subjects}/S001/source-verifications`, 'monitor', { targetEventId: ids.baseline }).expect(201);
    const odm = await request(api.http).get('/api/v1/exports/odm').set('Authorization', api.auth('regulator')).buffer(true).parse((res, done) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString('utf8')));
      res.on('end', () => done(null, body));
    }).expect(200);
    xml = odm.body as string;
    doc = (create(xml).node as unknown as { documentElement: El }).documentElement;
  });
  afterAll(async () => api.close());

  it('validates against the ODM 1.3.2 schema with xmllint', async () => {
    const result = await validateOdmXml(xml);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('puts a field query on its item, with the thread as Comment and the status as Flag', () => {
    const item = all(doc, 'ItemData').find((i) => i.getAttribute('ItemOID') === 'IT.DOSEADMINISTERED.ADMINISTEREDON' && i.getAttribute('TransactionType') === 'Context');
    expect(item).toBeDefined();
    const comment = all(item!, 'Comment')[0].textContent!;
    expect(comment).toContain(`Query ${ids.fieldQuery}`);
    expect(comment).toContain('Date <differs> from the "pharmacy" log & chart');
    expect(comment).toContain('[confirmed-correct]: The chart is right');
    expect(all(item!, 'FlagValue').map((f) => [f.textContent, f.getAttribute('CodeListOID')])).toEqual([['answered', 'CL.QUERY_STATUS']]);
  });

  it('puts a query on a lesion measurement on that row of the repeating group, and a whole-entry query on the form', () => {
    const row = all(doc, 'ItemGroupData').find((g) => g.getAttribute('ItemGroupOID') === 'IG.TUMORASSESSMENTRECORDED.TARGETLESIONS' && g.getAttribute('TransactionType') === 'Context');
    expect(row?.getAttribute('ItemGroupRepeatKey')).toBe('2');
    expect(all(row!, 'ItemData')[0].getAttribute('ItemOID')).toBe('IT.TUMORASSESSMENTRECORDED.TARGETLESIONS.DIAMETERMM');
    expect(all(row!, 'Comment')[0].textContent).toContain(ids.lesionQuery);
    const form = row!.parentNode!;
    const formComments = all(form, 'Comment').map((c) => c.textContent ?? '');
    expect(formComments.some((c) => c.includes(ids.entryQuery) && c.includes('Scan report missing'))).toBe(true);
  });

  it('shows SDV on the form: verified, or revoked by the later correction', () => {
    const sdvFlags = all(doc, 'FlagValue').filter((f) => f.getAttribute('CodeListOID') === 'CL.SDV_STATUS').map((f) => f.textContent);
    expect(sdvFlags.sort()).toEqual(['revoked', 'verified']);
    expect(all(doc, 'Comment').some((c) => /SDV revoked by correction at /.test(c.textContent ?? ''))).toBe(true);
    expect(all(doc, 'CodeList').map((c) => c.getAttribute('OID'))).toEqual(['CL.QUERY_STATUS', 'CL.SDV_STATUS', 'CL.ANNOTATION_FLAG_TYPE']);
  });
});
