import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT, type JWK, type JWTPayload } from 'jose';
import { CLAIM_ROLE, CLAIM_USER_ID } from '../shared/auth/claims.ts';
import type { User } from '../shared/schemas/users.ts';

const ISSUER = 'pipeline-crm-local';
const AUDIENCE = 'pipeline-crm';
const ALGORITHM = 'ES256';
const TOKEN_LIFETIME = '12h';
const VERIFIED_CACHE_SIZE = 1000;

/**
 * The local stand-in for Cognito and the HTTP API JWT authorizer: it signs tokens with the same claims a
 * Cognito ID token carries, and verifies them before a request reaches a handler.
 */
export interface LocalAuth {
  issueToken(user: Pick<User, 'id' | 'role' | 'email'>): Promise<string>;
  /** The token's claims, or undefined when it is invalid or expired. */
  verify(token: string): Promise<Record<string, unknown> | undefined>;
}

/** Keeps the key pair in `keyFile` so tokens survive a restart; without a file the key lives in memory. */
export async function createLocalAuth(keyFile?: string): Promise<LocalAuth> {
  const { privateJwk, publicJwk } = await loadOrCreateKeys(keyFile);
  const privateKey = await importJWK(privateJwk, ALGORITHM);
  const publicKey = await importJWK(publicJwk, ALGORITHM);
  // A signature check costs more than the rest of a small request; a token's verdict holds until it expires.
  const verified = new Map<string, JWTPayload>();
  return {
    issueToken: (user) =>
      new SignJWT({ [CLAIM_USER_ID]: user.id, [CLAIM_ROLE]: user.role, email: user.email, token_use: 'id' })
        .setProtectedHeader({ alg: ALGORITHM })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(TOKEN_LIFETIME)
        .sign(privateKey),
    async verify(token) {
      const known = verified.get(token);
      if (known && (known.exp ?? 0) * 1000 > Date.now()) return known;
      try {
        const { payload } = await jwtVerify(token, publicKey, { issuer: ISSUER, audience: AUDIENCE, algorithms: [ALGORITHM] });
        if (verified.size >= VERIFIED_CACHE_SIZE) verified.clear();
        verified.set(token, payload);
        return payload;
      } catch {
        return undefined;
      }
    },
  };
}

async function loadOrCreateKeys(keyFile: string | undefined): Promise<{ privateJwk: JWK; publicJwk: JWK }> {
  if (keyFile && existsSync(keyFile)) return JSON.parse(readFileSync(keyFile, 'utf8'));
  const pair = await generateKeyPair(ALGORITHM, { extractable: true });
  const keys = { privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
  if (keyFile) {
    mkdirSync(dirname(keyFile), { recursive: true });
    writeFileSync(keyFile, JSON.stringify(keys), { mode: 0o600 });
  }
  return keys;
}
