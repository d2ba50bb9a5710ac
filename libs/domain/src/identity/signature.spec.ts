import type { Actor } from '../shared/actor';
import type { DomainError } from '../shared/domain-error';
import type { Recorded } from '../shared/recorded';
import type { StudyState } from '../study/study.state';
import { decideSignature, signatureStatus, type SignCommand } from './signature';

const IVAN: Actor = { userId: 'u-ivan', username: 'ivan', fullName: 'Dr Ivan Investigator', role: 'investigator' };
const CORA: Actor = { userId: 'u-cora', username: 'cora', fullName: 'Cora Coordinator', role: 'coordinator' };
const NOW = '2026-04-30T14:05:00.000Z';
/** The study stream as the signature reads it: only its lock matters to a signature. */
const OPEN_STUDY: StudyState = { status: 'unregistered' };
const LOCKED_STUDY = { status: 'locked', lockReason: 'database lock', studyId: 'LANR-HGNET-01', roster: [], protocolHistory: [] } as unknown as StudyState;

let version = 0;
const recorded = (type: string, data: Record<string, unknown>, eventId = `e-${version + 1}`): Recorded => {
  version += 1;
  return { type, data, eventId, streamVersion: version, globalPosition: version, recordedAt: NOW, actor: CORA, idempotencyKey: null };
};

const sign = (overrides: Partial<SignCommand> = {}): SignCommand => ({
  studyId: 'LANR-HGNET-01', subjectId: 'S001', meaning: 'approval', scope: 'casebook',
  signer: { userId: 'u-ivan', username: 'ivan', fullName: 'Dr Ivan Investigator' },
  signedThroughVersion: 2, signedEventHash: 'h2', signedHash: 'bound', ...overrides,
});
const codeOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    return (error as DomainError).code;
  }
  return 'NOT REFUSED';
};

