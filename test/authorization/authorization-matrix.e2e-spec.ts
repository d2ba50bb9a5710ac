import request from 'supertest';
import { COMMAND_ROLES, ROLES, SIGNATURE_ROLES, type Role } from '@trial-ledger/domain';
import type { StoredEvent } from '@trial-ledger/event-store';
import { isCredentialRoute, listRoutes, type InventoriedRoute } from '../../apps/api/src/shared/routing/route-inventory';
import { startApiTestApp, type ApiTestApp } from '../api/support/api-test-app';
import { MatrixContext, ROUTE_FIXTURES, type PreparedCall } from './support/route-fixtures';

/** One cell of the matrix as it was walked over HTTP. */
interface Attempt {
  readonly operation: string;
  readonly role: Role;
  /** What the route's rule says. */
  readonly allowed: boolean;
  readonly status: number;
  readonly code: unknown;
  readonly contentType: string;
  /** Every event the call itself appended (preparation excluded). */
  readonly written: readonly StoredEvent[];
  /** The answer's body as text (JSON, CSV, XML, SVG). */
  readonly text: string;
}

/**
 * What the administrator may read (SPEC §5: users and study set-up, never clinical data). The study
 * and its stream's history serve set-up and clinical data together: the administrator gets the set-up
 * view of both; the user-management history leaves out the subject a refused signature or request named. A new read route that admits the administrator fails the matrix until it is named here
 * and its answer to the administrator holds no clinical data.
 */
const ADMIN_READS = ['GetStudy', 'GetStudyEvents', 'ListUsers', 'GetUserHistory'];

/**
 * Clinical data in an answer: a subject id the matrix screened, as a JSON string or a word of the text,
 * and the JSON members that carry a roster or a subject (`roster`, `subjectId`, `enrollmentDate`).
 */
const clinicalTraces = (text: string, subjectIds: ReadonlySet<string>): string[] => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text.split(/[^A-Za-z0-9-]+/).filter((word) => subjectIds.has(word));
  }
  const found: string[] = [];
  const walk = (value: unknown, at: string): void => {
    if (typeof value === 'string' && subjectIds.has(value)) found.push(`${at} = ${value}`);
    if (value === null || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (!Array.isArray(value) && ['roster', 'subjectId', 'enrollmentDate'].includes(key)) found.push(`${at}/${key}`);
      walk(inner, `${at}/${key}`);
    }
  };
  walk(json, '');
  return found;
};

const STUDY_COMMANDS = new Set(['RegisterStudy', 'AmendProtocol', 'LockStudy', 'UnlockStudy']);
/** Operations that write a subject's clinical record: every subject-stream command of SPEC §2. */
const CLINICAL_COMMANDS = Object.keys(COMMAND_ROLES).filter((c) => !STUDY_COMMANDS.has(c));

const isApiRoute = (route: InventoriedRoute): boolean => route.path.startsWith('api/v1/');
const describeRoute = (route: InventoriedRoute): string => `${route.operation} ${route.method} /${route.path}`;

/**
 * The routes Fastify actually serves under /api/v1, as `METHOD api/v1/…` (catches a handler mounted
 * outside Nest's controllers). The HEAD twin Fastify adds to every GET route is left out.
 */
const servedByFastify = (api: ApiTestApp): string[] =>
  api.servedRoutes
    .filter((route) => !route.startsWith('HEAD '))
    .map((route) => route.replace(' /', ' '))
    .filter((route) => route.split(' ')[1].startsWith('api/v1/'))
    .sort();

