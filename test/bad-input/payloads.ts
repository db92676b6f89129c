import fc from 'fast-check';
import { getMetadataStorage } from 'class-validator';

/** What one generated request carries. */
export interface BadRequest {
  /** Path parameter values (replacing `:name`); already URL-encoded. */
  params: Record<string, string>;
  /** Raw body text and its content type (undefined: no body). */
  body?: string;
  contentType?: string;
  /** Leave out the CSRF token (the request must then be refused too). */
  withoutCsrf?: boolean;
}

/** The property names a DTO validates, read from class-validator's metadata. */
export function fieldsOf(dto: Function): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  return [...new Set(metadata.map((m) => m.propertyName))];
}

/** The fields without @IsOptional (class-validator records it as a conditional validation). */
export function requiredFieldsOf(dto: Function): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(dto, '', true, false);
  const optional = new Set(metadata.filter((m) => m.type === 'conditionalValidation').map((m) => m.propertyName));
  return fieldsOf(dto).filter((f) => !optional.has(f));
}

const longString = (length: number) => fc.constantFrom('a', 'ă', '😀', ' ', '\u0000', '\u202e').map((c) => c.repeat(length));

/** Values that are wrong for a string field of at most `max` characters, or sit on its edges. */
const badFieldValue = (max: number) =>
  fc.oneof(
    fc.integer(),
    fc.double({ noNaN: true }),
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.string(), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
    fc.constant(''),
    longString(max + 1),
    longString(max * 40),
    fc.constantFrom({ $gt: '' }, { toString: 'x' }, ['iso-cycle-demo'], 1e308, -0, 0),
  );

/** Strings that are valid JSON strings but odd: control characters, right-to-left marks, lone surrogates, NFD Vietnamese. */
const oddString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom('\u0000', '\ud800', 'Nguyễn'.normalize('NFD'), ' ', '../../etc/passwd', "' OR 1=1 --", '<script>alert(1)</script>', '%00', '${jndi:x}'),
);

/**
 * Bodies that a route with this DTO must refuse, whatever it is: JSON that is not an object,
 * objects whose fields are missing or of the wrong type or out of bounds, unknown or polluting
 * properties, malformed JSON, other content types, oversized bodies. `validValue` gives a field a
 * well-formed value, so that one broken field is tried next to good ones; such bodies always break
 * at least one rule of the DTO (a value beyond `max`, a wrong type, a missing field or an unknown one).
 */
export function invalidBody(dto: Function | undefined, max: number, validValue: (field: string) => fc.Arbitrary<string>): fc.Arbitrary<Pick<BadRequest, 'body' | 'contentType'>> {
  const fields = dto ? fieldsOf(dto) : [];
  const json = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
  const options: fc.Arbitrary<Pick<BadRequest, 'body' | 'contentType'>>[] = [
    // JSON that is not an object.
    fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.string(), fc.integer(), fc.boolean(), fc.constant(null)).map(json),
    // Malformed JSON, and bodies in other formats.
    fc.oneof(
      fc.constantFrom('{', '{"login":', '{"a":1,}', "{'login':'x'}", '\u0000', '[', 'undefined', '{"__proto__":', '\ufeff{}'),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).filter((s) => !isJson(s)),
    ).map((body) => ({ body, contentType: 'application/json' })),
    fc.record({ body: fc.string({ maxLength: 60 }), contentType: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/json; charset=utf-16') }),
    // Deeply nested, and just over the 100 kB body limit.
    fc.integer({ min: 200, max: 3000 }).map((depth) => ({ body: '['.repeat(depth) + ']'.repeat(depth), contentType: 'application/json' })),
    fc.constant(110_000).map((size) => json({ [fields[0] ?? 'x']: 'a'.repeat(size) })),
    // Prototype pollution and unknown properties next to valid ones.
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'isAdmin', 'role', '_csrf2', '').chain((extra) =>
      fc.record(Object.fromEntries(fields.map((f) => [f, validValue(f)]))).map((good) => ({ body: `{${[...Object.entries(good).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`), `${JSON.stringify(extra)}:{"polluted":true}`].join(',')}}`, contentType: 'application/json' })),
    ),
  ];
  if (fields.length > 0) {
    // One field broken, the others well-formed, missing, or odd.
    options.push(
      fc
        .record({
          broken: fc.constantFrom(...fields),
          value: badFieldValue(max),
          others: fc.record(Object.fromEntries(fields.map((f) => [f, fc.oneof(validValue(f), oddString)])), { requiredKeys: [] }),
        })
        .map(({ broken, value, others }) => json({ ...others, [broken]: value })),
    );
    const required = dto ? requiredFieldsOf(dto) : [];
    if (required.length > 0) {
      // At least one required field missing (down to an empty object), the others well-formed.
      options.push(
        fc
          .constantFrom(...required)
          .chain((missing) => fc.subarray(fields.filter((f) => f !== missing)))
          .chain((present) => fc.record(Object.fromEntries(present.map((f) => [f, validValue(f)]))))
          .map(json),
      );
    }
  }
  return fc.oneof(...options);
}

/** Path parameter values that are not ids, or name nothing. */
export const badIdParam = fc
  .oneof(
    fc.constantFrom('0', '-1', '1.5', '1e3', '0x10', ' 1', '1 ', '99999999999', '2147483648', 'NaN', 'null', 'undefined', '%00', '%2e%2e', '%F0%9F%98%80', '..', '1;DROP TABLE people', '%25', '２'),
    fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 12 }).filter((s) => !/^[1-9]\d*$/.test(s)),
    fc.integer({ min: 1_000_000, max: 2_147_483_647 }).map(String),
  )
  .map((value) => (/^[%]/.test(value) ? value : encodeURIComponent(value)));

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
