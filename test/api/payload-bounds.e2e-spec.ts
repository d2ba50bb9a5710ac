import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import request from 'supertest';
import { PAYLOAD_NUMBER_BOUNDS, PAYLOAD_TEXT_MAX_LENGTH } from '@trial-ledger/domain';
import { cli } from '../cli/cli-harness';
import { bodies, enrolledSubject, startApiTestApp, STUDY, type ApiTestApp } from './support/api-test-app';

const INVESTIGATOR_PASSWORD = 'investigator passphrase 1';

/**
 * One source per rule (#10): the API and `import` take their payload bounds from the domain, so they
 * refuse the same values with the same code — and accept the same edge values. Before, the API
 * refused a dose of 20,000 mg and a 51-character route that `import` recorded.
 */
describe('Payload bounds: the API and import refuse the same values with the same code', () => {
  let api: ApiTestApp;
  let storeUrl: string;
  let line = 0;

  const viaApi = async (subjectId: string, body: Record<string, unknown>, route = 'doses'): Promise<{ status: number; code: unknown }> => {
    const response = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/${subjectId}/${route}`).set('Authorization', api.auth('investigator')).send(body);
    return { status: response.status, code: response.body.code };
  };

  const viaImport = async (subjectId: string, payload: Record<string, unknown>, command = 'RecordDose'): Promise<{ status: number; code: unknown; applied: unknown }> => {
    line += 1;
    const file = join(dirname(api.store.filename), `bounds-${line}.jsonl`);
    writeFileSync(file, `${JSON.stringify({ command, studyId: STUDY, subjectId, payload, idempotencyKey: `bounds-${line}` })}\n`);
    const run = await cli(['--store', storeUrl, '--as', 'ivan', '--json', 'import', file], {
      TRIAL_LEDGER_PASSWORD: INVESTIGATOR_PASSWORD,
      // The API's ledger was set up under a fixed clock months before the CLI's wall clock.
      TRIAL_LEDGER_PASSWORD_MAX_AGE_DAYS: '3650',
    });
    const report = JSON.parse(run.stdout) as { failure: { code: string } | null; applied: number };
    return { status: run.status, code: report.failure?.code ?? null, applied: report.applied };
  };

  beforeAll(async () => {
    api = await startApiTestApp();
    storeUrl = `sqlite:${api.store.filename}`;
    await enrolledSubject(api, 'S001');
    await enrolledSubject(api, 'S002');
  });
  afterAll(() => api.close());

  it('the bounds are the clinically sensible ones: a dose in (0, 10 000] mg, a route of at most 50 characters', () => {
    expect(PAYLOAD_NUMBER_BOUNDS.doseMg).toEqual({ integer: false, min: 0, max: 10_000, minExclusive: true, decimals: 3, unit: 'mg' });
    expect(PAYLOAD_TEXT_MAX_LENGTH.route).toBe(50);
  });

  it.each([
    { what: 'a dose of 0 mg', change: { doseMg: 0 }, code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'a negative dose', change: { doseMg: -120 }, code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'a dose just over 10 000 mg', change: { doseMg: 10_000.5 }, code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'a dose of 20 000 mg (import used to accept it)', change: { doseMg: 20_000 }, code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'a subnormal dose (1e-320 mg, a floating-point artefact)', change: { doseMg: 1e-320 }, code: 'VALIDATION.PRECISION' },
    { what: 'a dose to 0.0001 mg (false precision)', change: { doseMg: 120.0001 }, code: 'VALIDATION.PRECISION' },
    { what: 'cycle 0', change: { cycle: 0 }, code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'cycle 1001', change: { cycle: 1001 }, code: 'VALIDATION.OUT_OF_RANGE' },
    { what: 'a 51-character route (import used to accept it)', change: { route: 'd'.repeat(51) }, code: 'VALIDATION.TOO_LONG' },
    { what: 'a 101-character lot number', change: { lotNumber: 'L'.repeat(101) }, code: 'VALIDATION.TOO_LONG' },
  ])('$what: 400 $code over HTTP, the same code from import, nothing written', async ({ change, code }) => {
    const before = await api.headPosition();
    const body = { ...bodies.dose(1, '2026-03-06'), ...change };
    expect(await viaApi('S001', body)).toEqual({ status: 400, code });
    const imported = await viaImport('S001', body);
    expect([imported.status, imported.code, imported.applied]).toEqual([1, code, 0]);
    // The import authenticates the investigator (LoginSucceeded); nothing else is written.
    expect((await api.eventsAfter(before)).map((e) => e.type)).toEqual(['LoginSucceeded']);
  });

  it('the edge values are accepted by both: 10 000 mg by a 50-character route', async () => {
    const edge = { ...bodies.dose(1, '2026-03-06'), doseMg: 10_000, route: 'r'.repeat(50) };
    expect((await viaApi('S001', edge)).status).toBe(201);
    const imported = await viaImport('S002', edge);
    expect([imported.status, imported.applied]).toEqual([0, 1]);
  });

  it('a dose to the microgram is an unusual but real value: recorded by both, with the wrong-dose deviation', async () => {
    const api2 = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S001/doses`).set('Authorization', api.auth('investigator')).send({ ...bodies.dose(2, '2026-04-03'), doseMg: 119.875 });
    expect(api2.status).toBe(201);
    const imported = await viaImport('S002', { ...bodies.dose(2, '2026-04-03'), doseMg: 0.001 });
    expect([imported.status, imported.code, imported.applied]).toEqual([0, null, 1]);
    const recorded = (await api.eventsAfter(0)).filter((e) => e.type === 'DoseAdministered' && e.data.cycle === 2);
    expect(recorded.map((e) => e.data.doseMg)).toEqual([119.875, 0.001]);
  });

  it.each([
    { what: 'a diameter of 1e-9 mm (within the float tolerance of the RECIST arithmetic, not a measurement)', lesion: { diameterMm: 1e-9 }, code: 'RECIST.DIAMETER_PRECISION' },
    { what: 'a subnormal diameter', lesion: { diameterMm: 5e-324 }, code: 'RECIST.DIAMETER_PRECISION' },
    { what: 'a diameter over 1000 mm', lesion: { diameterMm: 1001 }, code: 'RECIST.INVALID_DIAMETER' },
    { what: 'a negative diameter', lesion: { diameterMm: -1 }, code: 'RECIST.INVALID_DIAMETER' },
    { what: 'a 51-character lesion id', lesion: { lesionId: 'T'.repeat(51) }, code: 'RECIST.INVALID_LESION' },
    { what: 'a 101-character organ', lesion: { organ: 'o'.repeat(101) }, code: 'RECIST.INVALID_LESION' },
  ])('a target lesion with $what: $code over HTTP and from import', async ({ lesion, code }) => {
    const scan = { ...bodies.baseline(), baseline: false, assessmentDate: '2026-05-28' };
    const body = { ...scan, targetLesions: [{ ...scan.targetLesions[0], ...lesion }, scan.targetLesions[1]] };
    expect(await viaApi('S001', body, 'tumor-assessments')).toEqual({ status: 400, code });
    const imported = await viaImport('S001', body, 'RecordTumorAssessment');
    expect([imported.status, imported.code, imported.applied]).toEqual([1, code, 0]);
  });
});
