import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CLAIM_ROLE, CLAIM_USER_ID } from '../../shared/auth/claims.ts';
import { TOKEN_CLAIMS_ENTRY } from '../bundles.ts';
import { TenantFunction } from './tenant-function.ts';

/** Cognito names a custom attribute `custom:<name>` in tokens; the pool declares it without the prefix. */
const customAttributeName = (claim: string) => claim.replace(/^custom:/, '');

/** Calls shared/auth/user-directory.ts makes when the CRM creates or changes a user. */
const DIRECTORY_ACTIONS = [
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminUpdateUserAttributes',
  'cognito-idp:AdminEnableUser',
  'cognito-idp:AdminDisableUser',
];

/** Issue 13 item 11: the pre token generation trigger that puts the user id in the claim the access log names. */

/**
 * The tenant's sign-in: admins invite users (no self sign-up), users sign in with their email, and the ID token
 * carries the CRM user id and role as custom attributes that only the CRM (admin API calls) can write, and the user
 * id again as `uid` (a pre token generation trigger) for the API access log.
 */
export class TenantUserPool extends Construct {
  readonly pool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly tokenClaims: TenantFunction;

  constructor(scope: Construct, id: string, props: { tenant: string; mfa: 'optional' | 'required' }) {
    super(scope, id);
    const userIdAttribute = customAttributeName(CLAIM_USER_ID);
    const roleAttribute = customAttributeName(CLAIM_ROLE);

    this.pool = new cognito.UserPool(this, 'Pool', {
      userPoolName: `pipeline-crm-${props.tenant}`,
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // Not `required`: Cognito insists that required attributes be client-writable, and the email must stay as the
      // CRM set it (shared/auth/user-directory.ts addresses users by it). AdminCreateUser always sets it.
      standardAttributes: { email: { required: false, mutable: true }, fullname: { required: false, mutable: true } },
      customAttributes: {
        [userIdAttribute]: new cognito.StringAttribute({ mutable: true }),
        [roleAttribute]: new cognito.StringAttribute({ mutable: true }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(7),
      },
      // `required` holds for every user, admins included: Cognito decides MFA per pool, not per role.
      mfa: props.mfa === 'required' ? cognito.Mfa.REQUIRED : cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      userInvitation: {
        emailSubject: 'Your Pipeline CRM account',
        emailBody: 'You have been invited to Pipeline CRM. Sign in with {username} and the temporary password {####}.',
      },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    if (props.mfa === 'optional') {
      Validations.of(this.pool).acknowledge({
        id: 'AwsSolutions-COG2',
        reason:
          'Users are invited by their admin and MFA (TOTP) is offered as optional; a tenant requires it with -c mfa=required ' +
          'once its clients support it. Threat protection (plus tier, full function) guards the sign-ins.',
      });
    }

    // V1_0 (the default): customizes the ID token, the token clients send; the function calls nothing (no grant).
    this.tokenClaims = new TenantFunction(this, 'TokenClaims', {
      entry: TOKEN_CLAIMS_ENTRY,
      description: `${props.tenant}: adds the CRM user id as the uid claim of ID tokens (for the API access log)`,
      environment: { POWERTOOLS_SERVICE_NAME: 'pipeline-crm-token-claims' },
    });
    this.pool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION, this.tokenClaims.function);

    this.client = this.pool.addClient('WebClient', {
      generateSecret: false,
      // Clients sign in with SRP and refresh tokens; no hosted UI, so no OAuth flows or callback URLs.
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      readAttributes: new cognito.ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes(userIdAttribute, roleAttribute),
      // The user id, role and email are the CRM's to change (admin calls); a user may only edit the display name.
      // (Without a write list Cognito would let the client write every standard attribute, email included.)
      writeAttributes: new cognito.ClientAttributes().withStandardAttributes({ fullname: true }),
    });
  }

  /** The admin calls that mirror CRM users into the pool, on this pool only. */
  grantDirectoryAdmin(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: DIRECTORY_ACTIONS, resourceArns: [this.pool.userPoolArn] });
  }
}
