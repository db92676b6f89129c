import { WorkflowError } from '../workflow-engine';

/** The HTTP status of a failed Orchestration Cluster REST call, when it got an answer. */
export function httpStatusOf(error: unknown): number | undefined {
  const candidate = error as { statusCode?: unknown; response?: { statusCode?: unknown } } | null;
  const status = candidate?.statusCode ?? candidate?.response?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

function detailOf(error: unknown): string {
  const candidate = error as { detail?: unknown; title?: unknown; message?: unknown; response?: { body?: unknown } } | null;
  const body = candidate?.response?.body;
  if (typeof body === 'string' && body.length > 0) {
    try {
      const problem = JSON.parse(body) as { detail?: string; title?: string };
      if (problem.detail || problem.title) return `${problem.title ?? ''}${problem.detail ? `: ${problem.detail}` : ''}`;
    } catch {
      return body.slice(0, 500);
    }
  }
  if (typeof candidate?.detail === 'string') return candidate.detail;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Whether a failed call is worth repeating: no answer at all (connection refused, reset, timeout),
 * back-pressure (429, 503: RESOURCE_EXHAUSTED) or a gateway that is briefly unavailable (502, 504).
 */
export function isTransient(error: unknown): boolean {
  const status = httpStatusOf(error);
  if (status === undefined) return !(error instanceof WorkflowError);
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/**
 * Turns a REST failure into the port's error. `what` names the request in the message
 * (e.g. `complete user task 2251799813685300`); `onConflict` is the code for 409 (and for 400 on
 * requests whose only client error is a wrong state).
 */
export function toWorkflowError(error: unknown, what: string, onClientError: WorkflowError['code'] = 'INVALID_STATE'): WorkflowError {
  if (error instanceof WorkflowError) return error;
  const status = httpStatusOf(error);
  const detail = detailOf(error);
  if (status === 404) return new WorkflowError('NOT_FOUND', `${what}: not found (${detail})`);
  if (status === 400 || status === 409) return new WorkflowError(onClientError, `${what}: refused by Camunda (${status}: ${detail})`);
  if (status === undefined) return new WorkflowError('NOT_AVAILABLE', `${what}: Camunda did not answer (${detail})`);
  return new WorkflowError('NOT_AVAILABLE', `${what}: Camunda answered ${status} (${detail})`);
}
