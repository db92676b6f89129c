import { ValidationPipe } from '@nestjs/common';
import { ValidateIf, type ValidationError } from 'class-validator';
import { FieldProblem, ValidationFailedError } from '../shared/errors';

/**
 * DTOs are validated at the edge: unknown properties are refused (not silently dropped), values are
 * transformed to the DTO's types, and every problem comes back with its field path.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors: ValidationError[]) => new ValidationFailedError(fieldProblems(errors)),
  });
}

/** Flattens class-validator's tree into one problem per broken rule, with dotted paths. */
export function fieldProblems(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const path = parent === '' ? error.property ?? '' : `${parent}.${error.property}`;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      out.push({ path: path === '' || path === 'undefined' ? '(body)' : path, code: ruleCode(rule), message });
    }
    if (error.children?.length) out.push(...fieldProblems(error.children, path));
  }
  return out.length > 0 || parent !== '' ? out : [{ path: '(body)', code: 'invalid', message: 'The request body is not valid.' }];
}

/** class-validator's rule names (isString, whitelistValidation) as API codes (is-string, not-allowed). */
function ruleCode(rule: string): string {
  if (rule === 'whitelistValidation') return 'not-allowed';
  if (rule === 'unknownValue') return 'invalid';
  return rule.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/**
 * The property may be left out; sent, even as null, it must pass its rules. class-validator's
 * `@IsOptional()` also skips null, which then reaches code that expects a value or nothing (found by
 * the bad-input test: `{"certificate": null}` answered 500).
 */
export const OptionalField = (): PropertyDecorator => ValidateIf((_, value) => value !== undefined);
