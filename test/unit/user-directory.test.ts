import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminUpdateUserAttributesCommand,
  CognitoIdentityProviderClient,
} from '@aws-sdk/client-cognito-identity-provider';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cognitoDirectory, directoryFromEnv, localDirectory } from '../../shared/auth/user-directory.ts';

// Cognito cannot run on this machine: the SDK client is mocked, everything else is real.
const cognito = mockClient(CognitoIdentityProviderClient);
const user = { userId: '01J0000000000000000000000A', email: 'rita@example.com', name: 'Rita', role: 'rep' as const, active: true };

beforeEach(() => cognito.reset());

describe('R-CFG-5 POST /users opens a Cognito sign-in in AWS', () => {
  it('R-CFG-5 creates the Cognito user with the claims the API reads, and mails the invitation', async () => {
    const directory = cognitoDirectory('pool-1', new CognitoIdentityProviderClient({ region: 'eu-west-1' }));

    await directory.createUser(user);

    const [call] = cognito.commandCalls(AdminCreateUserCommand);
    expect(call?.args[0].input).toMatchObject({
      UserPoolId: 'pool-1',
      Username: 'rita@example.com',
      DesiredDeliveryMediums: ['EMAIL'],
      UserAttributes: expect.arrayContaining([
        { Name: 'custom:userId', Value: user.userId },
        { Name: 'custom:role', Value: 'rep' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    });
  });

  it('R-CFG-5 a role change updates the claims and a deactivation disables the sign-in', async () => {
    const directory = cognitoDirectory('pool-1', new CognitoIdentityProviderClient({ region: 'eu-west-1' }));

    await directory.updateUser({ ...user, role: 'manager', active: false });

    expect(cognito.commandCalls(AdminUpdateUserAttributesCommand)[0]?.args[0].input.UserAttributes).toContainEqual({ Name: 'custom:role', Value: 'manager' });
    expect(cognito.commandCalls(AdminDisableUserCommand)).toHaveLength(1);
  });

  it('R-CFG-5 without a user pool (local runtime) the directory has nothing to do', () => {
    expect(directoryFromEnv({})).toBe(localDirectory);
  });
});
