import { type Principal, type Role, ROLES } from '../domain/principal.ts';

/**
 * The token claims that identify a caller. Cognito ID tokens carry them as custom attributes; the local
 * signer writes the same names, so one reader serves both.
 */
export const CLAIM_USER_ID = 'custom:userId';
export const CLAIM_ROLE = 'custom:role';
/**
 * Issue 13 item 11: the same user id under a name without a colon, added to Cognito ID tokens by the pre token
 * generation trigger (functions/auth/token-claims.ts) for the API access log (`$context.authorizer.claims.uid`).
 */
export const CLAIM_LOGGED_USER_ID = 'uid';

export function principalFromClaims(claims: Record<string, unknown> | undefined): Principal | undefined {
  const userId = claims?.[CLAIM_USER_ID];
  const role = claims?.[CLAIM_ROLE];
  if (typeof userId !== 'string' || !userId) return undefined;
  if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return undefined;
  return { userId, role: role as Role };
}