describe('Authorization matrix (21 CFR Part 11 §11.10(d), (g); SPEC §5): every /api/v1 route × every role, over HTTP', () => {
  let api: ApiTestApp;
  let routes: InventoriedRoute[];
  let ctx: MatrixContext;
  const attempts: Attempt[] = [];
  /** Fixture or walk failures, reported by the tests rather than aborting the walk. */
  const walkErrors: string[] = [];

  const send = async (route: InventoriedRoute, call: PreparedCall, role: Role, token?: string): Promise<Omit<Attempt, 'operation' | 'role' | 'allowed'>> => {
    const before = await api.headPosition();
    const method = route.method.toLowerCase() as 'get' | 'post';
    let pending = request(api.http)[method](call.path).set('Authorization', `Bearer ${token ?? api.tokens[role]}`);
    if (call.query) pending = pending.query(call.query);
    if (call.headers) pending = pending.set(call.headers);
    const response = route.method === 'GET' ? await pending : await pending.send(call.body ?? {});
    return {
      status: response.status,
      code: (response.body as { code?: unknown } | undefined)?.code,
      contentType: String(response.headers['content-type'] ?? ''),
      written: await api.eventsAfter(before),
      text: typeof response.text === 'string' ? response.text : '',
    };
  };

  /**
   * Walks the whole matrix, route by route: prepares one valid request, sends it as every role the
   * rule refuses (a refusal writes nothing, so the same state serves all of them), then as each allowed
   * role on freshly prepared state (an allowed write consumes it: a subject is enrolled only once).
   */
  beforeAll(async () => {
    api = await startApiTestApp();
    routes = listRoutes(api.app);
    ctx = new MatrixContext(api);
    await ctx.registerMatrixStudy();
    for (const route of routes.filter((r) => isApiRoute(r) && !isCredentialRoute(r))) {
      const fixture = ROUTE_FIXTURES[route.operation];
      if (!route.roles || route.roles.length === 0 || !fixture) continue;
      const allowed = ROLES.filter((role) => route.roles!.includes(role));
      try {
        const probe = await fixture(ctx, allowed[0]);
        for (const role of ROLES.filter((r) => !allowed.includes(r))) {
          attempts.push({ operation: route.operation, role, allowed: false, ...(await send(route, probe, role)) });
        }
        for (const [index, role] of allowed.entries()) {
          const call = index === 0 ? probe : await fixture(ctx, role);
          attempts.push({ operation: route.operation, role, allowed: true, ...(await send(route, call, role, call.token)) });
        }
      } catch (error) {
        walkErrors.push(`${describeRoute(route)}: ${(error as Error).message}`);
      }
    }
  }, 120_000);
  afterAll(async () => api?.close());

  describe('the route table comes from the running app and is complete', () => {
    it('lists exactly the routes Fastify serves under /api/v1', () => {
      const inventoried = routes.filter(isApiRoute).map((r) => `${r.method} ${r.path}`).sort();
      expect(inventoried).toEqual(servedByFastify(api));
      expect(inventoried.length).toBeGreaterThan(40);
    });

    it('every /api/v1 route except the two credential routes has a role rule and the bearer guard that enforces it', () => {
      const unruled = routes
        .filter((r) => isApiRoute(r) && !isCredentialRoute(r))
        .filter((r) => r.roles === null || r.roles.length === 0 || !r.guarded || r.roleSource === 'none')
        .map(describeRoute);
      expect(unruled).toEqual([]);
    });

    it('the credential routes (login, change password) take no bearer token and carry no roles, so they cannot silently become role-checked', () => {
      const credential = routes.filter(isCredentialRoute).map((r) => ({ op: r.operation, roles: r.roles, guarded: r.guarded }));
      expect(credential).toEqual([
        { op: 'Login', roles: null, guarded: false },
        { op: 'ChangePassword', roles: null, guarded: false },
      ]);
    });

    it('every route has a fixture in ROUTE_FIXTURES and every fixture a route', () => {
      const operations = routes.filter((r) => isApiRoute(r) && !isCredentialRoute(r)).map((r) => r.operation);
      expect(operations.filter((op) => !ROUTE_FIXTURES[op])).toEqual([]);
      expect(Object.keys(ROUTE_FIXTURES).filter((op) => !operations.includes(op))).toEqual([]);
    });

    it('each command route admits exactly the roles the domain admits (COMMAND_ROLES), so the API, the CLI and import agree', () => {
      const mismatches = routes
        .filter((r) => r.operation in COMMAND_ROLES)
        .map((r) => ({ op: r.operation, route: [...(r.roles ?? [])].sort(), domain: [...COMMAND_ROLES[r.operation as keyof typeof COMMAND_ROLES]].sort() }))
        .filter((m) => JSON.stringify(m.route) !== JSON.stringify(m.domain));
      expect(mismatches).toEqual([]);
      expect(routes.filter((r) => r.operation in COMMAND_ROLES)).toHaveLength(Object.keys(COMMAND_ROLES).length);
    });
  });

  describe('walking the whole matrix', () => {
    it('prepared every route without a fixture error', () => {
      expect(walkErrors).toEqual([]);
    });

    it('covers every route × all five roles', () => {
      const walked = routes.filter((r) => isApiRoute(r) && !isCredentialRoute(r) && r.roles && ROUTE_FIXTURES[r.operation]);
      expect(attempts).toHaveLength(walked.length * ROLES.length);
    });

    it('an allowed role gets a success status (2xx) with a valid request', () => {
      const failed = attempts.filter((a) => a.allowed && (a.status < 200 || a.status >= 300)).map((a) => `${a.operation} as ${a.role}: ${a.status} ${String(a.code)}`);
      expect(failed).toEqual([]);
      expect(attempts.filter((a) => a.allowed).length).toBeGreaterThan(0);
    });

    it('a refused role gets 403 AUTH.ROLE_NOT_ALLOWED as a problem document, whatever the (valid) request', () => {
      const wrong = attempts
        .filter((a) => !a.allowed)
        .filter((a) => a.status !== 403 || a.code !== 'AUTH.ROLE_NOT_ALLOWED' || !a.contentType.startsWith('application/problem+json'))
        .map((a) => `${a.operation} as ${a.role}: ${a.status} ${String(a.code)} ${a.contentType}`);
      expect(wrong).toEqual([]);
      expect(attempts.filter((a) => !a.allowed).length).toBeGreaterThan(0);
    });

    it('a refusal writes one AuthorizationRefused event to the identity stream, naming the actor, and nothing else (no clinical stream touched)', () => {
      const wrong = attempts
        .filter((a) => !a.allowed)
        .map((a) => ({
          cell: `${a.operation} as ${a.role}`,
          written: a.written.map((e) => ({ stream: e.streamId, type: e.type, role: e.metadata.actor.role, source: e.metadata.source })),
        }))
        .filter((w) => JSON.stringify(w.written) !== JSON.stringify([{ stream: 'identity', type: 'AuthorizationRefused', role: w.cell.split(' as ')[1], source: 'api' }]));
      expect(wrong).toEqual([]);
    });
  });

  describe('the separations of duty, stated explicitly', () => {
    const allowedCalls = (role: Role): Attempt[] => attempts.filter((a) => a.role === role && a.allowed);
    const writesOutsideIdentity = (role: Role): string[] =>
      allowedCalls(role).flatMap((a) => a.written.filter((e) => e.streamId !== 'identity').map((e) => `${a.operation}: ${e.type} on ${e.streamId}`));
    const postsAllowed = (role: Role): string[] => {
      const posts = new Set(routes.filter((r) => r.method === 'POST').map((r) => r.operation));
      return allowedCalls(role).filter((a) => posts.has(a.operation)).map((a) => a.operation).sort();
    };

    it('the admin cannot write clinical data: every clinical command and signature is refused, and nothing the admin did reached a subject stream', () => {
      const adminOnClinical = attempts.filter((a) => a.role === 'admin' && (CLINICAL_COMMANDS.includes(a.operation) || a.operation === 'SignCasebook'));
      expect(adminOnClinical).toHaveLength(CLINICAL_COMMANDS.length + 1);
      expect(adminOnClinical.filter((a) => a.allowed || a.status !== 403)).toEqual([]);
      expect(writesOutsideIdentity('admin').filter((w) => w.includes(' on subject-'))).toEqual([]);
      expect(CLINICAL_COMMANDS.filter((c) => COMMAND_ROLES[c as keyof typeof COMMAND_ROLES].includes('admin'))).toEqual([]);
    });

    it('the admin reads users and study set-up only: exactly the reads of ADMIN_READS admit it, every other read answers 403 AUTH.ROLE_NOT_ALLOWED', () => {
      const reads = routes.filter((r) => isApiRoute(r) && r.method === 'GET' && !isCredentialRoute(r));
      expect(reads.filter((r) => r.roles?.includes('admin')).map((r) => r.operation).sort()).toEqual([...ADMIN_READS].sort());
      const adminReads = attempts.filter((a) => a.role === 'admin' && reads.some((r) => r.operation === a.operation));
      expect(adminReads).toHaveLength(reads.length);
      expect(adminReads.filter((a) => !ADMIN_READS.includes(a.operation)).filter((a) => a.status !== 403 || a.code !== 'AUTH.ROLE_NOT_ALLOWED').map((a) => `${a.operation}: ${a.status}`)).toEqual([]);
    });

    it('no answer the admin gets holds clinical data: no subject id, roster, subject or enrollment date (the study and its history in their set-up view)', () => {
      expect(ctx.subjectIds.size).toBeGreaterThan(10);
      const adminAnswers = attempts.filter((a) => a.role === 'admin' && a.status >= 200 && a.status < 300);
      expect(adminAnswers.map((a) => a.operation)).toEqual(expect.arrayContaining(ADMIN_READS));
      const leaks = adminAnswers.map((a) => ({ op: a.operation, traces: clinicalTraces(a.text, ctx.subjectIds) })).filter((l) => l.traces.length > 0);
      expect(leaks).toEqual([]);
      // The same scan finds the roster (and the subject a refused signature named) in what a clinical reader gets from the same routes, so it can fail.
      for (const op of ['GetStudy', 'GetStudyEvents', 'GetUserHistory']) {
        const monitor = attempts.find((a) => a.role === 'monitor' && a.operation === op);
        expect({ op, found: clinicalTraces(monitor?.text ?? '', ctx.subjectIds).length > 0 }).toEqual({ op, found: true });
      }
    });

    it('the regulator is read-only: it may only read and end its own session; outside the identity stream only the record of its exports was written', () => {
      expect(postsAllowed('regulator')).toEqual(['Logout']);
      // An export is recorded as DataExported (who exported what, when) in an exports stream: a fact about the reader, not data.
      const writes = writesOutsideIdentity('regulator');
      expect(writes.map((w) => w.split(' on ')[0]).sort()).toEqual(['ExportAuditTrail: DataExported', 'ExportOdm: DataExported']);
      expect(writes.every((w) => /^\S+: DataExported on exports(-|$)/.test(w))).toBe(true);
      expect(allowedCalls('regulator').length).toBeGreaterThan(5);
    });

    it('the monitor is read-only for clinical data: its writes are a review signature on a record (RecordSigned), queries and source verifications, never a clinical event', () => {
      expect(postsAllowed('monitor')).toEqual(['CancelQuery', 'CloseQuery', 'Logout', 'OpenQuery', 'ReopenQuery', 'SignCasebook', 'VerifySource']);
      const writes = writesOutsideIdentity('monitor');
      expect(writes.filter((w) => w.includes(' on subject-')).map((w) => w.split(' on ')[0])).toEqual(['SignCasebook: RecordSigned']);
      expect(writes.filter((w) => !w.includes(' on subject-')).map((w) => w.split(' on ')[0]).sort()).toEqual(
        ['CancelQuery: QueryCancelled', 'CloseQuery: QueryClosed', 'ExportAuditTrail: DataExported', 'ExportOdm: DataExported', 'OpenQuery: QueryOpened', 'ReopenQuery: QueryReopened', 'VerifySource: RecordSourceVerified'],
      );
      expect(Object.values(COMMAND_ROLES).filter((roles) => roles.includes('monitor') || roles.includes('regulator'))).toEqual([]);
    });

    it('the casebook signature itself is the investigator\'s alone: coordinator and monitor are refused by the identity service, and the refusal is recorded', async () => {
      expect(SIGNATURE_ROLES.SignCasebook).toEqual(['investigator']);
      for (const role of ['coordinator', 'monitor'] as const) {
        const call = await ROUTE_FIXTURES.SignCasebook(ctx, role);
        const before = await api.headPosition();
        const response = await request(api.http)
          .post(call.path)
          .set('Authorization', `Bearer ${call.token}`)
          .set(call.headers ?? {})
          .send({ ...call.body, scope: 'casebook' });
        expect({ role, status: response.status, code: response.body.code }).toEqual({ role, status: 403, code: 'AUTH.ROLE_NOT_ALLOWED' });
        expect((await api.eventsAfter(before)).map((e) => `${e.streamId} ${e.type}`)).toEqual(['identity AuthorizationRefused']);
      }
    });

    it('the credential routes need no token: every role opens a session with its password alone', async () => {
      for (const role of ROLES) {
        const user = await ctx.freshUser(role);
        const response = await request(api.http).post('/api/v1/auth/login').send({ username: user.username, password: user.password });
        expect({ role, status: response.status, actorRole: response.body.actor?.role }).toEqual({ role, status: 200, actorRole: role });
      }
    });
  });
});
