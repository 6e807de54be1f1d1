import { createHmac, timingSafeEqual } from 'node:crypto';
import { badRequest } from './problem.ts';

/**
 * Opaque, tamper-proof list cursors: the DynamoDB LastEvaluatedKey plus the scope of the listing it came from
 * (index, partition and filters), HMAC-signed. A cursor edited by hand, or replayed on another listing, is a 400.
 */
export interface CursorCodec {
  encode(lastKey: Record<string, unknown>, scope: string): Promise<string>;
  decode(cursor: string, scope: string): Promise<Record<string, unknown>>;
}

/** One Secrets Manager client per container, loaded on the first listing that signs a cursor, not at cold start. */
let secretsClient: Promise<{ client: import('@aws-sdk/client-secrets-manager').SecretsManagerClient; module: typeof import('@aws-sdk/client-secrets-manager') }> | undefined;
const secretsManager = () =>
  (secretsClient ??= import('@aws-sdk/client-secrets-manager').then((module) => ({ client: new module.SecretsManagerClient({}), module })));

/** Reads the signing key from CURSOR_SECRET (local) or the Secrets Manager secret CURSOR_SECRET_ARN (AWS). */
async function loadSecretFromEnv(): Promise<string> {
  if (process.env.CURSOR_SECRET) return process.env.CURSOR_SECRET;
  const secretId = process.env.CURSOR_SECRET_ARN;
  if (!secretId) throw new Error('Neither CURSOR_SECRET nor CURSOR_SECRET_ARN is set');
  const { client, module } = await secretsManager();
  const secret = await client.send(new module.GetSecretValueCommand({ SecretId: secretId }));
  if (!secret.SecretString) throw new Error('The cursor secret is empty');
  return secret.SecretString;
}

/**
 * The key is loaded once per container and kept; a failed load is forgotten, so the next listing tries again
 * instead of every listing failing until the container is recycled (issue 13 item 5).
 */
export function createCursorCodec(loadSecret: () => Promise<string> = loadSecretFromEnv): CursorCodec {
  let secret: Promise<string> | undefined;
  const key = () =>
    (secret ??= loadSecret().catch((error: unknown) => {
      secret = undefined;
      throw error;
    }));
  const sign = async (payload: string) => createHmac('sha256', await key()).update(payload).digest('base64url');

  return {
    async encode(lastKey, scope) {
      const payload = Buffer.from(JSON.stringify({ k: lastKey, s: scope })).toString('base64url');
      return `${payload}.${await sign(payload)}`;
    },
    async decode(cursor, scope) {
      const invalid = badRequest('invalid_cursor', 'The cursor is not valid for this listing', [
        { path: 'query.cursor', message: 'Invalid or tampered cursor' },
      ]);
      const [payload, signature, ...rest] = cursor.split('.');
      if (!payload || !signature || rest.length > 0) throw invalid;
      const expected = Buffer.from(await sign(payload));
      const given = Buffer.from(signature);
      if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid;
      const decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { k: Record<string, unknown>; s: string };
      if (decoded.s !== scope) throw invalid;
      return decoded.k;
    },
  };
}
