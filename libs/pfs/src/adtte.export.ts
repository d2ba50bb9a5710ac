import { stringify } from 'csv-stringify/sync';
import { spreadsheetSafe, type ProtocolDocument } from '@trial-ledger/domain';
import { EVNTDESC, CNSDTDSC, missedAssessmentGapDays } from './derive-subject-pfs';
import { PfsCnsr } from './pfs.types';
import type { StudyPfs } from './analyse-pfs';

/** ADaM ADTTE (BDS time-to-event), one row per subject for PARAMCD = PFS. */
export interface AdtteRow {
  readonly STUDYID: string;
  readonly USUBJID: string;
  readonly SUBJID: string;
  readonly PARAMCD: 'PFS';
  readonly PARAM: string;
  readonly STARTDT: string;
  readonly ADT: string;
  readonly AVAL: number;
  readonly AVALU: 'DAYS';
  readonly CNSR: number;
  readonly EVNTDESC: string;
  readonly CNSDTDSC: string;
  readonly SRCDOM: string;
  readonly SRCVAR: string;
  readonly SRCSEQ: number;
  readonly SRCEVID: string;
}

export const ADTTE_PARAM = 'Progression-Free Survival (days)';

/** USUBJID is unique across studies (CDISC): the study id and the subject id. */
export const usubjid = (studyId: string, subjectId: string): string => `${studyId}-${subjectId}`;

export const toAdtteRows = (pfs: StudyPfs): AdtteRow[] =>
  pfs.subjects.map((s) => ({
    STUDYID: s.studyId,
    USUBJID: usubjid(s.studyId, s.subjectId),
    SUBJID: s.subjectId,
    PARAMCD: 'PFS',
    PARAM: ADTTE_PARAM,
    STARTDT: s.startDate,
    ADT: s.adt,
    AVAL: s.aval,
    AVALU: 'DAYS',
    CNSR: s.cnsr,
    EVNTDESC: s.evntdesc,
    CNSDTDSC: s.cnsdtdsc ?? '',
    SRCDOM: s.source.domain,
    SRCVAR: s.source.variable,
    SRCSEQ: s.source.sequence,
    SRCEVID: s.source.eventId,
  }));

interface ColumnDefinition {
  readonly name: keyof AdtteRow;
  readonly label: string;
  readonly type: 'text' | 'integer' | 'date';
  readonly description: string;
}

/** The ADTTE columns in file order, with labels (≤ 40 characters, as SAS transport would need). */
export const ADTTE_COLUMNS: readonly ColumnDefinition[] = [
  { name: 'STUDYID', label: 'Study Identifier', type: 'text', description: 'The protocol\'s study id.' },
  { name: 'USUBJID', label: 'Unique Subject Identifier', type: 'text', description: 'STUDYID-SUBJID.' },
  { name: 'SUBJID', label: 'Subject Identifier for the Study', type: 'text', description: 'The subject id in the ledger.' },
  { name: 'PARAMCD', label: 'Parameter Code', type: 'text', description: 'Always PFS.' },
  { name: 'PARAM', label: 'Parameter', type: 'text', description: ADTTE_PARAM },
  { name: 'STARTDT', label: 'Time-to-Event Origin Date', type: 'date', description: 'The enrollment date (ISO 8601), corrected values used.' },
  { name: 'ADT', label: 'Analysis Date', type: 'date', description: 'Date of the event or of censoring (ISO 8601).' },
  { name: 'AVAL', label: 'Analysis Value', type: 'integer', description: 'ADT − STARTDT + 1, in days.' },
  { name: 'AVALU', label: 'Analysis Value Unit', type: 'text', description: 'DAYS.' },
  { name: 'CNSR', label: 'Censor', type: 'integer', description: '0 = event; a positive code = censored, see the censoring codes.' },
  { name: 'EVNTDESC', label: 'Event or Censoring Description', type: 'text', description: 'What happened at ADT.' },
  { name: 'CNSDTDSC', label: 'Censor Date Description', type: 'text', description: 'What ADT is for a censored subject; empty for an event.' },
  { name: 'SRCDOM', label: 'Source Data', type: 'text', description: 'RS = tumour response (RECIST 1.1 assessment), CE = clinical event (clinical progression), DS = disposition (enrollment, death).' },
  { name: 'SRCVAR', label: 'Source Variable', type: 'text', description: 'The date variable of the source record: RSDTC, CESTDTC or DSSTDTC.' },
  { name: 'SRCSEQ', label: 'Source Sequence Number', type: 'integer', description: 'The source event\'s version in the subject\'s ledger stream.' },
  { name: 'SRCEVID', label: 'Source Ledger Event Id', type: 'text', description: 'UUID of the ledger event ADT was taken from (audit trail traceability).' },
];

