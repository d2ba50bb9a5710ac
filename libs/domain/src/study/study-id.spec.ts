import { DomainError } from '../shared/domain-error';
import { refuseConfusableStudyId } from './study-id';

const codeOf = (run: () => void): string | null => {
  try {
    run();
    return null;
  } catch (error) {
    return error instanceof DomainError ? `${error.code} ${error.kind}` : String(error);
  }
};

describe('refuseConfusableStudyId', () => {
  it('given LAN-01 registered, when lan-01 is registered, then STUDY.ID_CONFUSABLE (conflict) naming the registered id', () => {
    expect(codeOf(() => refuseConfusableStudyId('lan-01', ['LAN-01']))).toBe('STUDY.ID_CONFUSABLE conflict');
    try {
      refuseConfusableStudyId('Lan-01', ['OTHER', 'LAN-01']);
    } catch (error) {
      expect((error as DomainError).details).toEqual({ studyId: 'Lan-01', registeredStudyId: 'LAN-01' });
    }
  });

  it('given other ids registered, when an id no registered one equals ignoring case, then nothing is refused', () => {
    expect(codeOf(() => refuseConfusableStudyId('LAN-02', ['LAN-01', 'lan-1', 'LAN_01']))).toBeNull();
    expect(codeOf(() => refuseConfusableStudyId('LAN-01', []))).toBeNull();
  });

  it('leaves the same id to the study stream (STUDY.ALREADY_REGISTERED), not this rule', () => {
    expect(codeOf(() => refuseConfusableStudyId('LAN-01', ['LAN-01']))).toBeNull();
  });
});
