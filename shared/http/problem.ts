/**
 * RFC 9457 problem details. Every error the API returns is a ProblemError thrown somewhere and rendered
 * once by the API handler, so the shape cannot drift between routes.
 */
export interface FieldError {
  path: string;
  message: string;
}

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

export const badRequest = (code: string, detail: string, errors?: FieldError[]) =>
  new ProblemError(400, code, detail, errors);
export const validationFailed = (errors: FieldError[]) =>
  new ProblemError(400, 'validation_failed', `${errors.length} field(s) failed validation`, errors);
/** Errors from every check of a request (owner, references, custom fields …) are answered together in one 400. */
export function throwIfInvalid(errors: FieldError[]): void {
  if (errors.length > 0) throw validationFailed(errors);
}
export const unauthorized = (detail = 'A valid bearer token is required') =>
  new ProblemError(401, 'unauthorized', detail);
export const forbidden = (detail = 'Your role does not allow this action') =>
  new ProblemError(403, 'forbidden', detail);
export const notFound = (what = 'Resource') => new ProblemError(404, 'not_found', `${what} not found`);
export const conflict = (code: string, detail: string, extensions?: Record<string, unknown>) =>
  new ProblemError(409, code, detail, undefined, extensions);
export const preconditionFailed = () =>
  new ProblemError(412, 'version_mismatch', 'If-Match does not match the current version of the record');
export const internalError = () =>
  new ProblemError(500, 'internal_error', 'An unexpected error occurred; it has been logged');
