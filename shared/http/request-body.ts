import { ProblemError, badRequest } from './problem.ts';

export const MAX_BODY_BYTES = 256 * 1024;

/** Public routes (no bearer) take small bodies: anyone on the internet can send them (issue 12 item 5). */
export const PUBLIC_MAX_BODY_BYTES = 8 * 1024;

/** The largest body a route takes: its contract's `maxBodyBytes`, else 8 KiB on a public route and 256 KiB on the others. */
export const bodyLimit = (route: { roles: unknown; maxBodyBytes?: number | undefined }): number =>
  route.maxBodyBytes ?? (route.roles === 'public' ? PUBLIC_MAX_BODY_BYTES : MAX_BODY_BYTES);

/** JSON, in UTF-8 (RFC 8259 §8.1): a charset parameter, if any, must say so. */
const isJsonContentType = (contentType: string | undefined) => {
  const match = contentType && /^application\/([a-z0-9.+-]*\+)?json(\s*;.*)?$/i.exec(contentType.trim());
  if (!match) return false;
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(match[2] ?? '')?.[1];
  return charset === undefined || /^utf-?8$/i.test(charset);
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether the raw body is empty (nothing, or only whitespace). */
export const isEmptyBody = (bytes: Buffer | undefined) => bytes === undefined || bytes.toString('latin1').trim() === '';

/**
 * Turns the raw body into JSON, in the order a client can act on: size (413), presence (400),
 * media type (415), syntax (400). `required` is false for routes that take no body: then only an
 * empty body or `{}` is accepted, so a client cannot slip fields into a body-less action.
 */
export function parseJsonBody(raw: string | Buffer | undefined, contentType: string | undefined, required: boolean, limit = MAX_BODY_BYTES): unknown {
  const bytes = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : (raw ?? Buffer.alloc(0));
  checkBodySize(bytes.byteLength, limit);
  if (isEmptyBody(bytes)) {
    if (required) throw badRequest('body_required', 'This request needs a JSON body', [{ path: '', message: 'Required' }]);
    return undefined;
  }
  if (!isJsonContentType(contentType)) {
    throw new ProblemError(415, 'unsupported_media_type', 'Send the body as application/json (UTF-8)');
  }
  let text: string;
  try {
    // Decoding leniently would store U+FFFD in place of what the client meant ("Bj\xF6rn" sent in Latin-1).
    text = strictUtf8.decode(bytes);
  } catch {
    throw badRequest('malformed_json', 'The body is not valid UTF-8 (JSON text is UTF-8)');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest('malformed_json', `The body is not valid JSON: ${(error as Error).message}`);
  }
  if (!required && !(isPlainObject(parsed) && Object.keys(parsed).length === 0)) {
    throw badRequest('unexpected_body', 'This request takes no body', [{ path: '', message: 'Expected no body or {}' }]);
  }
  return parsed;
}

type BodySchema = { safeParse(value: unknown): { success: boolean } };
const omittable = new WeakMap<BodySchema, boolean>();

/**
 * A POST whose body fields are all optional (won, lost …) needs no body (SPEC §1: an empty body is a 400 only where
 * one is required): sent without one, it means `{}`. PUT and PATCH always need theirs.
 */
export function bodyMayBeOmitted(route: { method: string; body?: BodySchema | undefined }): boolean {
  if (route.method !== 'POST' || !route.body) return false;
  let answer = omittable.get(route.body);
  if (answer === undefined) omittable.set(route.body, (answer = route.body.safeParse({}).success));
  return answer;
}

/** 413 for a body over the limit, whatever its media type. */
export function checkBodySize(bytes: number, limit = MAX_BODY_BYTES): undefined {
  if (bytes > limit) {
    throw new ProblemError(413, 'body_too_large', `The body exceeds ${limit} bytes`);
  }
  return undefined;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
