import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import {
  ConflictError,
  DomainError,
  FieldProblem,
  ForbiddenError,
  NotFoundError,
  TooManyAttemptsError,
  UnauthenticatedError,
  UnsupportedMediaTypeError,
  ValidationFailedError,
} from '../shared/errors';

/** The one error shape of the API. */
export interface ApiErrorBody {
  error: { code: string; message: string; fields?: FieldProblem[]; reference?: string };
}

/** Domain error classes → HTTP status: the only place where that mapping lives. */
const STATUS_OF: [abstract new (...args: never[]) => DomainError, number][] = [
  [ValidationFailedError, HttpStatus.UNPROCESSABLE_ENTITY],
  [UnauthenticatedError, HttpStatus.UNAUTHORIZED],
  [ForbiddenError, HttpStatus.FORBIDDEN],
  [NotFoundError, HttpStatus.NOT_FOUND],
  [ConflictError, HttpStatus.CONFLICT],
  [TooManyAttemptsError, HttpStatus.TOO_MANY_REQUESTS],
  [UnsupportedMediaTypeError, HttpStatus.UNSUPPORTED_MEDIA_TYPE],
];

/**
 * Turns domain errors, Nest's HttpExceptions and the body parser's client errors (malformed JSON,
 * body too large: Express answers those before any route runs) into the API's error shape.
 * Everything else is a bug: 500 with a generic message and a reference, the detail in the log.
 * It deliberately never turns an unknown error into a 4xx.
 */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  protected readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    const request = http.getRequest<Request>();
    const { status, body, headers } = this.translate(exception, request);
    if (response.headersSent) return;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    response.status(status).json(body);
  }

  /** The status, body and headers an error answers with; pages (src/web) show the same decision as HTML. */
  protected translate(exception: unknown, request: Request): { status: number; body: ApiErrorBody; headers: Record<string, string> } {
    if (exception instanceof DomainError) {
      const status = STATUS_OF.find(([type]) => exception instanceof type)?.[1];
      if (status !== undefined) {
        const fields = exception instanceof ValidationFailedError ? { fields: exception.fields } : {};
        const headers: Record<string, string> = exception instanceof TooManyAttemptsError ? { 'Retry-After': String(exception.retryAfterSeconds) } : {};
        return { status, body: { error: { code: exception.code, message: exception.message, ...fields } }, headers };
      }
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status >= 500) return this.internal(exception, request);
      return { status, body: { error: { code: codeOfStatus(status), message: messageOf(exception) } }, headers: {} };
    }
    if (isBodyParserClientError(exception)) {
      return { status: exception.status, body: { error: { code: codeOfStatus(exception.status), message: exception.message } }, headers: {} };
    }
    return this.internal(exception, request);
  }

  private internal(exception: unknown, request: Request) {
    const reference = randomUUID();
    this.logger.error(`${request.method} ${request.originalUrl} failed (reference ${reference})`, exception instanceof Error ? exception.stack : String(exception));
    return {
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      body: { error: { code: 'internal-error', message: 'An unexpected error occurred. It has been logged; quote the reference when you report it.', reference } },
      headers: {},
    };
  }
}

/** `not-found`, `payload-too-large`, … from the status's standard name. */
function codeOfStatus(status: number): string {
  const name = HttpStatus[status];
  return typeof name === 'string' ? name.toLowerCase().replace(/_/g, '-') : `http-${status}`;
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/**
 * body-parser's own errors (http-errors with `expose: true` and a 4xx status, and a `type` such as
 * `entity.too.large` or `encoding.unsupported`): the request was refused before any route ran.
 */
function isBodyParserClientError(error: unknown): error is Error & { status: number; type: string } {
  const e = error as { status?: unknown; expose?: unknown; type?: unknown };
  return error instanceof Error && e.expose === true && typeof e.type === 'string' && typeof e.status === 'number' && e.status >= 400 && e.status < 500;
}
