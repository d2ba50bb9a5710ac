import { SYSTEM_ACTOR } from '../shared/actor';
import { deciderSpec, enrolledHistory, studyRegistered, subjectSpecDecider, type GivenEvent, type SubjectAndStudy } from '../subject/testing/decider-spec';
import { actor, ADMIN, COORDINATOR, dose, INVESTIGATOR, meta, MONITOR, STUDY_ID, subjectCommand } from '../subject/testing/subject.fixtures';
import type { QueryCommand, QueryEvent } from './monitoring.types';
import { decideQuery, evolveQuery, initialQueryState, type QueryDecisionInput } from './query.decider';
import { valueHash } from './target-entry';

const QUERY_TYPES = new Set(['QueryOpened', 'QueryResponded', 'QueryClosed', 'QueryReopened', 'QueryCancelled']);
type Given = GivenEvent | QueryEvent;

/** The query decider reads three streams; given events are routed to the one they belong to. */
const spec = deciderSpec<QueryCommand, QueryDecisionInput, Given, QueryEvent[]>({
  decide: decideQuery,
  evolve: (state, event) => {
    if (QUERY_TYPES.has(event.type)) return { ...state, query: evolveQuery(state.query, event as QueryEvent) };
    const next: SubjectAndStudy = subjectSpecDecider.evolve({ subject: state.subject, study: state.study }, event as GivenEvent);
    return { ...state, ...next };
  },
  initialState: () => ({ query: initialQueryState(), ...subjectSpecDecider.initialState() }),
});

const Q = '0190a1b2c3d4e5f60718293a4b5c6d7e';
const history = enrolledHistory().run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR));
const doseId = history.idOf('DoseAdministered');
const base = history.all();
const open = (over: Record<string, unknown> = {}): QueryCommand =>
  ({ type: 'OpenQuery', studyId: STUDY_ID, subjectId: 'S001', payload: { queryId: Q, targetEventId: doseId, fieldPath: 'administeredOn', text: 'Date differs from the pharmacy log', ...over } }) as QueryCommand;
const cmd = (type: QueryCommand['type'], payload: Record<string, unknown> = {}): QueryCommand =>
  ({ type, studyId: STUDY_ID, subjectId: 'S001', payload: { queryId: Q, ...payload } }) as QueryCommand;
const opened: QueryEvent = {
  type: 'QueryOpened',
  data: {
    studyId: STUDY_ID, queryId: Q, target: { subjectId: 'S001', eventId: doseId, eventType: 'DoseAdministered', fieldPath: 'administeredOn' },
    questionedValueHash: valueHash('2026-01-06'), text: 'Date differs from the pharmacy log', origin: 'monitor', deviationEventId: null,
  },
};
const responded: QueryEvent = { type: 'QueryResponded', data: { queryId: Q, text: 'Checked: the log is right', category: 'confirmed-correct' } };
const closed: QueryEvent = { type: 'QueryClosed', data: { queryId: Q, text: null } };
const cancelled: QueryEvent = { type: 'QueryCancelled', data: { queryId: Q, text: 'raised on the wrong subject' } };

