import { ConflictError, ForbiddenError, NotFoundError, ValidationFailedError } from '../shared/errors';
import { FieldError } from './form/report-validation';

/** Errors of the reports feature, as the application's domain errors (mapped to HTTP in one place). */
export class ReportNotFoundError extends NotFoundError {
  constructor(what: string) {
    super(`Báo cáo (${what})`);
  }
}

/** The content breaks the form's rules: one problem per field, with its path (HTTP 422). */
export class ReportValidationError extends ValidationFailedError {
  constructor(fields: FieldError[]) {
    super(fields, `Báo cáo chưa hợp lệ: ${fields.length} lỗi`);
  }
}

/** The report is not in a state that allows the request (e.g. editing while in review). */
export class ReportStateError extends ConflictError {
  constructor(message: string) {
    super(message, 'report-state');
  }
}

/** The person holds no role that allows this act on this unit's report. */
export class ReportForbiddenError extends ForbiddenError {
  constructor(message: string) {
    super(message, 'report-forbidden');
  }
}
