import { FieldError } from './form/report-validation';

/** Errors of the reports feature, each with a stable code; the HTTP layer maps them in one place. */
export class ReportNotFoundError extends Error {
  readonly code = 'REPORT_NOT_FOUND';
  constructor(what: string) {
    super(`Không tìm thấy báo cáo (${what})`);
    this.name = 'ReportNotFoundError';
  }
}

export class ReportValidationError extends Error {
  readonly code = 'REPORT_INVALID';
  constructor(readonly fields: FieldError[]) {
    super(`Báo cáo chưa hợp lệ: ${fields.length} lỗi`);
    this.name = 'ReportValidationError';
  }
}

/** The report is not in a state that allows the request (e.g. editing while in review). */
export class ReportStateError extends Error {
  readonly code = 'REPORT_STATE';
  constructor(message: string) {
    super(message);
    this.name = 'ReportStateError';
  }
}

/** The person holds no role that allows this act on this unit's report. */
export class ReportForbiddenError extends Error {
  readonly code = 'FORBIDDEN';
  constructor(message: string) {
    super(message);
    this.name = 'ReportForbiddenError';
  }
}
