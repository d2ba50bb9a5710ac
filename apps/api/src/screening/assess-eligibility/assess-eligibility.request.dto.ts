import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, Flag, IntegerIn, NumberIn, OneOf, Text } from '../../shared/validation/field.decorators';
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

  @IntegerIn(0, 130, 'Age in completed years at assessment (eligibility: ≥ 18).', 64)
  age!: number;

  @Text('Primary tumour site; hindgut sites: distal-transverse-colon, descending-colon, sigmoid-colon, rectum.', 100, 'rectum')
  primarySite!: string;

  @IntegerIn(1, 3, 'WHO grade of the neuroendocrine neoplasm (eligible: 1 or 2).', 2)
  whoGrade!: number;

  @NumberIn(0, 100, 'Ki-67 proliferation index, % (grade 1: < 3, grade 2: 3–20).', 7.5)
  ki67Percent!: number;

  @OneOf(DISEASE_STATUSES, 'Disease status (eligible: metastatic or recurrent).')
  diseaseStatus!: DiseaseStatus;

  @Flag('At least one measurable lesion per RECIST 1.1.')
  measurableDisease!: boolean;

  @Flag('Any prior systemic anticancer therapy (excludes).')
  priorSystemicTherapy!: boolean;

  @IntegerIn(0, 4, 'ECOG performance status (eligible: 0–2).', 1)
  ecog!: number;
}