/**
 * The censoring codes (CNSR), with the rule of SPEC §3 each implements and the date it censors at, in
 * the thresholds of the protocol the rows were derived under (an amended assessment schedule or horizon
 * moves them; the dictionary must say what the data were derived with).
 */
export const censoringCodes = (protocol: ProtocolDocument) => {
  const { missedAssessmentsForCensoring: missed, horizonDays } = protocol.endpoint;
  const { intervalDays, windowDays } = protocol.assessments;
  const gapDays = missedAssessmentGapDays(protocol);
  const formula = `${missed} × ${intervalDays} + ${windowDays}`;
  return [
    { cnsr: PfsCnsr.event, evntdesc: [EVNTDESC.progression, EVNTDESC.clinicalProgression, EVNTDESC.death], rule: `Rule 2: the earliest of RECIST PD, clinical progression or death, within ${gapDays} days (${formula}) of the last adequate assessment.`, adt: 'Date of the event.' },
    { cnsr: PfsCnsr.noBaseline, evntdesc: [EVNTDESC.noBaseline], rule: 'Rule 0: no baseline tumour assessment.', adt: CNSDTDSC.startDate },
    { cnsr: PfsCnsr.newAnticancerTherapy, evntdesc: [EVNTDESC.newAnticancerTherapy], rule: 'Rule 1: new anticancer therapy started before progression or death.', adt: `${CNSDTDSC.lastAdequateBeforeTherapy}; the start date if none.` },
    { cnsr: PfsCnsr.eventAfterMissedAssessments, evntdesc: [EVNTDESC.eventAfterMissedAssessments], rule: `Rule 2: progression or death more than ${gapDays} days (${formula}; ${missed} or more missed assessments) after the last adequate assessment.`, adt: `${CNSDTDSC.lastAdequateBeforeEvent}; the start date if none.` },
    { cnsr: PfsCnsr.noProgression, evntdesc: [EVNTDESC.noProgression], rule: `Rule 3: alive without documented progression at the horizon (study day ${horizonDays}) or cutoff.`, adt: `${CNSDTDSC.lastAdequate}; the start date if none.` },
    { cnsr: PfsCnsr.withdrawn, evntdesc: [EVNTDESC.withdrawn], rule: 'Rule 3: withdrawn or lost to follow-up without documented progression.', adt: `${CNSDTDSC.lastAdequate}; the start date if none.` },
  ] as const;
};

/** ADTTE as CSV (RFC 4180, header row, ISO 8601 dates; text cells that would start a formula neutralised). */
export const adtteCsv = (pfs: StudyPfs): string =>
  stringify(toAdtteRows(pfs) as unknown as Record<string, unknown>[], { header: true, columns: ADTTE_COLUMNS.map((c) => c.name), cast: { string: spreadsheetSafe } });

/** The data dictionary written beside the CSV (`FILE.define.md`): columns, censoring codes and provenance. */
export const adtteDefineMarkdown = (pfs: StudyPfs, fileName: string): string => {
  const p = pfs.protocol;
  const lines = [
    `# ADTTE data dictionary — ${fileName}`,
    '',
    `Study ${pfs.studyId}, protocol version ${p.version}. Analysis dataset ADTTE (ADaM BDS time-to-event), PARAMCD = PFS, one row per subject enrolled${pfs.cutoff ? ` on or before the data cutoff ${pfs.cutoff}` : ''} (intention to treat).`,
    '',
    `- Analysis horizon: ${p.endpoint.horizonDays} days (study day = date − STARTDT + 1); data cutoff: ${pfs.cutoff ?? 'none'}.`,
    `- Ledger state: position ${pfs.asOf.position}${pfs.asOf.asKnownAt ? `, as known at ${pfs.asOf.asKnownAt}` : ''}.`,
    `- Missed-assessment threshold: ${p.endpoint.missedAssessmentsForCensoring} × ${p.assessments.intervalDays} + ${p.assessments.windowDays} days.`,
    '- An adequate assessment is a post-baseline RECIST 1.1 assessment whose overall response is not NE; responses are re-derived from the corrected measurements, voided entries are ignored.',
    '',
    '## Columns',
    '',
    '| Variable | Label | Type | Description |',
    '|---|---|---|---|',
    ...ADTTE_COLUMNS.map((c) => `| ${c.name} | ${c.label} | ${c.type} | ${c.description} |`),
    '',
    '## Censoring codes (CNSR)',
    '',
    '| CNSR | EVNTDESC | Rule (SPEC §3, FDA 2018 guidance) | ADT |',
    '|---|---|---|---|',
    ...censoringCodes(p).map((c) => `| ${c.cnsr} | ${c.evntdesc.join('; ')} | ${c.rule} | ${c.adt} |`),
    '',
  ];
  return lines.join('\n');
};
