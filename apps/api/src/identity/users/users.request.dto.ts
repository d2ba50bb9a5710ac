import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROLES, USERNAME_PATTERN, USERNAME_RULE, type Role } from '@trial-ledger/domain';
import { IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min } from 'class-validator';
import { PageLimit } from '../../shared/queries/event-history';
import { QueryInteger } from '../../shared/validation/field.decorators';

const PASSWORD_MAX = 1024;

export class UsernamePathParams {
  @ApiProperty({ example: 'ivan' })
  @Matches(USERNAME_PATTERN, { message: `$property must be ${USERNAME_RULE}` })
  username!: string;
}

/** Why an administrator changed someone's access (kept in the event's metadata). */
class WithReason {
  @ApiPropertyOptional({ example: 'left the site', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  reason?: string;
}

export class AddUserRequestDto extends WithReason {
  @ApiProperty({ example: 'ivan', description: 'Unique for the life of the ledger; never reused.' })
  @Matches(USERNAME_PATTERN, { message: `$property must be ${USERNAME_RULE}` })
  username!: string;

  @ApiProperty({ example: 'Dr Ivan Petrov', description: 'The printed name shown in every signature manifestation.' })
  @IsString()
  @Matches(/\S/, { message: '$property must not be empty' })
  @MaxLength(200)
  fullName!: string;

  @ApiProperty({ enum: [...ROLES] })
  @IsIn([...ROLES], { message: `$property must be one of: ${ROLES.join(', ')}` })
  role!: Role;

  @ApiProperty({ format: 'password', description: 'At least 12 characters; there is no default password.' })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

export class ReasonRequestDto extends WithReason {}

export class ChangeRoleRequestDto extends WithReason {
  @ApiProperty({ enum: [...ROLES] })
  @IsIn([...ROLES], { message: `$property must be one of: ${ROLES.join(', ')}` })
  role!: Role;
}

export class ResetPasswordRequestDto extends WithReason {
  @ApiProperty({ format: 'password', description: 'A temporary password; the user must change it at the next login.' })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  newPassword!: string;
}

/**
 * `?afterPosition=&limit=&username=`: a page of the user-management history, optionally about one
 * user. It merges two streams (identity, account-policy), so its cursor is the log position.
 */
export class UserHistoryQueryDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 0, default: 0, description: 'Return events after this log position (a page\'s nextAfterPosition).' })
  @IsOptional()
  @QueryInteger()
  @IsInt()
  @Min(0)
  afterPosition?: number;

  @PageLimit()
  limit?: number;

  @ApiPropertyOptional({ example: 'ivan', description: 'Only the events about this user (added, role changes, logins, lockouts…) or recorded by them.' })
  @IsOptional()
  @Matches(USERNAME_PATTERN, { message: `$property must be ${USERNAME_RULE}` })
  username?: string;
}
