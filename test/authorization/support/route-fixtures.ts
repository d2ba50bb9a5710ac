import request from 'supertest';
import { loadDefaultProtocol, type Actor, type Role } from '@trial-ledger/domain';
import { bodies, type ApiTestApp } from '../../api/support/api-test-app';
import { addReadyUser } from '../../../libs/identity/src/testing';

/** One concrete, valid request for a route, built on state prepared for it. */
export interface PreparedCall {
  /** Concrete path with a leading slash: `/api/v1/studies/AUTHZ-CLIN/subjects/S7/doses`. */
  readonly path: string;
  readonly body?: object;
  readonly query?: Record<string, string>;
  /** Request headers the call needs, such as a signature's `If-Match` (the version the signer reviewed). */
  readonly headers?: Readonly<Record<string, string>>;
  /**
   * A session of another user with the same role, for routes that consume or must match the session:
   * logout ends its token, and a signature must be made by the logged-in signer with their password.
   */
  readonly token?: string;
}

/**
 * Prepares the ledger so that `role` may successfully call the route once, and returns the request.
 * Each call prepares fresh state (a new subject, study or user) so that writes never collide.
 */
export type RouteFixture = (ctx: MatrixContext, role: Role) => Promise<PreparedCall>;

/** Stages of a subject's life a clinical command needs (GCP: screened → eligible → enrolled). */
export type SubjectStage = 'screened' | 'eligible' | 'enrolled';

/** The clinical study of the matrix: the seed protocol under another id, with room for every fresh subject. */
export const MATRIX_STUDY = 'AUTHZ-CLIN';
const MATRIX_ENROLLMENT_TARGET = 500;

const PASSWORD = 'matrix passphrase 000';

const studyProtocol = (studyId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  ...loadDefaultProtocol(),
  studyId,
  ...overrides,
});

/** State builders for the fixtures; every prerequisite goes through the API as the role allowed to do it. */
export class MatrixContext {
  private counter = 0;
  /** Every subject the matrix screened: clinical identifiers no administrator's answer may hold. */
  readonly subjectIds = new Set<string>();
  private readSubject: Promise<string> | null = null;
  private adminActor: Promise<Actor> | null = null;

  constructor(readonly api: ApiTestApp) {}

