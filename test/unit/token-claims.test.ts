import type { PreTokenGenerationTriggerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { handler, withLoggedUserId } from '../../functions/auth/token-claims.ts';
import { CLAIM_LOGGED_USER_ID, CLAIM_ROLE, CLAIM_USER_ID } from '../../shared/auth/claims.ts';

/** A V1_0 pre token generation event as Cognito sends it (its response starts empty). */
const tokenEvent = (userAttributes: Record<string, string>, response: Partial<PreTokenGenerationTriggerEvent['response']> = {}) =>
  ({
    version: '1',
    triggerSource: 'TokenGeneration_Authentication',
    region: 'eu-west-1',
    userPoolId: 'eu-west-1_abc',
    userName: 'c0ffee-sub',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId: 'client' },
    request: { userAttributes, groupConfiguration: { groupsToOverride: [], iamRolesToOverride: [] } },
    response,
  }) as unknown as PreTokenGenerationTriggerEvent;

describe('Issue 13 item 11: the ID token carries the CRM user id under a name the access log can use', () => {
  it('issue 13 item 11 the trigger copies custom:userId into uid and leaves the other claims to Cognito', async () => {
    const event = tokenEvent({ sub: 'c0ffee-sub', [CLAIM_USER_ID]: '01JD0USER', [CLAIM_ROLE]: 'rep', email: 'rita@example.com' });

    const answer = await handler(event);

    expect(CLAIM_LOGGED_USER_ID).toBe('uid');
    expect(answer.response.claimsOverrideDetails).toEqual({ claimsToAddOrOverride: { uid: '01JD0USER' } });
  });

  it('issue 13 item 11 a user without a CRM id (none yet) gets a token unchanged; overrides already there are kept', () => {
    const withoutId = withLoggedUserId(tokenEvent({ sub: 'c0ffee-sub' }));
    const withOthers = withLoggedUserId(tokenEvent({ [CLAIM_USER_ID]: '01JD0USER' }, { claimsOverrideDetails: { claimsToSuppress: ['email'], claimsToAddOrOverride: { team: 'north' } } }));

    expect(withoutId.response).toEqual({});
    expect(withOthers.response.claimsOverrideDetails).toEqual({ claimsToSuppress: ['email'], claimsToAddOrOverride: { team: 'north', uid: '01JD0USER' } });
  });
});
