/**
 * The errors a request can be refused with, each with a stable code the client can act on. They
 * say nothing about HTTP: `src/http/api-error.filter.ts` is the one place that maps them to status
 * codes. Anything that is not one of these (or Nest's own HttpException) is a bug: it is answered
 * 500 with a generic message and logged with its detail.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One rejected field: `path` is the dotted path in the payload (`items.2.amount`), `code` the rule it broke. */
export interface FieldProblem {
  path: string;
  code: string;
  message: string;
}

/** The payload (body, parameters, query) is malformed or breaks a rule: nothing was done. */
export class ValidationFailedError extends DomainError {
  readonly code = 'validation-failed';

  constructor(
    readonly fields: FieldProblem[],
    message = 'The request has invalid values.',
  ) {
    super(message);
  }

  static field(path: string, code: string, message: string): ValidationFailedError {
    return new ValidationFailedError([{ path, code, message }], message);
  }
}

/** No valid session (or wrong credentials at login). */
export class UnauthenticatedError extends DomainError {
  constructor(
    message = 'Sign in to continue.',
    readonly code: string = 'unauthenticated',
  ) {
    super(message);
  }
}

/** Signed in, but this person may not do this here. */
export class ForbiddenError extends DomainError {
  constructor(
    message = 'You are not allowed to do this.',
    readonly code: string = 'forbidden',
  ) {
    super(message);
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'not-found';

  constructor(what: string) {
    super(`${what} was not found.`);
  }
}

/** The request conflicts with the current state (a duplicate, a step already taken). */
export class ConflictError extends DomainError {
  constructor(
    message: string,
    readonly code: string = 'conflict',
  ) {
    super(message);
  }
}

/** Too many attempts: try again after `retryAfterSeconds`. */
export class TooManyAttemptsError extends DomainError {
  readonly code = 'too-many-attempts';

  constructor(
    readonly retryAfterSeconds: number,
    message = 'Too many failed attempts; try again later.',
  ) {
    super(message);
  }
}

/** The request body is not in a format this route accepts (e.g. a form post to a JSON-only route). */
export class UnsupportedMediaTypeError extends DomainError {
  readonly code = 'unsupported-media-type';
}