  /** A fresh name: `${prefix}${n}`. */
  next(prefix: string): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  /** A preparation step: must succeed (2xx), else the fixture itself is wrong. */
  async post(path: string, role: Role, body: object): Promise<request.Response> {
    const response = await request(this.api.http).post(path).set('Authorization', this.api.auth(role)).send(body);
    if (response.status < 200 || response.status >= 300) {
      throw new Error(`fixture step POST ${path} as ${role} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    return response;
  }

  async registerMatrixStudy(): Promise<void> {
    await this.post('/api/v1/studies', 'admin', { studyId: MATRIX_STUDY, protocol: studyProtocol(MATRIX_STUDY, { targetEnrollment: MATRIX_ENROLLMENT_TARGET }) });
  }

  /** A newly registered study (protocol version 1), for set-up commands that change or lock a study. */
  async freshStudy(): Promise<string> {
    const studyId = this.next('AUTHZ-STUDY-');
    await this.post('/api/v1/studies', 'admin', { studyId, protocol: studyProtocol(studyId) });
    return studyId;
  }

  subjectPath(subjectId: string, suffix = ''): string {
    return `/api/v1/studies/${MATRIX_STUDY}/subjects/${subjectId}${suffix}`;
  }

  /** The subject record's `ETag` as a reader sees it: what a signer reviewed, sent back as `If-Match`. */
  async reviewedEtag(subjectId: string): Promise<string> {
    const response = await request(this.api.http).get(this.subjectPath(subjectId)).set('Authorization', this.api.auth('investigator'));
    if (response.status !== 200 || typeof response.headers.etag !== 'string') throw new Error(`fixture: GET ${subjectId} answered ${response.status} without an ETag`);
    return response.headers.etag;
  }

  /** A new subject of the matrix study at `stage`; returns its id and the event id of its screening. */
  async subject(stage: SubjectStage): Promise<{ subjectId: string; screeningEventId: string }> {
    const subjectId = this.next('S');
    this.subjectIds.add(subjectId);
    const screened = await this.post(`/api/v1/studies/${MATRIX_STUDY}/subjects`, 'coordinator', bodies.screen(subjectId));
    if (stage !== 'screened') await this.post(this.subjectPath(subjectId, '/eligibility-assessments'), 'investigator', bodies.eligibility());
    if (stage === 'enrolled') {
      await this.post(this.subjectPath(subjectId, '/tumor-assessments'), 'investigator', bodies.baseline());
      await this.post(this.subjectPath(subjectId, '/enrollment'), 'investigator', bodies.enroll());
    }
    return { subjectId, screeningEventId: (screened.body as { eventIds: string[] }).eventIds[0] };
  }

  /** Enrolled and dosed once; shared by every read route (reads write nothing, so it never changes under them). */
  sharedReadSubject(): Promise<string> {
    this.readSubject ??= (async () => {
      const { subjectId } = await this.subject('enrolled');
      await this.post(this.subjectPath(subjectId, '/doses'), 'coordinator', bodies.dose());
      return subjectId;
    })();
    return this.readSubject;
  }

  /** An enrolled subject with one adverse event reported by the coordinator: the target of a correction or void. */
  async subjectWithEntry(): Promise<{ subjectId: string; entryEventId: string }> {
    const { subjectId } = await this.subject('enrolled');
    const ae = await this.post(this.subjectPath(subjectId, '/adverse-events'), 'coordinator', ADVERSE_EVENT);
    return { subjectId, entryEventId: (ae.body as { eventIds: string[] }).eventIds[0] };
  }

  private admin(): Promise<Actor> {
    this.adminActor ??= this.api.identity.auth.authenticate(this.api.tokens.admin);
    return this.adminActor;
  }

  /** A new user account (created by the administrator through the identity service, as the CLI would). */
  async freshUser(role: Role): Promise<{ username: string; password: string }> {
    const username = this.next('authz');
    await addReadyUser(this.api.identity, await this.admin(), { username, fullName: `Matrix ${role} ${username}`, role, password: PASSWORD }, 'cli');
    return { username, password: PASSWORD };
  }

  /** A new logged-in session of a new user with `role`. */
  async session(role: Role): Promise<{ username: string; password: string; token: string }> {
    const user = await this.freshUser(role);
    const { token } = await this.api.identity.auth.login(user.username, user.password, { source: 'api' });
    return { ...user, token };
  }
}

const ADVERSE_EVENT = { term: 'diarrhoea', onsetDate: '2026-03-10', ctcaeGrade: 2, serious: false, relatedness: 'possibly related' };
const POST_BASELINE_SCAN = {
  assessmentDate: '2026-05-28', modality: 'CT', baseline: false,
  targetLesions: [{ lesionId: 'T1', organ: 'liver', diameterMm: 28, nodal: false }, { lesionId: 'T2', organ: 'lymph node', diameterMm: 14, nodal: true }],
  nonTargetStatus: 'present', newLesions: false,
};

/** A query opened by the monitor on a fresh entry, answered and/or closed as the route needs it. */
const queryIn = (stage: 'open' | 'answered' | 'closed'): ((ctx: MatrixContext) => Promise<{ subjectId: string; entryEventId: string; queryId: string }>) => async (ctx) => {
  const { subjectId, entryEventId } = await ctx.subjectWithEntry();
  const queries = `/api/v1/studies/${MATRIX_STUDY}/queries`;
  const opened = await ctx.post(queries, 'monitor', { subjectId, targetEventId: entryEventId, fieldPath: 'ctcaeGrade', text: 'matrix: grade differs from the source' });
  const { queryId } = opened.body as { queryId: string };
  if (stage !== 'open') await ctx.post(`${queries}/${queryId}/responses`, 'coordinator', { text: 'matrix: checked', category: 'confirmed-correct' });
  if (stage === 'closed') await ctx.post(`${queries}/${queryId}/close`, 'monitor', {});
  return { subjectId, entryEventId, queryId };
};

const onQuery = (stage: 'open' | 'answered' | 'closed', suffix: string, body: object): RouteFixture => async (ctx) => {
  const { queryId } = await queryIn(stage)(ctx);
  return { path: `/api/v1/studies/${MATRIX_STUDY}/queries/${queryId}${suffix}`, body };
};

/** A clinical command on a fresh subject at `stage`. */
const onSubject = (stage: SubjectStage, suffix: string, body: object): RouteFixture => async (ctx) => {
  const { subjectId } = await ctx.subject(stage);
  return { path: ctx.subjectPath(subjectId, suffix), body };
};

/** A read of the shared subject. */
const readSubject = (suffix: string, query?: Record<string, string>): RouteFixture => async (ctx) => ({
  path: ctx.subjectPath(await ctx.sharedReadSubject(), suffix),
  query,
});

/** A read of the matrix study (after the shared subject exists, so the read has content). */
const readStudy = (suffix: string, query?: Record<string, string>): RouteFixture => async (ctx) => {
  await ctx.sharedReadSubject();
  return { path: `/api/v1/studies/${MATRIX_STUDY}${suffix}`, query };
};

/** A ledger-wide read (audit trail, verification, exports). */
const readLedger = (path: string, query?: Record<string, string>): RouteFixture => async (ctx) => {
  await ctx.sharedReadSubject();
  return { path, query };
};

/** An administrator's act on another, fresh user account. */
const onUser = (suffix: string, body: object, deactivated = false): RouteFixture => async (ctx) => {
  const { username } = await ctx.freshUser('coordinator');
  if (deactivated) await ctx.post(`/api/v1/users/${username}/deactivate`, 'admin', { reason: 'matrix: set up a reactivation' });
  return { path: `/api/v1/users/${username}${suffix}`, body };
};

/**
 * The fixture of every operation the API serves, keyed by operation (the `RouteRule`'s or the OpenAPI
 * `operationId`). A route without an entry fails the matrix test: a new endpoint needs its fixture.
 */
export const ROUTE_FIXTURES: Readonly<Record<string, RouteFixture>> = {
  // Study set-up (admin).
  RegisterStudy: async (ctx) => {
    const studyId = ctx.next('AUTHZ-REG-');
    return { path: '/api/v1/studies', body: { studyId, protocol: studyProtocol(studyId) } };
  },
  AmendProtocol: async (ctx) => {
    const studyId = await ctx.freshStudy();
    return { path: `/api/v1/studies/${studyId}/protocol-amendments`, body: { protocol: studyProtocol(studyId, { version: 2, targetEnrollment: 30 }), reason: 'matrix: sponsor raised the target' } };
  },
  LockStudy: async (ctx) => ({ path: `/api/v1/studies/${await ctx.freshStudy()}/lock`, body: { reason: 'matrix: interim analysis' } }),
  UnlockStudy: async (ctx) => {
    const studyId = await ctx.freshStudy();
    await ctx.post(`/api/v1/studies/${studyId}/lock`, 'admin', { reason: 'matrix: interim analysis' });
    return { path: `/api/v1/studies/${studyId}/unlock`, body: { reason: 'matrix: query resolution' } };
  },
  GetStudy: readStudy(''),
  GetStudyEvents: readStudy('/events'),
  GetStudyOverview: readStudy('/overview'),
  GetPfs: readStudy('/pfs'),
  GetPfsPlot: readStudy('/pfs/km.svg'),
  GetPfsDiff: readStudy('/pfs/diff', { fromCutoff: '2026-01-01', toCutoff: '2026-12-31' }),

  // A subject's life (coordinator, investigator).
  ScreenSubject: async (ctx) => {
    const subjectId = ctx.next('S');
    ctx.subjectIds.add(subjectId);
    return { path: `/api/v1/studies/${MATRIX_STUDY}/subjects`, body: bodies.screen(subjectId) };
  },
  AssessEligibility: onSubject('screened', '/eligibility-assessments', bodies.eligibility()),
  EnrollSubject: async (ctx) => {
    const { subjectId } = await ctx.subject('eligible');
    await ctx.post(ctx.subjectPath(subjectId, '/tumor-assessments'), 'investigator', bodies.baseline());
    return { path: ctx.subjectPath(subjectId, '/enrollment'), body: bodies.enroll() };
  },
  RecordDose: onSubject('enrolled', '/doses', bodies.dose()),
  RecordMissedDose: onSubject('enrolled', '/missed-doses', { cycle: 1, dueOn: '2026-03-06', reason: 'subject hospitalised' }),
  RecordTumorAssessment: onSubject('enrolled', '/tumor-assessments', POST_BASELINE_SCAN),
  RecordClinicalProgression: onSubject('enrolled', '/clinical-progressions', { progressionDate: '2026-06-01', basis: 'symptomatic deterioration with rising chromogranin A' }),
  RecordNewAnticancerTherapy: onSubject('enrolled', '/anticancer-therapies', { startDate: '2026-06-10', therapy: 'everolimus 10 mg daily' }),
  ReportAdverseEvent: onSubject('enrolled', '/adverse-events', ADVERSE_EVENT),
  RecordAdverseEventOutcome: async (ctx) => {
    const { subjectId, entryEventId } = await ctx.subjectWithEntry();
    return { path: ctx.subjectPath(subjectId, '/adverse-event-outcomes'), body: { adverseEventId: entryEventId, outcome: 'recovered', endDate: '2026-03-20' } };
  },
  RecordDeviation: onSubject('enrolled', '/deviations', { deviationDate: '2026-03-10', category: 'visit window', description: 'matrix: week 12 CT performed late', severity: 'minor' }),
  DiscontinueTreatment: onSubject('enrolled', '/treatment-discontinuation', { discontinuationDate: '2026-06-01', reason: 'unacceptable toxicity' }),
  WithdrawSubject: onSubject('enrolled', '/withdrawal', { withdrawalDate: '2026-06-01', reason: 'consent-withdrawn' }),
  RecordDeath: onSubject('enrolled', '/death', { deathDate: '2026-06-01', cause: 'disease progression' }),
  CorrectEntry: async (ctx) => {
    const { subjectId, entryEventId } = await ctx.subjectWithEntry();
    return { path: ctx.subjectPath(subjectId, '/corrections'), body: { targetEventId: entryEventId, changes: { ctcaeGrade: 3 }, reason: 'matrix: regraded from source' } };
  },
  VoidEntry: async (ctx) => {
    const { subjectId, entryEventId } = await ctx.subjectWithEntry();
    return { path: ctx.subjectPath(subjectId, '/voids'), body: { targetEventId: entryEventId, reason: 'matrix: entered on the wrong subject' } };
  },

  // Monitor queries and source data verification.
  OpenQuery: async (ctx) => {
    const { subjectId, entryEventId } = await ctx.subjectWithEntry();
    return { path: `/api/v1/studies/${MATRIX_STUDY}/queries`, body: { subjectId, targetEventId: entryEventId, text: 'matrix: please confirm the onset date' } };
  },
  RespondToQuery: onQuery('open', '/responses', { text: 'matrix: confirmed against the source', category: 'confirmed-correct' }),
  CloseQuery: onQuery('answered', '/close', { text: 'matrix: resolved' }),
  ReopenQuery: onQuery('closed', '/reopen', { text: 'matrix: needs another look' }),
  CancelQuery: onQuery('open', '/cancel', { text: 'matrix: raised in error' }),
  ListQueries: async (ctx) => {
    await queryIn('open')(ctx);
    return { path: `/api/v1/studies/${MATRIX_STUDY}/queries`, query: { status: 'open' } };
  },
  GetQuery: async (ctx) => ({ path: `/api/v1/studies/${MATRIX_STUDY}/queries/${(await queryIn('answered')(ctx)).queryId}` }),
  VerifySource: async (ctx) => {
    const { subjectId, entryEventId } = await ctx.subjectWithEntry();
    return { path: ctx.subjectPath(subjectId, '/source-verifications'), body: { targetEventId: entryEventId } };
  },
  GetSourceVerifications: readSubject('/source-verifications'),

  // Reads.
  GetSubject: readSubject(''),
  GetSubjectEvents: readSubject('/events'),
  GetCasebook: readSubject('/casebook'),
  ListSignatures: readSubject('/signatures'),
  GetAuditTrail: readLedger('/api/v1/audit-trail'),
  ReviewAuditTrail: readStudy('/audit-trail/review'),
  VerifyLedger: readLedger('/api/v1/ledger/verification'),
  ExportOdm: readLedger('/api/v1/exports/odm'),
  ExportAuditTrail: readLedger('/api/v1/exports/audit-trail', { format: 'csv' }),
  GetInclusionProof: async (ctx) => {
    const { entryEventId } = await ctx.subjectWithEntry();
    return { path: '/api/v1/proofs/inclusion', query: { eventId: entryEventId } };
  },
  GetConsistencyProof: readLedger('/api/v1/proofs/consistency', { from: '1' }),

  // Electronic signatures: the route admits the record signers; a review signature on one record
  // (SignRecord) is open to all of them, the casebook signature only to the investigator (checked below).
  SignCasebook: async (ctx, role) => {
    const { subjectId, screeningEventId } = await ctx.subject('screened');
    const signer = await ctx.session(role);
    return {
      path: ctx.subjectPath(subjectId, '/signatures'),
      body: { username: signer.username, password: signer.password, meaning: 'review', scope: { eventId: screeningEventId } },
      headers: { 'If-Match': await ctx.reviewedEtag(subjectId) },
      token: signer.token,
    };
  },

  // Identity: sessions and user management (admin).
  Logout: async (ctx, role) => ({ path: '/api/v1/auth/logout', token: (await ctx.session(role)).token }),
  ListUsers: async () => ({ path: '/api/v1/users' }),
  // The identity stream holds subject ids before it is read: a refused request on a subject's path and a
  // signature refused for a wrong password both name the subject (the administrator's answer must not).
  GetUserHistory: async (ctx) => {
    const { subjectId, screeningEventId } = await ctx.subject('screened');
    const path = ctx.subjectPath(subjectId, '/signatures');
    const before = (await ctx.api.store.head()).position;
    const refused = await request(ctx.api.http).post(path).set('Authorization', ctx.api.auth('regulator')).send({});
    const signer = await ctx.session('investigator');
    const failed = await request(ctx.api.http).post(path).set('Authorization', `Bearer ${signer.token}`).set('If-Match', await ctx.reviewedEtag(subjectId))
      .send({ username: signer.username, password: 'not the signer password 1', meaning: 'review', scope: { eventId: screeningEventId } });
    if (refused.status !== 403 || failed.status < 400) throw new Error(`fixture: expected refusals naming ${subjectId}, got ${refused.status} and ${failed.status}`);
    // The page that starts with them (the walk's refusals fill the stream's first pages).
    return { path: '/api/v1/users/history', query: { afterPosition: String(before) } };
  },
  AddUser: async (ctx) => ({ path: '/api/v1/users', body: { username: ctx.next('authz'), fullName: 'Matrix New User', role: 'coordinator', password: PASSWORD, reason: 'matrix: new site staff' } }),
  DeactivateUser: onUser('/deactivate', { reason: 'matrix: left the site' }),
  ReactivateUser: onUser('/reactivate', { reason: 'matrix: returned to the site' }, true),
  ChangeUserRole: onUser('/role', { role: 'investigator', reason: 'matrix: appointed sub-investigator' }),
  ResetPassword: onUser('/password-reset', { newPassword: 'matrix temporary 0001', reason: 'matrix: forgotten password' }),
};
