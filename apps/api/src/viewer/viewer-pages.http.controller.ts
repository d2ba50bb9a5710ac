import { Controller, Get, Inject, Param, Query, Req, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { assertIntactBeforeCopy, assertTrailScopeKnown, exportOdm, writeAuditTrail, type AuditTrailRow } from '@trial-ledger/audit';
import { recordDataExport } from '@trial-ledger/command-pipeline';
import { EXPORT_ROLES, invalid, QUERY_ROLES, ROLES, STUDY_ID_PATTERN, STUDY_ID_RULE, SUBJECT_ID, SUBJECT_ID_RULE } from '@trial-ledger/domain';
import type { Clock, EventStore } from '@trial-ledger/event-store';
import { casebookMonitoring, instantOfAsOf, replaySubjectMonitoring } from '@trial-ledger/projections';
import type { HttpRequest, HttpResponse } from '../shared/http/http.types';
import { RefusesHead, refuseHeadOfExport, streamingBody } from '../shared/http/replies';
import { API_OPTIONS, CLOCK, EVENT_STORE, type ApiModuleOptions } from '../shared/tokens';
import { DeclaredQueryGuard, QueryParameters } from '../shared/validation/declared-query.guard';
import { exportedFilter, INSTANT_CHARACTERS, parseTrailFilter, TRAIL_PARAMETERS, trailBoundsInWords, trailEntries, trailPage, trailRows } from './viewer-audit-trail';
import { AuditTrailIndexService } from '../projections/audit-trail-index.service';
import { ViewerAccess, type SignedIn } from './viewer-access';
import { ViewerExceptionFilter } from './viewer-exception.filter';
import { SameOriginOnly, ViewerRequestSiteGuard } from './viewer-request-site.guard';
import { parsePaging, parseSort, studyPageModel, subjectPageModel, subjectsPageModel } from './viewer-pages.presenter';
import { ViewerReadModels, type ViewerPosition } from './viewer-read-models';
import { ViewerRenderer, type ViewerPage } from './viewer.renderer';

type QueryParams = Readonly<Record<string, unknown>>;

/**
 * `?asKnownAt=` as typed ('' or absent = the current page); the read models normalise and check it. A value
 * written with other characters than an instant's (a sentence, a right-to-left override) is refused here without
 * being repeated, as the ids in the path are: a link cannot make the refusal page display text of its choosing.
 */
const asKnownAtOf = (query: QueryParams): string | null => {
  const value = query.asKnownAt;
  if (value === undefined || value === '') return null;
  if (typeof value !== 'string' || value.length > 40 || !INSTANT_CHARACTERS.test(value)) {
    return invalid('VIEWER.INVALID_AS_KNOWN_AT', 'asKnownAt must be one ISO 8601 instant with a zone, e.g. 2026-03-01T12:00:00Z', {});
  }
  return value;
};

/** What a `DataExported` row says in words: kind and format, the filter as given, the position it is bound to. */
const exportSummary = (row: AuditTrailRow): string | null => {
  if (row.eventType !== 'DataExported') return null;
  const f = row.fields as { kind?: unknown; format?: unknown; channel?: unknown; filter?: Record<string, unknown>; throughPosition?: unknown };
  const filter = Object.entries(f.filter ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(', ');
  return `${String(f.kind)} as ${String(f.format).toUpperCase()} from the ${String(f.channel)}; filter: ${filter || 'none'}; through log position ${String(f.throughPosition)}`;
};

/**
 * What an entry that is neither a change nor an export recorded, field by field, as `trial-ledger audit-trail`
 * lists it (a screening's dates, an adverse event's term and grade, a signature's meaning): the trail says
 * what was entered, not only that something was. Study and subject have their own columns.
 */
const recordedValues = (row: AuditTrailRow): ReadonlyArray<[string, unknown]> =>
  row.before !== null || row.after !== null || row.eventType === 'DataExported'
    ? []
    : Object.entries(row.fields).filter(([name]) => name !== 'studyId' && name !== 'subjectId');

/**
 * The ids in the path, by the domain's rules, as the API's path parameters are checked (`path-params.dto.ts`):
 * an id off the rule names nothing the ledger can hold, so it is refused before anything is read, and the
 * refusal states the rule without repeating the id — a link cannot make a page display text of its choosing
 * (a sentence, a right-to-left override). A well-formed id that is not in the ledger is still named (404).
 */
const checkPathIds = (studyId: string, subjectId?: string): void => {
  if (!STUDY_ID_PATTERN.test(studyId)) {
    invalid('VALIDATION.FAILED', `The study id in the address ${STUDY_ID_RULE}`, { field: 'studyId' });
  }
  if (subjectId !== undefined && !SUBJECT_ID.test(subjectId)) invalid('VALIDATION.FAILED', SUBJECT_ID_RULE, { field: 'subjectId' });
};

const path = (...parts: string[]): string => `/viewer/${parts.map(encodeURIComponent).join('/')}`;

const queryString = (entries: ReadonlyArray<[string, string]>): string => {
  const kept = entries.filter(([, v]) => v !== '');
  return kept.length === 0 ? '' : `?${new URLSearchParams(kept).toString()}`;
};

/**
 * The read-only pages. Each checks the same roles as the API query it mirrors (admins, who are not
 * clinical readers, see no subject data), renders from the read models at one position, and takes
 * `?asKnownAt=` to show the page as the ledger knew it then. Each names the parameters it reads
 * (`@QueryParameters`); any other is refused as a page (400 VALIDATION.FAILED), not ignored.
 */
@ApiExcludeController()
@UseFilters(ViewerExceptionFilter)
@Controller('viewer')
@UseGuards(ViewerRequestSiteGuard, DeclaredQueryGuard)
export class ViewerPagesHttpController {
  constructor(
    private readonly access: ViewerAccess,
    private readonly renderer: ViewerRenderer,
    private readonly readModels: ViewerReadModels,
    private readonly auditIndex: AuditTrailIndexService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(API_OPTIONS) private readonly options: ApiModuleOptions,
  ) {}

  @Get()
  async home(@Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const who = await this.access.signedIn(request);
    const state = await this.readModels.at(null);
    const studies = Object.entries(state.documents)
      .filter(([key]) => key.startsWith('study/'))
      // The title is the protocol's (the study document itself has none).
      .map(([key, doc]) => ({ studyId: key.slice('study/'.length), title: (doc as { protocol?: { title?: string } | null }).protocol?.title ?? null }));
    // A role the study pages refuse (an administrator) gets no link whose only outcome is a refusal on the record.
    const reader = (QUERY_ROLES.GetStudyOverview as readonly string[]).includes(who.actor.role);
    this.send(response, 'home', { title: 'Studies', ...who, studies, reader });
  }

  @Get('studies/:studyId')
  @QueryParameters('asKnownAt')
  async study(@Param('studyId') studyId: string, @Query() query: QueryParams, @Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const who = await this.access.allowed(request, QUERY_ROLES.GetStudyOverview, 'GetStudyOverview');
    checkPathIds(studyId);
    const state = await this.readModels.at(asKnownAtOf(query));
    const mayVerify = (QUERY_ROLES.VerifyLedger as readonly string[]).includes(who.actor.role);
    // The verdict is about the whole ledger now; a historical page does not pretend to verify the past.
    const verdict = mayVerify && state.asKnownAt === null ? await this.readModels.verification() : null;
    const verification = verdict?.report ?? null;
    const verificationPending = verdict !== null && verdict.behindBy > 0 ? `${verdict.behindBy} newer event(s) are being verified now; reload to see the verdict that covers them.` : '';
    const verificationNote = !mayVerify
      ? "The ledger's verification is shown to monitors and regulators."
      : state.asKnownAt === null
        ? 'The chain is being verified now (a pass over the whole log); reload to see the verdict.'
        : 'The verification verdict is about the ledger as it stands now: open the current page to see it.';
    const model = studyPageModel(state, studyId);
    this.send(response, 'study', { title: `Study ${studyId}`, ...who, ...this.frame(studyId, path('studies', studyId), query, state), ...model, verification, verificationPending, verificationNote });
  }

  @Get('studies/:studyId/subjects')
  @QueryParameters('asKnownAt', 'sort', 'order', 'page', 'pageSize')
  async subjects(@Param('studyId') studyId: string, @Query() query: QueryParams, @Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const who = await this.access.allowed(request, QUERY_ROLES.GetStudyOverview, 'ListSubjects');
    checkPathIds(studyId);
    const { sort, order } = parseSort(query.sort, query.order);
    const paging = parsePaging(query.page, query.pageSize);
    const state = await this.readModels.at(asKnownAtOf(query));
    const keep: Array<[string, string]> = [['sort', sort], ['order', order], ['page', String(paging.page)], ['pageSize', String(paging.pageSize)]];
    const frame = this.frame(studyId, path('studies', studyId, 'subjects'), query, state, keep);
    const asOfParam = state.asKnownAt === null ? '' : `&asKnownAt=${encodeURIComponent(String(query.asKnownAt))}`;
    const model = subjectsPageModel(state, studyId, sort, order, paging, path('studies', studyId, 'subjects'), asOfParam);
    this.send(response, 'subjects', { title: `Subjects of ${studyId}`, ...who, ...frame, ...model });
  }

  @Get('studies/:studyId/subjects/:subjectId')
  @QueryParameters('asKnownAt')
  async subject(
    @Param('studyId') studyId: string,
    @Param('subjectId') subjectId: string,
    @Query() query: QueryParams,
    @Req() request: HttpRequest,
    @Res() response: HttpResponse,
  ): Promise<void> {
    const who = await this.access.allowed(request, QUERY_ROLES.GetCasebook, 'GetCasebook');
    checkPathIds(studyId, subjectId);
    const asKnownAt = asKnownAtOf(query);
    // As known then: the study's and this subject's streams folded to that position, not the whole log.
    const state = asKnownAt === null ? await this.readModels.at(null) : await this.readModels.subjectAt(asKnownAt, studyId, subjectId);
    // Each entry's queries and SDV state, folded to the same position as the casebook from the subject's streams.
    const index = await this.auditIndex.readyAt(state.position);
    const at = asKnownAt === null ? this.clock.now() : await instantOfAsOf(this.store, { asKnownAt, position: null }, this.clock.now());
    const monitoring = casebookMonitoring(await replaySubjectMonitoring(this.store, index, studyId, subjectId, state.position), subjectId, at);
    const model = subjectPageModel(state, studyId, subjectId, monitoring);
    this.send(response, 'subject', { title: `Casebook of subject ${subjectId}`, ...who, ...this.frame(studyId, path('studies', studyId, 'subjects', subjectId), query, state), ...model });
  }

  @Get('studies/:studyId/audit-trail')
  @QueryParameters(...TRAIL_PARAMETERS)
  async auditTrail(@Param('studyId') studyId: string, @Query() query: QueryParams, @Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    const who = await this.access.allowed(request, QUERY_ROLES.GetAuditTrail, 'GetAuditTrail');
    checkPathIds(studyId);
    // A study the ledger does not hold is 404, as on the dashboard and the download: not an empty trail.
    await assertTrailScopeKnown(this.store, { studyId });
    const state = await this.readModels.resolve(asKnownAtOf(query));
    const filter = parseTrailFilter(studyId, query, this.clock.now(), state.asKnownAt);
    const page = await trailPage(await this.auditIndex.readyAt(state.position), this.store, filter, state.position);
    const action = path('studies', studyId, 'audit-trail');
    const entries = trailEntries(filter);
    const rows = page.rows.map((row) => ({ ...row, changeKeys: [...new Set([...Object.keys(row.before ?? {}), ...Object.keys(row.after ?? {})])], exported: exportSummary(row), recorded: recordedValues(row) }));
    this.send(response, 'audit-trail', {
      title: `Audit trail of ${studyId}`,
      ...who,
      ...this.frame(studyId, action, query, state, entries.filter(([k]) => k !== 'asKnownAt')),
      filter,
      bounds: trailBoundsInWords(filter, query),
      roles: ROLES,
      rows,
      action,
      exportBase: `${action}/export${queryString(entries) || '?'}`,
      newestHref: `${action}${queryString(entries)}`,
      olderHref: page.olderBefore === null ? null : `${action}${queryString([...entries, ['before', String(page.olderBefore)]])}`,
    });
  }

  /**
   * Streams exactly the rows the page's filter shows (every page of them, up to the position the page
   * stands at), as CSV or JSON; or the study as ODM. The export is recorded first (`DataExported`: who,
   * what, which filter, through which position) and served only once that record is in the ledger: an
   * export that could not be recorded answers with a problem and serves nothing.
   */
  @Get('studies/:studyId/audit-trail/export')
  @RefusesHead()
  @QueryParameters(...TRAIL_PARAMETERS, 'format')
  @SameOriginOnly()
  async exportTrail(@Param('studyId') studyId: string, @Query() query: QueryParams, @Req() request: HttpRequest, @Res() response: HttpResponse): Promise<void> {
    // A refusal of the method, as the router's 405s are: before the session or the role is read, so a HEAD records
    // no refusal of an export that could never have been served.
    refuseHeadOfExport(response);
    const odm = query.format === 'odm';
    const kind = odm ? 'odm' : 'audit-trail';
    const who = await this.access.allowed(request, EXPORT_ROLES[kind], odm ? 'ExportOdm' : 'ExportAuditTrail');
    checkPathIds(studyId);
    const format = query.format === 'csv' || query.format === 'json' || odm ? (query.format as 'csv' | 'json' | 'odm') : invalid('VIEWER.INVALID_FORMAT', 'format must be csv, json or odm', {});
    // Checked before anything is recorded or the first byte: once streaming has begun, a refusal can no longer be reported.
    const state = await this.readModels.resolve(odm ? null : asKnownAtOf(query));
    const filter = parseTrailFilter(studyId, query, this.clock.now(), state.asKnownAt);
    const index = odm ? null : await this.auditIndex.readyAt(state.position);
    // A study, subject or user that is not in the ledger gets no export and no record (no stream is made up for a
    // typed id), with the codes the API's and the CLI's exports answer: no empty file read as a history of nobody.
    await assertTrailScopeKnown(this.store, {
      studyId,
      ...(odm || filter.subject === '' ? {} : { subjectId: filter.subject }),
      ...(odm || filter.user === '' ? {} : { user: filter.user }),
    });
    // A copy of the record is made of an intact chain only (LEDGER.TAMPERED otherwise, nothing recorded).
    await assertIntactBeforeCopy(this.store, this.options.signedCheckpoints);
    const { event } = await recordDataExport(
      this.store,
      { kind, format: odm ? 'xml' : (format as 'csv' | 'json'), channel: 'viewer', studyId, filter: odm ? {} : exportedFilter(filter), throughPosition: state.position },
      { actor: who.actor, source: 'api' },
      { clock: this.clock, maxAttempts: this.options.maxCommandAttempts },
    );
    const safeName = studyId.replace(/[^A-Za-z0-9_-]/g, '_');
    const types = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8', odm: 'application/xml; charset=utf-8' } as const;
    response.status(200).type(types[format]);
    response.header('Content-Disposition', `attachment; filename="${safeName}-audit-trail.${format === 'odm' ? 'xml' : format}"`);
    const body = streamingBody(response);
    if (odm) {
      // exportOdm leaves its output open (the CLI's may be stdout): the download ends here.
      await exportOdm(this.store, body, { studyId, clock: this.clock, throughPosition: event.throughPosition });
      body.end();
    } else await writeAuditTrail(trailRows(index!, this.store, filter, state.position), body, format === 'csv' ? 'csv' : 'json');
  }

  /** The layout's part of every page: navigation links, the as-known-at control and banner. */
  private frame(studyId: string, action: string, query: QueryParams, state: ViewerPosition, keep: ReadonlyArray<[string, string]> = []) {
    const raw = state.asKnownAt === null ? '' : String(query.asKnownAt);
    return {
      studyId,
      asKnownAt: state.asKnownAt,
      position: state.position,
      asKnownAtInput: raw,
      asOfQuery: raw === '' ? '' : `?asKnownAt=${encodeURIComponent(raw)}`,
      currentUrl: `${action}${queryString(keep.filter(([k]) => k !== 'asKnownAt'))}`,
      asOfForm: { action, keep: keep.filter(([k, v]) => k !== 'asKnownAt' && v !== '') },
    };
  }

  private send(response: HttpResponse, page: ViewerPage, data: SignedIn & Record<string, unknown>): void {
    // The navigation offers the trail only to the roles it opens for: to any other, a link to a recorded refusal.
    const mayReadTrail = (QUERY_ROLES.GetAuditTrail as readonly string[]).includes(data.actor.role);
    // A printout names the study, the position and who printed it when (the layout's print-only line).
    response.status(200).type('text/html; charset=utf-8').send(this.renderer.render(page, { ...data, mayReadTrail, printedAt: this.clock.now() }));
  }
}
