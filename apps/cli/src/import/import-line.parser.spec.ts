import { parseImportLine } from './import-line.parser';

const line = (command: string): string =>
  JSON.stringify({ command, studyId: 'LANR-HGNET-01', subjectId: 'S001', idempotencyKey: 'k1', payload: {} });

describe('an import line naming a command', () => {
  it('given a misspelt command, then the refusal names the likeliest meant one and every command a line takes', () => {
    let thrown: unknown;
    try {
      parseImportLine(line('ScreenSubjekt'));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ code: 'IMPORT.UNKNOWN_COMMAND' });
    const message = (thrown as Error).message;
    expect(message).toContain('"ScreenSubjekt" (did you mean ScreenSubject?)');
    expect(message).toContain('RecordTumorAssessment');
    expect(message).toContain('VoidEntry');
  });

  it('given a name like no command, then no guess is offered, only the list', () => {
    expect(() => parseImportLine(line('Frobnicate'))).toThrow(/^Unknown command "Frobnicate"; an import line takes one of: ScreenSubject, /);
  });
});
