import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { OptionalField } from '../http/validation';

/** A signature made elsewhere, sent back: exactly one of the two. */
export class SignatureReturnDto {
  @ApiPropertyOptional({ description: 'CMS SignedData (detached, ETSI.CAdES.detached), DER in base64, over the digest given by GET' })
  @OptionalField()
  @IsString()
  @MinLength(4)
  @MaxLength(40000)
  cms?: string;

  @ApiPropertyOptional({ description: 'A raw signature (RSA PKCS#1 v1.5 or ECDSA, SHA-256) over the DER of `signedAttributes`, base64; the server assembles the CMS with the registered certificate' })
  @OptionalField()
  @IsString()
  @MinLength(4)
  @MaxLength(2000)
  signature?: string;
}

export class CertificateUploadDto {
  @ApiPropertyOptional({ description: 'PKCS#12 file (.p12/.pfx), base64: the server signs with it' })
  @OptionalField()
  @IsString()
  @MaxLength(50000)
  pkcs12?: string;

  @ApiPropertyOptional({ description: "The PKCS#12 file's passphrase: stored encrypted, never returned, never logged" })
  @OptionalField()
  @IsString()
  @MaxLength(256)
  passphrase?: string;

  @ApiPropertyOptional({ description: 'A person who signs elsewhere (USB token, remote signing): the certificate alone, PEM or DER in base64' })
  @OptionalField()
  @IsString()
  @MaxLength(30000)
  certificate?: string;
}

export class ImageUploadDto {
  @ApiProperty({ description: 'PNG with transparency, base64 (64 KB at most, 16–2000 pixels a side)' })
  @IsString()
  @MaxLength(90000)
  png!: string;
}

export class SealUploadDto extends ImageUploadDto {
  @ApiProperty({ description: "The seal's real diameter in millimetres (20–60)" })
  @IsInt()
  @Min(20)
  @Max(60)
  diameterMm!: number;
}

export class CredentialsQueryDto {
  @ApiProperty()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(2147483647)
  unitId!: number;
}
