import { createHash } from 'node:crypto';

/**
 * A UUID (RFC 4122 version 5 layout) derived from a name: the same name always gives the same id,
 * so a step retried after a crash names the same record (e.g. the document of a report version).
 */
export function deterministicUuid(name: string): string {
  const bytes = createHash('sha1').update(`iso-cycle:${name}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
