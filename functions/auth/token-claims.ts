import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { CLAIM_LOGGED_USER_ID, CLAIM_USER_ID } from '../../shared/auth/claims.ts';

/**
 * Issue 13 item 11: the Cognito pre token generation trigger (event version V1_0: the ID token, which clients send)
 * copies the CRM user id of `custom:userId` into the claim `uid`. API Gateway documents access-log variables as
 * `$context.authorizer.claims.<property>` with plain names; a name with a colon is not documented, so the access log
 * names `uid` (infra/tenant-stack.ts). The API itself still reads `custom:userId` (shared/auth/claims.ts).
 */
export function withLoggedUserId(event: PreTokenGenerationTriggerEvent): PreTokenGenerationTriggerEvent {
  const userId = event.request.userAttributes[CLAIM_USER_ID];
  if (!userId) return event;
  const details = event.response.claimsOverrideDetails ?? {};
  event.response.claimsOverrideDetails = { ...details, claimsToAddOrOverride: { ...details.claimsToAddOrOverride, [CLAIM_LOGGED_USER_ID]: userId } };
  return event;
}

export const handler = async (event: PreTokenGenerationTriggerEvent) => withLoggedUserId(event);