describe('decideSignature', () => {
  let casebook: Recorded[];
  beforeEach(() => {
    version = 0;
    casebook = [recorded('SubjectScreened', { subjectId: 'S001' }), recorded('DoseAdministered', { cycle: 1 })];
  });

  it('given a casebook, when the investigator signs it, then CasebookSigned binds name, time, meaning and hash', () => {
    expect(decideSignature(sign(), casebook, { actor: IVAN, now: NOW }, OPEN_STUDY)).toEqual([{
      type: 'CasebookSigned',
      data: {
        studyId: 'LANR-HGNET-01', subjectId: 'S001', signerUserId: 'u-ivan', signerUsername: 'ivan', signerFullName: 'Dr Ivan Investigator',
        signedAt: NOW, meaning: 'approval', signedThroughVersion: 2, signedEventHash: 'h2', signedHash: 'bound', hashAlgorithm: 'SHA-256',
      },
    }]);
  });
  it('refuses a coordinator signing the casebook, and a signer other than the actor', () => {
    expect(codeOf(() => decideSignature(sign({ signer: { userId: 'u-cora', username: 'cora', fullName: 'Cora' } }), casebook, { actor: CORA, now: NOW }, OPEN_STUDY))).toBe('AUTH.ROLE_NOT_ALLOWED');
    expect(codeOf(() => decideSignature(sign({ signer: { userId: 'u-x', username: 'x', fullName: 'X' } }), casebook, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.SIGNER_MISMATCH');
  });
  it('refuses content that moved since it was presented, an empty casebook and an unknown meaning', () => {
    expect(codeOf(() => decideSignature(sign({ signedThroughVersion: 1 }), casebook, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.CONTENT_CHANGED');
    expect(codeOf(() => decideSignature(sign(), [], { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SUBJECT.NOT_FOUND');
    expect(codeOf(() => decideSignature(sign({ meaning: 'agreement' as 'approval' }), casebook, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.MEANING_INVALID');
  });
  it('refuses a signature, of the casebook or of one record, while the study is locked', () => {
    expect(codeOf(() => decideSignature(sign(), casebook, { actor: IVAN, now: NOW }, LOCKED_STUDY))).toBe('STUDY.LOCKED');
    expect(codeOf(() => decideSignature(sign({ scope: { eventId: 'e-2' } }), casebook, { actor: IVAN, now: NOW }, LOCKED_STUDY))).toBe('STUDY.LOCKED');
  });
  it('lets a monitor sign a record as reviewed only, and signs authorship only of entries the signer recorded', () => {
    const MONA: Actor = { userId: 'u-mona', username: 'mona', fullName: 'Mona Monitor', role: 'monitor' };
    const asMona = { signer: { userId: 'u-mona', username: 'mona', fullName: 'Mona Monitor' }, scope: { eventId: 'e-2' } };
    expect(decideSignature(sign({ ...asMona, meaning: 'review' }), casebook, { actor: MONA, now: NOW }, OPEN_STUDY)[0]).toMatchObject({ type: 'RecordSigned' });
    for (const meaning of ['approval', 'authorship', 'responsibility'] as const) {
      expect(codeOf(() => decideSignature(sign({ ...asMona, meaning }), casebook, { actor: MONA, now: NOW }, OPEN_STUDY))).toBe('AUTH.ROLE_NOT_ALLOWED');
    }
    // Every entry of this casebook was recorded by Cora.
    expect(codeOf(() => decideSignature(sign({ meaning: 'authorship', scope: { eventId: 'e-2' } }), casebook, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.NOT_AUTHOR');
    expect(codeOf(() => decideSignature(sign({ meaning: 'authorship' }), casebook, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.NOT_AUTHOR');
    const asCora = { signer: { userId: 'u-cora', username: 'cora', fullName: 'Cora' }, meaning: 'authorship' as const, scope: { eventId: 'e-2' } };
    expect(decideSignature(sign(asCora), casebook, { actor: CORA, now: NOW }, OPEN_STUDY)[0]).toMatchObject({ type: 'RecordSigned', data: { meaning: 'authorship' } });
  });
  it('refuses a monitor\'s review of a record they recorded themselves (a coordinator whose role became monitor): SIGNATURE.OWN_ENTRY', () => {
    const formerCoordinator: Actor = { ...CORA, role: 'monitor' };
    const own = { signer: { userId: 'u-cora', username: 'cora', fullName: 'Cora' }, meaning: 'review' as const, scope: { eventId: 'e-2' } };
    expect(codeOf(() => decideSignature(sign(own), casebook, { actor: formerCoordinator, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.OWN_ENTRY');
  });
  it('signs one record; refuses an unknown, a voided or a non-record target', () => {
    const record = decideSignature(sign({ scope: { eventId: 'e-2' }, signer: { userId: 'u-cora', username: 'cora', fullName: 'Cora' } }), casebook, { actor: CORA, now: NOW }, OPEN_STUDY);
    expect(record[0]).toMatchObject({ type: 'RecordSigned', data: { targetEventId: 'e-2', targetType: 'DoseAdministered' } });
    expect(codeOf(() => decideSignature(sign({ scope: { eventId: 'nope' } }), casebook, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.TARGET_NOT_FOUND');
    const voided = [...casebook, recorded('EntryVoided', { targetEventId: 'e-2', targetType: 'DoseAdministered', reason: 'wrong subject' })];
    expect(codeOf(() => decideSignature(sign({ scope: { eventId: 'e-2' }, signedThroughVersion: 3 }), voided, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.TARGET_VOIDED');
    expect(codeOf(() => decideSignature(sign({ scope: { eventId: 'e-3' }, signedThroughVersion: 3 }), voided, { actor: IVAN, now: NOW }, OPEN_STUDY))).toBe('SIGNATURE.TARGET_NOT_SIGNABLE');
  });
});

describe('signatureStatus', () => {
  beforeEach(() => {
    version = 0;
  });
  const manifestation = (through: number, extra: Record<string, unknown> = {}) => ({
    studyId: 'LANR-HGNET-01', subjectId: 'S001', signerUserId: 'u-ivan', signerUsername: 'ivan', signerFullName: 'Dr Ivan Investigator',
    signedAt: NOW, meaning: 'approval', signedThroughVersion: through, signedEventHash: 'h', signedHash: 'b', hashAlgorithm: 'SHA-256', ...extra,
  });

  it('a casebook signature stays valid when new facts are added after it', () => {
    const events = [recorded('SubjectScreened', {}), recorded('CasebookSigned', manifestation(1)), recorded('DoseAdministered', { cycle: 1 })];
    expect(signatureStatus(events)).toEqual([expect.objectContaining({ status: 'valid', supersededBy: [], scope: 'casebook', signatureEventId: 'e-2' })]);
  });
  it('a later correction of a covered entry supersedes the casebook signature', () => {
    const events = [
      recorded('SubjectScreened', {}),
      recorded('CasebookSigned', manifestation(1)),
      recorded('EntryCorrected', { targetEventId: 'e-1', targetType: 'SubjectScreened', before: {}, after: {}, reason: 'typo' }),
    ];
    expect(signatureStatus(events)[0]).toMatchObject({ status: 'superseded', supersededBy: ['e-3'] });
  });
  it('a correction recorded before the signature was part of what was signed', () => {
    const events = [
      recorded('SubjectScreened', {}),
      recorded('EntryCorrected', { targetEventId: 'e-1', targetType: 'SubjectScreened', before: {}, after: {}, reason: 'typo' }),
      recorded('CasebookSigned', manifestation(2)),
    ];
    expect(signatureStatus(events)[0].status).toBe('valid');
  });
  it('a record signature is superseded only by a change to its own record', () => {
    const events = [
      recorded('DoseAdministered', { cycle: 1 }),
      recorded('DoseAdministered', { cycle: 2 }),
      recorded('RecordSigned', manifestation(2, { targetEventId: 'e-1', targetType: 'DoseAdministered' })),
      recorded('EntryVoided', { targetEventId: 'e-2', targetType: 'DoseAdministered', reason: 'entered in error' }),
    ];
    expect(signatureStatus(events)[0]).toMatchObject({ status: 'valid', scope: { eventId: 'e-1' } });
    const voidedOwn = [...events, recorded('EntryVoided', { targetEventId: 'e-1', targetType: 'DoseAdministered', reason: 'entered in error' })];
    expect(signatureStatus(voidedOwn)[0]).toMatchObject({ status: 'superseded', supersededBy: ['e-5'] });
  });
  it('a record signature of cycle 1\'s dose is superseded by a later correction of the enrollment date its window is reckoned from', () => {
    const events = [
      recorded('SubjectEnrolled', { subjectNumber: 1, enrollmentDate: '2026-03-02' }),
      recorded('DoseAdministered', { cycle: 1, administeredOn: '2026-03-03' }),
      recorded('RecordSigned', manifestation(2, { targetEventId: 'e-2', targetType: 'DoseAdministered' })),
      recorded('EntryCorrected', { targetEventId: 'e-1', targetType: 'SubjectEnrolled', before: { enrollmentDate: '2026-03-02' }, after: { enrollmentDate: '2026-02-27' }, reason: 'date transposed' }),
    ];
    expect(signatureStatus(events)[0]).toMatchObject({ status: 'superseded', supersededBy: ['e-4'] });
  });
});
