import { isServerError, isThrottlingError, isTransientError } from '@smithy/core/retry';
import { DomainError, type FieldError, type RefusalKind } from '../domain/errors.ts';
import { logger } from '../logger.ts';

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
  431: 'Request Header Fields Too Large',
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
    /** Response headers that go with this problem (`Retry-After`). */
    readonly headers: Record<string, string> = {},
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

/** How long a client is asked to wait before trying again after a `temporarily_unavailable` (seconds). */
export const RETRY_AFTER_BUSY_SECONDS = 1;

export const temporarilyUnavailable = () =>
  new ProblemError(503, 'temporarily_unavailable', 'A service this request needs is busy or unreachable; try again in a moment', undefined, {}, {
    'retry-after': String(RETRY_AFTER_BUSY_SECONDS),
  });

/** Why DynamoDB cancels a transaction when it lacks capacity (the SDK does not retry a cancelled transaction). */
const THROTTLED_TRANSACTION_REASONS = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

/**
 * An AWS call that failed for want of capacity or of a connection, after the SDK's own retries: throttled, a 5xx of
 * the service, a timeout or a refused connection (the SDK's classification of retryable errors), or a transaction
 * DynamoDB cancelled because an item was throttled. A retry later may succeed: this is the service being busy, not
 * a bug, so it is a 503 and not a 500.
 */
export function isBusyDependency(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
  if (error.name === 'TransactionCanceledException') return reasons?.some((reason) => THROTTLED_TRANSACTION_REASONS.has(reason.Code ?? '')) ?? false;
  const sdkError = error as Parameters<typeof isThrottlingError>[0];
  return isThrottlingError(sdkError) || isTransientError(sdkError) || isServerError(sdkError);
}

const STATUS_OF: Record<RefusalKind, number> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409, stale: 412, gone: 410, unavailable: 503 };

/** The problem an error is answered with: a refusal by its kind, a problem as it is, a busy AWS service a 503, anything else a 500. */
export function toProblem(error: unknown): ProblemError {
  if (error instanceof ProblemError) return error;
  if (error instanceof DomainError) return new ProblemError(STATUS_OF[error.kind], error.code, error.detail, error.errors, error.extensions);
  if (isBusyDependency(error)) return temporarilyUnavailable();
  return internalError();
}

/**
 * Logs an answer that is the server's side of things: a 500 is a bug (ERROR, `message`); another 5xx is a busy or
 * missing service that ops want to see each of (WARN). A 4xx is the client's and is not logged.
 */
export function logServerProblem(problem: ProblemError, error: unknown, message: string, details: Record<string, unknown>): void {
  if (problem.status === 500) logger.error(message, { error, ...details });
  else if (problem.status > 500) logger.warn(`Answered ${problem.status}`, { error, code: problem.code, ...details });
}
