import { ApiProperty } from '@nestjs/swagger';
import { SIGNATURE_MEANINGS, type SignatureMeaning } from '@trial-ledger/domain';
import type { SignatureScope } from '@trial-ledger/identity';
import { IsIn, IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';

const isScope = (value: unknown): boolean => {
  if (value === 'casebook') return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const eventId = (value as { eventId?: unknown }).eventId;
  return keys.length === 1 && typeof eventId === 'string' && eventId.length > 0 && eventId.length <= 64;
};

/**
 * An electronic signature request (Part 11 §11.200(a)): the signer re-enters username and password
 * in this very request, every time, and names what the signature means.
 */
export class SignRecordRequestDto {
  @ApiProperty({ example: 'ivan', description: "The signer's username: must be the logged-in user." })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  username!: string;

  @ApiProperty({ format: 'password', description: 'Re-entered at the moment of signing.' })
  @IsString()
  @MinLength(1)
  @MaxLength(1024)
  password!: string;

  @ApiProperty({ enum: [...SIGNATURE_MEANINGS] })
  @IsIn([...SIGNATURE_MEANINGS], { message: `$property must be one of: ${SIGNATURE_MEANINGS.join(', ')}` })
  meaning!: SignatureMeaning;

  @ApiProperty({
    oneOf: [{ type: 'string', enum: ['casebook'] }, { type: 'object', properties: { eventId: { type: 'string' } }, required: ['eventId'] }],
    description: '"casebook" (SignCasebook, investigator) or { "eventId": … } for one record (SignRecord).',
  })
  @ValidateBy({ name: 'isSignatureScope', validator: { validate: isScope, defaultMessage: () => '$property must be "casebook" or { "eventId": "<event id>" }' } })
  scope!: SignatureScope;
}
