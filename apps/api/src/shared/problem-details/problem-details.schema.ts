import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** OpenAPI schema of every error body (RFC 9457 problem details with a stable `code`). */
export class ProblemDetailsSchema {
  @ApiProperty({ example: 'https://trial-ledger.dev/problems/subject-not-enrolled' })
  type!: string;
  @ApiProperty({ example: 'Subject not enrolled' })
  title!: string;
  @ApiProperty({ example: 409 })
  status!: number;
  @ApiProperty({ example: 'Subject S001 is not enrolled' })
  detail!: string;
  @ApiProperty({ example: 'SUBJECT.NOT_ENROLLED', description: 'Stable dotted identifier clients may rely on.' })
  code!: string;
  @ApiProperty({ example: '/api/v1/studies/LANR-HGNET-01/subjects/S001/doses' })
  instance!: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'VALIDATION.FAILED: one entry per failed rule — { pointer, field, constraint, detail }.' })
  errors?: unknown[];
}
