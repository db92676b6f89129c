import { Injectable, PipeTransform, ArgumentMetadata } from '@nestjs/common';
import { ValidationFailedError } from '../shared/errors';

/** Database ids in URLs and payloads: whole numbers from 1 to 2^31−1 (the columns are INT). */
export function parseId(value: unknown, path: string): number {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^[1-9]\d{0,9}$/.test(text) || Number(text) > 2_147_483_647) {
    throw ValidationFailedError.field(path, 'is-id', `${path} must be a whole number from 1 to 2147483647`);
  }
  return Number(text);
}

/** `@Param('id', IdPipe)`: the parameter as a database id, or 422 naming it. */
@Injectable()
export class IdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown, metadata: ArgumentMetadata): number {
    return parseId(value, metadata.data ?? metadata.type);
  }
}
