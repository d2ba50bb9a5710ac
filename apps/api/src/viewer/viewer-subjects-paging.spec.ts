import { DomainError } from '@trial-ledger/domain';
import { MAX_SUBJECTS_PAGE_SIZE, parsePaging, SUBJECTS_PAGE_SIZE } from './viewer-pages.presenter';

describe('parsePaging (the viewer subjects table)', () => {
  it('given no page and no pageSize (or empty ones), then page 1 of 100 subjects', () => {
    expect(SUBJECTS_PAGE_SIZE).toBe(100);
    expect(parsePaging(undefined, undefined)).toEqual({ page: 1, pageSize: 100 });
    expect(parsePaging('', '')).toEqual({ page: 1, pageSize: 100 });
  });

  it('given whole numbers in range, then those', () => {
    expect(parsePaging('7', String(MAX_SUBJECTS_PAGE_SIZE))).toEqual({ page: 7, pageSize: MAX_SUBJECTS_PAGE_SIZE });
  });

  it.each([['0', '1'], ['1', '0'], ['1', String(MAX_SUBJECTS_PAGE_SIZE + 1)], [' 1', '1'], ['0x10', '1'], [['1', '2'], '1']])('given page %j and pageSize %j, then VIEWER.INVALID_PAGE (validation)', (page, pageSize) => {
    expect(() => parsePaging(page, pageSize)).toThrow(DomainError);
    try {
      parsePaging(page, pageSize);
    } catch (error) {
      expect([(error as DomainError).code, (error as DomainError).kind]).toEqual(['VIEWER.INVALID_PAGE', 'validation']);
    }
  });
});
