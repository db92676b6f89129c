import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength, MinLength } from 'class-validator';

/** Passwords: at least 12 characters (NIST 800-63B favours length over composition rules); at most 256. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

export class LoginDto {
  @ApiProperty({ example: 'staff.21172@quang-ngai-2025' })
  @IsString()
  @Length(1, 120)
  login!: string;

  @ApiProperty({ example: 'iso-cycle-demo' })
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty()
  @IsString()
  @Length(1, PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword!: string;
}

export class ResetPasswordDto {
  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH)
  @MaxLength(PASSWORD_MAX_LENGTH)
  newPassword!: string;
}

export class RoleHoldingView {
  @ApiProperty() role!: string;
  @ApiProperty() unitId!: number;
  @ApiProperty() unitCode!: string;
  @ApiProperty() unitName!: string;
  @ApiProperty() dataSetId!: string;
}

export class MeView {
  @ApiProperty() id!: number;
  @ApiProperty() login!: string;
  @ApiProperty() fullName!: string;
  @ApiProperty({ type: [RoleHoldingView] }) roles!: RoleHoldingView[];
  @ApiProperty({ description: 'Send it back in the X-CSRF-Token header with every POST, PUT, PATCH and DELETE.' }) csrfToken!: string;
}

export class LoginView extends MeView {
  @ApiProperty() sessionExpiresAt!: string;
}
