import request from 'supertest';
import { bodies, enrolledSubject, STUDY, startApiTestApp, type ApiTestApp } from './support/api-test-app';

interface OpenApiOperation {
  operationId?: string;
  security?: unknown[];
  requestBody?: unknown;
  parameters?: { name: string; in: string; required?: boolean }[];
  responses: Record<string, { content?: Record<string, unknown> }>;
}

describe('HTTP contract: the OpenAPI document, If-Match and methods as a client relies on them', () => {
  let api: ApiTestApp;
  let operations: { method: string; path: string; op: OpenApiOperation }[];
  beforeAll(async () => {
    api = await startApiTestApp();
    const doc = (await request(api.http).get('/api/docs-json').expect(200)).body as { paths: Record<string, Record<string, OpenApiOperation>> };
    operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/api/v1/'))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, op })));
    await enrolledSubject(api, 'S001');
  });
  afterAll(async () => api.close());

  const problemStatuses = (op: OpenApiOperation): string[] =>
    Object.entries(op.responses)
      .filter(([, response]) => response.content?.['application/problem+json'] !== undefined)
      .map(([status]) => status);

  it('documents, for every route that takes a session, its 401 and 403 problems; for every body, its 400 and 415', () => {
    const missing = operations.flatMap(({ method, path, op }) => {
      // Logout is open to every role: a session it takes is never refused for its role.
      const expected = [...(op.security ? ['401', ...(op.operationId === 'Logout' ? [] : ['403'])] : []), ...(op.requestBody ? ['400', '415'] : [])];
      const documented = problemStatuses(op);
      return expected.filter((status) => !documented.includes(status)).map((status) => `${op.operationId} ${method} ${path} ${status}`);
    });
    expect(missing).toEqual([]);
  });

  it('documents the success status every route answers, as it answers it (the identity and signature routes had none)', () => {
    const successes = (op: OpenApiOperation): string[] => Object.keys(op.responses).filter((status) => status.startsWith('2'));
    expect(operations.filter(({ op }) => successes(op).length === 0).map(({ method, path }) => `${method} ${path}`)).toEqual([]);
    const byId = new Map(operations.map(({ op }) => [op.operationId, op]));
    const answered: Record<string, string> = {
      Logout: '204', ChangePassword: '200', ListUsers: '200', AddUser: '201', DeactivateUser: '200', ReactivateUser: '200',
      ChangeUserRole: '200', ResetPassword: '200', SignCasebook: '201', ListSignatures: '200',
    };
    for (const [id, status] of Object.entries(answered)) expect({ id, statuses: successes(byId.get(id)!) }).toEqual({ id, statuses: [status] });
    // A body is described wherever one is sent (204 has none).
    for (const id of Object.keys(answered).filter((id) => id !== 'Logout')) {
      expect({ id, described: Boolean((byId.get(id)!.responses[answered[id]] as { description?: string }).description) }).toEqual({ id, described: true });
    }
  });

  it('documents the 429 of every route that checks a password, and the If-Match and Idempotency-Key a signature takes', () => {
    const byId = new Map(operations.map(({ op }) => [op.operationId, op]));
    for (const id of ['Login', 'ChangePassword', 'SignCasebook']) expect({ id, statuses: problemStatuses(byId.get(id)!) }).toEqual({ id, statuses: expect.arrayContaining(['429']) });
    const sign = byId.get('SignCasebook')!;
    expect(sign.parameters).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'If-Match', in: 'header', required: true }), expect.objectContaining({ name: 'Idempotency-Key', in: 'header' })]),
    );
    expect(problemStatuses(sign)).toEqual(expect.arrayContaining(['400', '403', '404', '412', '422', '428']));
  });

  it('documents the Ledger-Integrity response header that marks every answer from a ledger the server found damaged', async () => {
    const doc = (await request(api.http).get('/api/docs-json').expect(200)).body as { info: { description: string }; components: { headers?: Record<string, { description: string; schema: { type: string } }> } };
    expect(doc.info.description).toContain('`Ledger-Integrity: damaged; code="LEDGER.TAMPERED"; position=N`');
    expect(doc.components.headers?.['Ledger-Integrity']).toEqual({ description: expect.stringContaining('LEDGER.TAMPERED'), schema: { type: 'string', example: 'damaged; code="LEDGER.TAMPERED"; position=42' } });
  });

  it('documents the id rules the server checks: a pattern on every studyId and subjectId (path and body) and on idempotencyKey', async () => {
    const doc = (await request(api.http).get('/api/docs-json').expect(200)).body as {
      components: { schemas: Record<string, { properties?: Record<string, { pattern?: string; maxLength?: number }> }> };
    };
    const unpatterned = operations.flatMap(({ method, path, op }) =>
      (op.parameters ?? [])
        .filter((parameter) => parameter.in === 'path' && ['studyId', 'subjectId'].includes(parameter.name))
        .filter((parameter) => (parameter as { schema?: { pattern?: string } }).schema?.pattern === undefined)
        .map((parameter) => `${method} ${path} ${parameter.name}`),
    );
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const field of ['subjectId', 'idempotencyKey']) {
        if (schema.properties?.[field] && schema.properties[field].pattern === undefined) unpatterned.push(`${name}.${field}`);
      }
    }
    expect(unpatterned).toEqual([]);
    const subjectId = new RegExp(doc.components.schemas.ScreenSubjectRequestDto.properties!.subjectId.pattern!);
    expect(['S001', 'S.1_a', 'S/1', '..', 'S-1', ''].map((id) => subjectId.test(id))).toEqual([true, true, false, false, false, false]);
    const key = new RegExp(doc.components.schemas.ScreenSubjectRequestDto.properties!.idempotencyKey.pattern!);
    expect(['k1', 'a b', 'x'.repeat(255), 'x'.repeat(256)].map((value) => key.test(value))).toEqual([true, false, true, false]);
  });

  it('names, on every route that takes If-Match or Idempotency-Key, the 400 codes of a malformed header', () => {
    const missing = operations.flatMap(({ method, path, op }) => {
      const headers = (op.parameters ?? []).filter((parameter) => parameter.in === 'header').map((parameter) => parameter.name);
      const described = (op.responses['400'] as { description?: string } | undefined)?.description ?? '';
      const expected = [...(headers.includes('If-Match') ? ['REQUEST.INVALID_IF_MATCH'] : []), ...(headers.includes('Idempotency-Key') ? ['REQUEST.INVALID_IDEMPOTENCY_KEY'] : [])];
      return expected.filter((code) => !described.includes(code)).map((code) => `${op.operationId} ${method} ${path} ${code}`);
    });
    expect(missing).toEqual([]);
  });

  it('when If-Match names a version past 2^53 − 1, then 400 REQUEST.INVALID_IF_MATCH (not read as a neighbouring number) and nothing is written', async () => {
    const head = await api.headPosition();
    const response = await request(api.http)
      .post(`/api/v1/studies/${STUDY}/subjects/S001/doses`)
      .set('Authorization', api.auth('investigator'))
      .set('If-Match', '"9007199254740993"')
      .send(bodies.dose())
      .expect(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.body).toMatchObject({ code: 'REQUEST.INVALID_IF_MATCH', status: 400, header: 'If-Match' });
    expect(await api.headPosition()).toBe(head);
  });

  it.each([
    ['DELETE', `/api/v1/studies/${STUDY}`, 'GET, HEAD'],
    ['PUT', `/api/v1/studies/${STUDY}/subjects/S001/doses`, 'POST'],
    ['GET', `/api/v1/studies/${STUDY}/subjects/S001/doses/`, 'POST'],
    ['PATCH', '/api/v1/users', 'GET, HEAD, POST'],
    // An export refuses HEAD itself (it is recorded before it is served), so Allow does not offer it.
    ['DELETE', '/api/v1/exports/odm', 'GET'],
    ['POST', '/api/v1/exports/audit-trail', 'GET'],
    ['POST', `/API/V1/studies/${STUDY}/subjects/S001/casebook`, 'GET, HEAD'],
  ])('when %s %s names a route that exists for other methods, then 405 ROUTE.METHOD_NOT_ALLOWED with Allow, and nothing is written', async (method, path, allow) => {
    const head = await api.headPosition();
    const response = await request(api.http)[method.toLowerCase() as 'get'](path).set('Authorization', api.auth('investigator'));
    expect(response.status).toBe(405);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.headers.allow).toBe(allow);
    expect(response.body).toMatchObject({ code: 'ROUTE.METHOD_NOT_ALLOWED', status: 405, title: expect.any(String), type: expect.stringMatching(/^https:\/\//), instance: path });
    expect(await api.headPosition()).toBe(head);
  });

  it.each([['/api/v1/exports/odm'], ['/api/v1/exports/audit-trail?format=csv']])(
    'when a role that may not export sends HEAD %s, then 405 before the role is checked: no refusal is recorded of an export that could not be served',
    async (path) => {
      const head = await api.headPosition();
      const response = await request(api.http).head(path).set('Authorization', api.auth('coordinator'));
      expect(response.status).toBe(405);
      expect(response.headers.allow).toBe('GET');
      expect(await api.headPosition()).toBe(head);
    },
  );

  it('a query thread and a subject\'s SDV progress carry the ETag of the stream their commands pin with If-Match', async () => {
    const dose = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S001/doses`).set('Authorization', api.auth('coordinator')).send(bodies.dose()).expect(201);
    const doseId = dose.body.eventIds[0] as string;
    const opened = await request(api.http)
      .post(`/api/v1/studies/${STUDY}/queries`)
      .set('Authorization', api.auth('monitor'))
      .send({ subjectId: 'S001', targetEventId: doseId, fieldPath: 'administeredOn', text: 'The date differs from the pharmacy log' })
      .expect(201);
    const thread = `/api/v1/studies/${STUDY}/queries/${opened.body.queryId}`;
    await request(api.http).post(`${thread}/responses`).set('Authorization', api.auth('coordinator')).send({ text: 'Checked', category: 'confirmed-correct' }).expect(201);
    const read = await request(api.http).get(thread).set('Authorization', api.auth('monitor')).expect(200);
    expect(read.headers.etag).toBe('"2"');
    await request(api.http).post(`${thread}/close`).set('Authorization', api.auth('monitor')).set('If-Match', read.headers.etag).send({}).expect(201);

    const sdv = `/api/v1/studies/${STUDY}/subjects/S001/source-verifications`;
    expect((await request(api.http).get(sdv).set('Authorization', api.auth('monitor')).expect(200)).headers.etag).toBe('"0"');
    await request(api.http).post(sdv).set('Authorization', api.auth('monitor')).set('If-Match', '"0"').send({ targetEventId: doseId }).expect(201);
    expect((await request(api.http).get(sdv).set('Authorization', api.auth('monitor')).expect(200)).headers.etag).toBe('"1"');
  });

  it.each([
    ['"1"', 412, 'REQUEST.PRECONDITION_FAILED'],
    ['W/"1"', 400, 'REQUEST.INVALID_IF_MATCH'],
    ['garbage', 400, 'REQUEST.INVALID_IF_MATCH'],
  ])('user management has no entity tag: If-Match %s is not ignored but refused (%d %s), and nothing is written', async (ifMatch, status, code) => {
    const head = await api.headPosition();
    const response = await request(api.http).post('/api/v1/users/rex/role').set('Authorization', api.auth('admin')).set('If-Match', ifMatch).send({ role: 'monitor', reason: 'moved to monitoring' });
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect({ status: response.status, code: response.body.code }).toEqual({ status, code });
    expect(await api.headPosition()).toBe(head);
  });

  describe('If-Match: * on a route that creates its resource is false while the resource does not exist (RFC 9110 §13.1.1): 412, nothing written', () => {
    const refusedAnyMatch = async (send: () => request.Test, code: string): Promise<void> => {
      const head = await api.headPosition();
      const response = await send();
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect({ status: response.status, code: response.body.code }).toEqual({ status: 412, code });
      expect(await api.headPosition()).toBe(head);
    };

    it('screening a new subject', async () => {
      await refusedAnyMatch(
        () => request(api.http).post(`/api/v1/studies/${STUDY}/subjects`).set('Authorization', api.auth('coordinator')).set('If-Match', '*').send(bodies.screen('S900')),
        'CONCURRENCY.VERSION_CONFLICT',
      );
      await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S900`).set('Authorization', api.auth('monitor')).expect(404);
    });

    it('opening a query (its thread is new); on an existing subject (a dose) and on SDV progress, which always has a representation (ETag "0"), * goes ahead', async () => {
      const dose = await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S001/doses`).set('Authorization', api.auth('coordinator')).set('If-Match', '*').send(bodies.dose(2, '2026-03-27')).expect(201);
      await refusedAnyMatch(
        () =>
          request(api.http)
            .post(`/api/v1/studies/${STUDY}/queries`)
            .set('Authorization', api.auth('monitor'))
            .set('If-Match', '*')
            .send({ subjectId: 'S001', targetEventId: dose.body.eventIds[0], text: 'Please confirm the date' }),
        'CONCURRENCY.VERSION_CONFLICT',
      );
      await request(api.http).post(`/api/v1/studies/${STUDY}/subjects/S001/source-verifications`).set('Authorization', api.auth('monitor')).set('If-Match', '*').send({ targetEventId: dose.body.eventIds[0] }).expect(201);
    });

    it('adding a user', async () => {
      await refusedAnyMatch(
        () => request(api.http).post('/api/v1/users').set('Authorization', api.auth('admin')).set('If-Match', '*').send({ username: 'newcomer', fullName: 'New Comer', role: 'monitor', password: 'a long enough passphrase 42' }),
        'REQUEST.PRECONDITION_FAILED',
      );
    });
  });

  it('user management with If-Match: * (any current state) goes ahead', async () => {
    const response = await request(api.http).post('/api/v1/users/rex/reactivate').set('Authorization', api.auth('admin')).set('If-Match', '*').send({});
    expect(response.status).not.toBe(412);
    expect(response.status).not.toBe(400);
  });

  it.each(['abc', '1.5', '9007199254740993', '0x10'])('?minPosition=%s, not a whole number, is refused for what it is, not as "less than 0"', async (value) => {
    const response = await request(api.http).get(`/api/v1/studies/${STUDY}/subjects/S001/casebook?minPosition=${value}`).set('Authorization', api.auth('monitor')).expect(400);
    expect(response.body.code).toBe('VALIDATION.FAILED');
    expect(response.body.errors.map((error: { constraint: string }) => error.constraint)).toEqual(['isInt']);
    expect(response.body.detail).not.toMatch(/less than/);
  });

  it('when no route exists for the path under any method, then it stays 404 ROUTE.NOT_FOUND without Allow', async () => {
    const response = await request(api.http).delete('/api/v1/no-such-thing').set('Authorization', api.auth('investigator')).expect(404);
    expect(response.body.code).toBe('ROUTE.NOT_FOUND');
    expect(response.headers.allow).toBeUndefined();
  });
});