describe('query decider', () => {
  it('given an answered query on a dose its recorder entered before becoming a monitor, when they close or cancel it, then QUERY.OWN_ENTRY (the site does not settle questions about its own entries)', () => {
    const formerCoordinator = { ...COORDINATOR, role: 'monitor' as const };
    spec.given([...base, opened, responded]).when(cmd('CloseQuery', { text: null }), meta(formerCoordinator)).thenError('QUERY.OWN_ENTRY');
    spec.given([...base, opened]).when(cmd('CancelQuery', { text: 'not needed' }), meta(formerCoordinator)).thenError('QUERY.OWN_ENTRY');
    spec.given([...base, opened, responded]).when(cmd('CloseQuery', { text: null }), meta(MONITOR)).then([closed]);
  });
  describe('OpenQuery', () => {
    it('given a dose, when a monitor queries its date, then QueryOpened is bound to the hash of the questioned value', () =>
      spec.given(base).when(open(), meta(MONITOR)).then([opened]));
    it('given a dose, when the system opens a query for a deviation, then its origin is system and the deviation is named', () =>
      spec.given(base).when(open({ deviationEventId: 'dev-1' }), meta(SYSTEM_ACTOR)).thenMatches([{ data: { origin: 'system', deviationEventId: 'dev-1' } }]));
    it('given the query is open, when the same query is opened again, then nothing is recorded', () =>
      spec.given([...base, opened]).when(open(), meta(MONITOR)).thenNothing());
    it('given the query exists, when the id is reused for another target, then QUERY.ALREADY_EXISTS', () =>
      spec.given([...base, opened]).when(open({ fieldPath: 'doseMg' }), meta(MONITOR)).thenError('QUERY.ALREADY_EXISTS', 'conflict'));
    it.each([
      ['coordinator', COORDINATOR],
      ['investigator', INVESTIGATOR],
      ['regulator', actor('regulator')],
      ['admin', ADMIN],
    ])('given a dose, when a %s opens a query, then AUTH.ROLE_NOT_ALLOWED', (_name, who) =>
      spec.given(base).when(open(), meta(who)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
    it('given a dose, when the field does not exist, then QUERY.FIELD_NOT_FOUND', () =>
      spec.given(base).when(open({ fieldPath: 'doseGrams' }), meta(MONITOR)).thenError('QUERY.FIELD_NOT_FOUND', 'validation'));
    it.each([
      ['__proto__', 'QUERY.INVALID_FIELD_PATH'],
      ['constructor', 'QUERY.FIELD_NOT_FOUND'],
      ['toString', 'QUERY.FIELD_NOT_FOUND'],
      ['window.__proto__', 'QUERY.INVALID_FIELD_PATH'],
      ['../x', 'QUERY.INVALID_FIELD_PATH'],
      ['a..b', 'QUERY.INVALID_FIELD_PATH'],
    ])('given a dose, when the field path is %p, then %s', (fieldPath, code) => spec.given(base).when(open({ fieldPath }), meta(MONITOR)).thenError(code, 'validation'));
    it('given a dose, when a nested field is queried, then the value inside is bound', () =>
      spec.given(base).when(open({ fieldPath: 'window.dueOn' }), meta(MONITOR)).thenMatches([{ data: { target: { fieldPath: 'window.dueOn' } } }]));
    it.each(['__proto__-1', '../S001', 'S 1', ''])('given a dose, when the subject id is %p, then VALIDATION.INVALID_SUBJECT_ID', (subjectId) =>
      spec.given(base).when({ ...open(), subjectId } as QueryCommand, meta(MONITOR)).thenError('VALIDATION.INVALID_SUBJECT_ID', 'validation'));
    it('given a dose, when the subject id is __proto__, then the refusal says a subject id starts with a letter or digit', () =>
      expect(() => spec.given(base).when({ ...open(), subjectId: '__proto__' } as QueryCommand, meta(MONITOR)).result()).toThrow(
        expect.objectContaining({ code: 'VALIDATION.INVALID_SUBJECT_ID', message: expect.stringContaining('starting with a letter or digit') }),
      ));
    it('given a dose, when the query text is only zero-width characters, then VALIDATION.REQUIRED (a question nobody can read)', () =>
      spec.given(base).when(open({ text: '\u200b\u200b\u200b\u2060' }), meta(MONITOR)).thenError('VALIDATION.REQUIRED', 'validation'));
    it('given a dose, when the target entry is unknown, then ENTRY.NOT_FOUND', () =>
      spec.given(base).when(open({ targetEventId: 'nope' }), meta(MONITOR)).thenError('ENTRY.NOT_FOUND', 'not-found'));
    it('given a voided dose, when it is queried, then ENTRY.VOIDED', () => {
      const voided = enrolledHistory()
        .run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR))
        .run(subjectCommand('VoidEntry', { targetEventId: doseId, reason: 'wrong subject' }), meta(COORDINATOR));
      spec.given(voided.all()).when(open(), meta(MONITOR)).thenError('ENTRY.VOIDED', 'conflict');
    });
    it.each([
      ['a bidi override', 'ok \u202e evil', 'U+202E'],
      ['a right-to-left mark', 'ok \u200f evil', 'U+200F'],
      ['an escape sequence', 'ok \u001b[2J', 'U+001B'],
      ['a lone surrogate', 'ok \ud800', 'U+D800'],
      ['a lone carriage return', 'line one\rline two', 'U+000D'],
      ['a C1 control', 'ok \u0085', 'U+0085'],
    ])('given a dose, when the query text holds %s, then VALIDATION.UNPRINTABLE_CHARACTER naming it, as every free text', (_what, text, character) =>
      expect(() => spec.given(base).when(open({ text }), meta(MONITOR)).result()).toThrow(
        expect.objectContaining({ code: 'VALIDATION.UNPRINTABLE_CHARACTER', details: expect.objectContaining({ field: 'text', character }) }),
      ));
    it('given an open query, when the site answers with a bidi override, then VALIDATION.UNPRINTABLE_CHARACTER', () =>
      spec.given([...base, opened]).when(cmd('RespondToQuery', { text: 'fine \u2066x', category: 'other' }), meta(COORDINATOR)).thenError('VALIDATION.UNPRINTABLE_CHARACTER', 'validation'));
    it('given a dose, when the query id is not server-shaped, then QUERY.INVALID_ID', () =>
      spec.given(base).when(open({ queryId: '../../etc' }), meta(MONITOR)).thenError('QUERY.INVALID_ID', 'validation'));
    it('given the study is locked, when a query is opened, then STUDY.LOCKED', () =>
      spec.given([...base, { type: 'StudyLocked', data: { studyId: STUDY_ID, reason: 'final analysis' } }]).when(open(), meta(MONITOR)).thenError('STUDY.LOCKED'));
    it('given an unknown subject, when a query is opened, then SUBJECT.NOT_FOUND', () =>
      spec.given([studyRegistered()]).when({ ...open(), subjectId: 'S999' } as QueryCommand, meta(MONITOR)).thenError('SUBJECT.NOT_FOUND', 'not-found'));
  });

  describe('RespondToQuery', () => {
    const respond = cmd('RespondToQuery', { text: 'Checked: the log is right', category: 'confirmed-correct' });
    it('given an open query, when the coordinator responds, then QueryResponded', () => spec.given([...base, opened]).when(respond, meta(COORDINATOR)).then([responded]));
    it('given an answered query, when the same answer is sent again, then nothing is recorded', () =>
      spec.given([...base, opened, responded]).when(respond, meta(INVESTIGATOR)).thenNothing());
    it('given a closed query, when the site responds, then QUERY.CLOSED', () => spec.given([...base, opened, closed]).when(respond, meta(COORDINATOR)).thenError('QUERY.CLOSED'));
    it('given an open query, when a monitor responds, then AUTH.ROLE_NOT_ALLOWED', () =>
      spec.given([...base, opened]).when(respond, meta(MONITOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
    it('given an open query, when the category is unknown, then VALIDATION.INVALID_ENUM', () =>
      spec.given([...base, opened]).when(cmd('RespondToQuery', { text: 'x', category: 'fixed' }), meta(COORDINATOR)).thenError('VALIDATION.INVALID_ENUM'));
    it('given no query, when the site responds, then QUERY.NOT_FOUND', () => spec.given(base).when(respond, meta(COORDINATOR)).thenError('QUERY.NOT_FOUND', 'not-found'));
  });

  describe('CloseQuery', () => {
    it('given an answered query, when the monitor closes it, then QueryClosed', () => spec.given([...base, opened, responded]).when(cmd('CloseQuery'), meta(MONITOR)).then([closed]));
    it('given a closed query, when closed again, then nothing is recorded', () => spec.given([...base, opened, closed]).when(cmd('CloseQuery'), meta(MONITOR)).thenNothing());
    it('given a cancelled query, when closed, then QUERY.CANCELLED', () => spec.given([...base, opened, cancelled]).when(cmd('CloseQuery'), meta(MONITOR)).thenError('QUERY.CANCELLED'));
    it('given a query closed with a note, when closed again with the same note (a retry), then nothing is recorded', () =>
      spec.given([...base, opened, { type: 'QueryClosed', data: { queryId: Q, text: 'Thank you' } }]).when(cmd('CloseQuery', { text: 'Thank you' }), meta(MONITOR)).thenNothing());
    it('given a closed query, when closed again with another note, then QUERY.CLOSED (the note is not dropped unseen)', () =>
      spec.given([...base, opened, closed]).when(cmd('CloseQuery', { text: 'Also: file the source' }), meta(MONITOR)).thenError('QUERY.CLOSED', 'conflict'));
    it('given an answered query, when the investigator closes it, then AUTH.ROLE_NOT_ALLOWED', () =>
      spec.given([...base, opened, responded]).when(cmd('CloseQuery'), meta(INVESTIGATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  });

  describe('ReopenQuery', () => {
    it('given a closed query and a corrected dose date, when the monitor reopens it, then QueryReopened binds the new value', () => {
      const h = enrolledHistory().run(subjectCommand('RecordDose', dose(1, '2026-01-06')), meta(COORDINATOR));
      h.run(subjectCommand('CorrectEntry', { targetEventId: doseId, changes: { administeredOn: '2026-01-07' }, reason: 'pharmacy log' }), meta(COORDINATOR));
      spec
        .given([...h.all(), opened, responded, closed])
        .when(cmd('ReopenQuery', { text: 'The corrected date needs a source' }), meta(MONITOR))
        .then([{ type: 'QueryReopened', data: { queryId: Q, text: 'The corrected date needs a source', questionedValueHash: valueHash('2026-01-07') } }]);
    });
    it('given an open query, when reopened, then nothing is recorded', () => spec.given([...base, opened]).when(cmd('ReopenQuery'), meta(MONITOR)).thenNothing());
    it('given a reopened query, when reopened again with the same note (a retry), then nothing is recorded', () => {
      const reopened: QueryEvent = { type: 'QueryReopened', data: { queryId: Q, text: 'Source?', questionedValueHash: valueHash('2026-01-06') } };
      spec.given([...base, opened, closed, reopened]).when(cmd('ReopenQuery', { text: 'Source?' }), meta(MONITOR)).thenNothing();
    });
    it('given an open query, when reopened with a note, then QUERY.NOT_CLOSED (nothing to reopen; the note is not dropped unseen)', () =>
      spec.given([...base, opened]).when(cmd('ReopenQuery', { text: 'Please answer' }), meta(MONITOR)).thenError('QUERY.NOT_CLOSED', 'conflict'));
    it('given an answered query, when the monitor reopens it, then QueryReopened sends it back to the site', () =>
      spec
        .given([...base, opened, responded])
        .when(cmd('ReopenQuery', { text: 'The log says otherwise' }), meta(MONITOR))
        .then([{ type: 'QueryReopened', data: { queryId: Q, text: 'The log says otherwise', questionedValueHash: valueHash('2026-01-06') } }]));
    it('given a cancelled query, when reopened, then QUERY.CANCELLED', () => spec.given([...base, opened, cancelled]).when(cmd('ReopenQuery'), meta(MONITOR)).thenError('QUERY.CANCELLED'));
    it('given a closed query, when a regulator reopens it, then AUTH.ROLE_NOT_ALLOWED', () =>
      spec.given([...base, opened, closed]).when(cmd('ReopenQuery'), meta(actor('regulator'))).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  });

  describe('CancelQuery', () => {
    it('given an open query, when the monitor cancels it, then QueryCancelled', () =>
      spec.given([...base, opened]).when(cmd('CancelQuery', { text: 'raised on the wrong subject' }), meta(MONITOR)).then([cancelled]));
    it('given a cancelled query, when cancelled again, then nothing is recorded', () => spec.given([...base, opened, cancelled]).when(cmd('CancelQuery'), meta(MONITOR)).thenNothing());
    it('given a cancelled query, when cancelled again with another note, then QUERY.CANCELLED', () =>
      spec.given([...base, opened, cancelled]).when(cmd('CancelQuery', { text: 'another reason' }), meta(MONITOR)).thenError('QUERY.CANCELLED', 'conflict'));
    it('given a closed query, when cancelled, then QUERY.CLOSED', () => spec.given([...base, opened, closed]).when(cmd('CancelQuery'), meta(MONITOR)).thenError('QUERY.CLOSED'));
    it('given an open query, when the coordinator cancels it, then AUTH.ROLE_NOT_ALLOWED', () =>
      spec.given([...base, opened]).when(cmd('CancelQuery'), meta(COORDINATOR)).thenError('AUTH.ROLE_NOT_ALLOWED', 'forbidden'));
  });
});
