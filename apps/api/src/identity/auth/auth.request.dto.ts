import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Bounds that keep a login request cheap to refuse; the password rules themselves are the policy's. */
const USERNAME_MAX = 64;
const PASSWORD_MAX = 1024;

export class LoginRequestDto {
  @ApiProperty({ example: 'ivan', maxLength: USERNAME_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(USERNAME_MAX)
  username!: string;

  @ApiProperty({ format: 'password', maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX)
  password!: string;
}

/** The change-password flow: authenticated by the current password, so it also works once it has expired. */
export class ChangePasswordRequestDto {
  @ApiProperty({ example: 'ivan', maxLength: USERNAME_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(USERNAME_MAX)
  username!: string;

  @ApiProperty({ format: 'password', maxLength: PASSWORD_MAX })
  @IsString()
  @MinLength(1)
  @MaxLength(PASSWORD_MAX)
  currentPassword!: string;

  @ApiProperty({ format: 'password', description: 'At least 12 characters; not one of the last 5 passwords.', maxLength: PASSWORD_MAX })
  @IsString()
  @MaxLength(PASSWORD_MAX)
  newPassword!: string;
}
