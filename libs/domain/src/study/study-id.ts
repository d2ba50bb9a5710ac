import { refuse } from '../shared/domain-error';

/**
 * The form two study ids are compared in: study ids are ASCII (`STUDY_ID_RULE`), so equal ignoring case
 * is equal as a reader takes them — `LAN-01` and `lan-01` would be one study in a report, an export or
 * the viewer.
 */
export const studyIdKey = (studyId: string): string => studyId.toLowerCase();

/**
 * Refuses registering `studyId` beside a registered study whose id differs from it only in case
 * (`STUDY.ID_CONFUSABLE`). The same id is the study stream's own refusal (`STUDY.ALREADY_REGISTERED`).
 */
export const refuseConfusableStudyId = (studyId: string, registeredStudyIds: readonly string[]): void => {
  const key = studyIdKey(studyId);
  const registered = registeredStudyIds.find((id) => id !== studyId && studyIdKey(id) === key);
  if (registered !== undefined) {
    refuse('STUDY.ID_CONFUSABLE', `Study ${studyId} cannot be registered: study ${registered} is registered, and ids that differ only in case name one study to a reader`, {
      studyId,
      registeredStudyId: registered,
    });
  }
};
