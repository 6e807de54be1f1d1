import { DomainError, type FieldError, type RefusalKind } from '../domain/errors.ts';

/**
 * RFC 9457 problem details. Every error the API returns is rendered once by the API handler from a ProblemError
 * (errors of the HTTP layer itself) or a DomainError (refusals of the rules, mapped here), so the shape cannot drift.
 */
export interface ProblemBody {
  type: string;
  title: string;
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  410: 'Gone',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  toBody(): ProblemBody {
    return {
      type: `https://problems.pipeline-crm.dev/${this.code}`,
      title: TITLES[this.status] ?? 'Error',
      status: this.status,
      code: this.code,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extensions,
    };
  }
}

export const badRequest = (code: string, detail: string, errors?: FieldError[]) => new ProblemError(400, code, detail, errors);
export const unauthorized = (detail = 'A valid bearer token is required') => new ProblemError(401, 'unauthorized', detail);
export const internalError = () => new ProblemError(500, 'internal_error', 'An unexpected error occurred; it has been logged');

const STATUS_OF: Record<RefusalKind, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, stale: 412, gone: 410, unavailable: 503 };

/** The problem an error is answered with: a refusal by its kind, a problem as it is, anything else a 500. */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof DomainError) return new ProblemError(STATUS_OF[error.kind], error.code, error.detail, error.errors, error.extensions);
  return internalError();
}
