import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, Flag, OneOf, PayloadNumber, PayloadText } from '../../shared/validation/field.decorators';
import type { DiseaseStatus } from '@trial-ledger/domain';

const DISEASE_STATUSES: readonly DiseaseStatus[] = ['metastatic', 'recurrent', 'locally-advanced'];

/**
 * `AssessEligibility` (SPEC §1 criteria). Only the *shape* is checked here; whether the values make the
 * subject eligible (hindgut site, Ki-67 ≤ 20 %, ECOG ≤ 2, …) is the domain's decision, and a failing
 * value is recorded as `SubjectScreenFailed` naming each failed criterion — not refused as bad input.
 */
export class AssessEligibilityRequestDto extends CommandRequestDto {
  @ClinicalDate('Date of the eligibility assessment; informed consent must be on or before it.')
  assessmentDate!: string;

  @PayloadNumber('age', 'Age in completed years at assessment (eligibility: ≥ 18).', 64)
  age!: number;

  @PayloadText('primarySite', 'Primary tumour site; the eligible sites are the registered protocol\'s (the seed protocol\'s hindgut sites: distal-transverse-colon, descending-colon, sigmoid-colon, rectum).', 'rectum')
  primarySite!: string;

  @PayloadNumber('whoGrade', 'WHO grade of the neuroendocrine neoplasm (eligible: 1 or 2).', 2)
  whoGrade!: number;

  @PayloadNumber('ki67Percent', 'Ki-67 proliferation index, % (grade 1: < 3, grade 2: 3–20).', 7.5)
  ki67Percent!: number;

  @OneOf(DISEASE_STATUSES, 'Disease status (eligible: metastatic or recurrent).')
  diseaseStatus!: DiseaseStatus;

  @Flag('At least one measurable lesion per RECIST 1.1.')
  measurableDisease!: boolean;

  @Flag('Any prior systemic anticancer therapy (excludes).')
  priorSystemicTherapy!: boolean;

  @PayloadNumber('ecog', 'ECOG performance status (eligible: 0–2).', 1)
  ecog!: number;
}
