import { clinicalReadModels, foldProjection, testing, type ClinicalState } from '@trial-ledger/projections';
import { studyPageModel, subjectPageModel } from '../viewer-pages.presenter';
import { ViewerRenderer } from '../viewer.renderer';

/** What every page's layout takes, as a monitor signed in on the viewer's home reads it (for page specs). */
const layoutOf = (studyId: string, title: string, position: number) => ({
  title,
  actor: testing.MONITOR,
  studyId,
  asKnownAt: null,
  position,
  asKnownAtInput: '',
  asOfQuery: '',
  currentUrl: '/viewer',
  asOfForm: { action: '/viewer', keep: [] },
  csrfToken: 'x',
});

const documentsOf = (ledger: testing.LedgerScenario): ClinicalState => foldProjection(clinicalReadModels, ledger.projected()) as ClinicalState;

/** The study dashboard of a scenario's ledger, at its head, with the verification block given. */
export const renderStudyDashboard = (ledger: testing.LedgerScenario, studyId: string, verification: unknown = null): string => {
  const position = ledger.events.length;
  const model = studyPageModel({ documents: documentsOf(ledger), position, asKnownAt: null }, studyId);
  return new ViewerRenderer().render('study', {
    ...layoutOf(studyId, `Study ${studyId}`, position),
    verification,
    verificationPending: false,
    verificationNote: '',
    ...model,
  });
};

/** A subject's casebook page of a scenario's ledger, at its head. */
export const renderSubjectPage = (ledger: testing.LedgerScenario, studyId: string, subjectId: string): string => {
  const position = ledger.events.length;
  const model = subjectPageModel({ documents: documentsOf(ledger), position, asKnownAt: null }, studyId, subjectId);
  return new ViewerRenderer().render('subject', { ...layoutOf(studyId, `Casebook of subject ${subjectId}`, position), ...model });
};
