import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsNumber, IsString, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { TARGET_LESION_BOUNDS, type Modality, type NonTargetStatus } from '@trial-ledger/domain';
import { CommandRequestDto } from '../../shared/commands/command-request.dto';
import { ClinicalDate, Flag, OneOf } from '../../shared/validation/field.decorators';

const MODALITIES: readonly Modality[] = ['CT', 'MRI'];
const NON_TARGET_STATUSES: readonly NonTargetStatus[] = ['absent', 'present', 'unequivocal-progression', 'not-evaluated'];

/** One RECIST 1.1 target lesion: longest diameter, or short axis for a lymph node. */
export class TargetLesionDto {
  // Lengths and the diameter range are the domain's (`TARGET_LESION_BOUNDS`), enforced by RECIST validation.
  @ApiProperty({ type: String, maxLength: TARGET_LESION_BOUNDS.lesionIdMaxLength, description: 'Stable lesion identifier, the same at every assessment.', example: 'T1' })
  @IsString()
  @Matches(/\S/, { message: '$property must not be empty' })
  lesionId!: string;

  @ApiProperty({ type: String, maxLength: TARGET_LESION_BOUNDS.organMaxLength, description: 'Organ of the lesion (at most 2 target lesions per organ).', example: 'liver' })
  @IsString()
  @Matches(/\S/, { message: '$property must not be empty' })
  organ!: string;

  @ApiProperty({
    type: Number, nullable: true, minimum: TARGET_LESION_BOUNDS.diameterMm.min, maximum: TARGET_LESION_BOUNDS.diameterMm.max,
    description: 'Diameter in mm (short axis if nodal); null = not measured (→ NE).', example: 23,
  })
  @ValidateIf((lesion: TargetLesionDto) => lesion.diameterMm !== null)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  diameterMm!: number | null;

  @Flag('A lymph node (measured on its short axis; normal when < 10 mm).')
  nodal!: boolean;
}

/**
 * `RecordTumorAssessment`. The RECIST 1.1 response is derived by the domain, never sent by the client.
 * The RECIST counts (1–5 targets, ≤ 2 per organ, same lesions as at baseline) are domain rules; the
 * bound here only keeps a request reasonable.
 */
export class RecordTumorAssessmentRequestDto extends CommandRequestDto {
  @ClinicalDate('Date of the scan.')
  assessmentDate!: string;

  @OneOf(MODALITIES, "Imaging modality (CT or MRI, the same throughout, per RECIST 1.1); one the protocol's assessments.modalities does not list is recorded with a modality-not-in-protocol deviation.")
  modality!: Modality;

  @Flag('The baseline assessment (within the protocol\'s baseline window before enrollment; the seed protocol: 28 days).')
  baseline!: boolean;

  @ApiProperty({ type: [TargetLesionDto] })
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => TargetLesionDto)
  targetLesions!: TargetLesionDto[];

  @OneOf(NON_TARGET_STATUSES, 'Status of the non-target lesions.')
  nonTargetStatus!: NonTargetStatus;

  @Flag('Any new lesion (overall PD).')
  newLesions!: boolean;
}
