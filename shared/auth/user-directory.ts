import type { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import { CLAIM_ROLE, CLAIM_USER_ID } from './claims.ts';
import type { Role } from '../domain/principal.ts';

/**
 * Where people sign in. In AWS it is the stack's Cognito user pool (the invitation mail is the user's way in);
 * locally tokens come from POST /_local/token, so the directory has nothing to do.
 */
export interface DirectoryUser {
  userId: string;
  email: string;
  name: string;
  role: Role;
  active: boolean;
}

export interface UserDirectory {
  createUser(user: DirectoryUser): Promise<void>;
  updateUser(user: DirectoryUser): Promise<void>;
}

export const localDirectory: UserDirectory = {
  async createUser() {},
  async updateUser() {},
};

// Loaded on first use: only the users function talks to Cognito, the others should not pay for its import.
const cognitoSdk = () => import('@aws-sdk/client-cognito-identity-provider');
let sharedClient: Promise<CognitoIdentityProviderClient> | undefined;
const defaultClient = () => (sharedClient ??= cognitoSdk().then((sdk) => new sdk.CognitoIdentityProviderClient({})));

export function cognitoDirectory(userPoolId: string, client?: CognitoIdentityProviderClient): UserDirectory {
  const cognito = async () => ({ sdk: await cognitoSdk(), client: client ?? (await defaultClient()) });
  const claimAttributes = (user: DirectoryUser) => [
    { Name: 'name', Value: user.name },
    { Name: CLAIM_USER_ID, Value: user.userId },
    { Name: CLAIM_ROLE, Value: user.role },
  ];
  return {
    async createUser(user) {
      const { sdk, client } = await cognito();
      await client.send(
        new sdk.AdminCreateUserCommand({
          UserPoolId: userPoolId,
          Username: user.email,
          DesiredDeliveryMediums: ['EMAIL'],
          UserAttributes: [
            { Name: 'email', Value: user.email },
            { Name: 'email_verified', Value: 'true' },
            ...claimAttributes(user),
          ],
        }),
      );
    },
    async updateUser(user) {
      const { sdk, client } = await cognito();
      await client.send(
        new sdk.AdminUpdateUserAttributesCommand({
          UserPoolId: userPoolId,
          Username: user.email,
          UserAttributes: claimAttributes(user),
        }),
      );
      const toggle = user.active ? sdk.AdminEnableUserCommand : sdk.AdminDisableUserCommand;
      await client.send(new toggle({ UserPoolId: userPoolId, Username: user.email }));
    },
  };
}

export function directoryFromEnv(env: NodeJS.ProcessEnv = process.env): UserDirectory {
  return env.USER_POOL_ID ? cognitoDirectory(env.USER_POOL_ID) : localDirectory;
}
