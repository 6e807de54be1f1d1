/**
 * Refusals of the business rules, as plain values: what went wrong (`kind`), a stable `code` and a sentence. The
 * domain and the data layer throw them; the HTTP layer alone turns them into problems (shared/http/problem.ts).
 */
export interface FieldError {
  path: string;
  message: string;
}

/** `invalid` input, an action the caller's role `forbidden`s, a record `not_found` (or not visible), a `conflict` with a rule or a concurrent change, a `stale` If-Match, a link that is `gone`, a service it needs `unavailable` for now. */
export type RefusalKind = 'invalid' | 'forbidden' | 'not_found' | 'conflict' | 'stale' | 'gone' | 'unavailable';

export class DomainError extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly code: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail);
    this.name = 'DomainError';
  }
}

export const isRefusal = (error: unknown, kind?: RefusalKind, code?: string): error is DomainError =>
  error instanceof DomainError && (kind === undefined || error.kind === kind) && (code === undefined || error.code === code);

export const validationFailed = (errors: FieldError[]) =>
  new DomainError('invalid', 'validation_failed', `${errors.length} field(s) failed validation`, errors);
/** Errors from every check of a request (owner, references, custom fields …) are answered together. */
export function throwIfInvalid(errors: FieldError[]): void {
  if (errors.length > 0) throw validationFailed(errors);
}
export const forbidden = (detail = 'Your role does not allow this action') => new DomainError('forbidden', 'forbidden', detail);
export const notFound = (what = 'Resource') => new DomainError('not_found', 'not_found', `${what} not found`);
export const conflict = (code: string, detail: string, extensions?: Record<string, unknown>) =>
  new DomainError('conflict', code, detail, undefined, extensions);
export const preconditionFailed = () =>
  new DomainError('stale', 'version_mismatch', 'If-Match does not match the current version of the record');
export const gone = (detail: string) => new DomainError('gone', 'gone', detail);
export const unavailable = (code: string, detail: string) => new DomainError('unavailable', code, detail);
