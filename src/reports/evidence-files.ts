import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ValidationFailedError } from '../shared/errors';

/** Evidence a report may carry: documents and scans, 10 MiB at most each. */
export const EVIDENCE_LIMITS = {
  maxBytes: 10 * 1024 * 1024,
  /** Media types accepted, each with the first bytes its files start with (the declared type is not trusted). */
  types: {
    'application/pdf': [Buffer.from('%PDF-')],
    'image/jpeg': [Buffer.from([0xff, 0xd8, 0xff])],
    'image/png': [Buffer.from([0x89, 0x50, 0x4e, 0x47])],
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': [Buffer.from('PK\x03\x04', 'binary')],
    'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': [Buffer.from('PK\x03\x04', 'binary')],
  } as Record<string, Buffer[]>,
};

/** An uploaded file as the multipart parser (multer) gives it. */
export interface UploadedEvidence {
  originalname: string;
  mimetype: string;
  size: number;
  buffer: Buffer;
}

/**
 * The multipart parser reads a file name's bytes as Latin-1; browsers send UTF-8. A name that is
 * UTF-8 read as Latin-1 is turned back ("BiÃªn" → "Biên"); any other name is kept as it came.
 */
export function utf8FileName(name: string): string {
  if (!/^[\u0000-\u00ff]*$/.test(name)) return name;
  const decoded = Buffer.from(name, 'latin1').toString('utf8');
  return decoded.includes('\ufffd') ? name : decoded;
}

/** Checks an upload against the limits; the problem is named for the `file` field. */
export function checkEvidence(file: UploadedEvidence | undefined): void {
  const refuse = (code: string, message: string): never => {
    throw ValidationFailedError.field('file', code, message);
  };
  if (!file) refuse('required', 'Chưa chọn tệp');
  if (file!.size === 0) refuse('empty', 'Tệp rỗng');
  if (file!.size > EVIDENCE_LIMITS.maxBytes) refuse('too-large', `Tệp quá ${EVIDENCE_LIMITS.maxBytes / 1024 / 1024} MB`);
  const signatures = EVIDENCE_LIMITS.types[file!.mimetype];
  if (!signatures) refuse('type', 'Chỉ nhận tệp PDF, JPEG, PNG, DOCX hoặc XLSX');
  if (!signatures!.some((signature) => file!.buffer.subarray(0, signature.length).equals(signature))) refuse('type', `Nội dung tệp không phải ${file!.mimetype}`);
  if (file!.originalname.length > 255) refuse('name', 'Tên tệp quá 255 ký tự');
}

/** Evidence files on disk under the runtime folder, content-addressed by SHA-256 (a file is stored once). */
@Injectable()
export class EvidenceFiles {
  constructor(private readonly config: AppConfig) {}

  private path(sha256: string): string {
    return join(this.config.runtimeDir, 'evidence', sha256.slice(0, 2), sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.path(sha256);
    if (!existsSync(target)) {
      await mkdir(join(target, '..'), { recursive: true });
      const temporary = `${target}.${process.pid}.tmp`;
      await writeFile(temporary, bytes, { flag: 'w' });
      await rename(temporary, target);
    }
    return sha256;
  }

  async get(sha256: string): Promise<Buffer> {
    const bytes = await readFile(this.path(sha256));
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new Error(`evidence file ${sha256} does not match its hash (${actual})`);
    return bytes;
  }
}
