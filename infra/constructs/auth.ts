import { CfnOutput, Duration } from 'aws-cdk-lib';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  OAuthScope,
  UserPool,
  type UserPoolClient,
  UserPoolGroup,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { type Stage, settingsOf } from '../stage.js';

/** The group whose members may run organizer commands (CONTRACT section 2). */
export const ORGANIZERS_GROUP = 'organizers';

export interface AuthProps {
  stage: Stage;
  /**
   * Where Cognito's hosted sign-in may send an organizer app back to (context `oauthCallbackUrls`).
   * Absent: the app client has OAuth switched off and signs in with SRP only; given: the authorization
   * code grant alone (no implicit grant), with the scopes `openid`, `email` and `profile`.
   */
  oAuthCallbackUrls?: readonly string[];
}

/**
 * Organizer identities: a Cognito user pool that only administrators fill (no self sign-up), with
 * TOTP MFA and threat protection, one public app client and the `organizers` group.
 */
export class Auth extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  /** The `iss` claim of the pool's tokens, for JWT authorizers and verifiers. */
  readonly issuerUrl: string;
  readonly userPoolId: string;
  readonly clientId: string;

  constructor(scope: Construct, id: string, props: AuthProps) {
    super(scope, id);
    const settings = settingsOf(props.stage);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Organizers are few, so the Plus plan costs little; threat protection blocks risky sign-ins or
      // only reports them, by stage.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: settings.threatProtection,
      deletionProtection: settings.deletionProtection,
      removalPolicy: settings.removalPolicy,
    });
    const callbackUrls = props.oAuthCallbackUrls ?? [];
    for (const url of callbackUrls) {
      if (!/^https:\/\/[^\s/]+/.test(url) && !/^http:\/\/localhost(:\d+)?(\/|$)/.test(url)) {
        throw new Error(`oauthCallbackUrls: ${url} is not an https URL (or http://localhost)`);
      }
    }
    this.client = this.userPool.addClient('Client', {
      authFlows: { userSrp: true },
      // CDK's default would enable the implicit and code grants for https://example.com with every scope.
      ...(callbackUrls.length === 0
        ? { disableOAuth: true }
        : {
            oAuth: {
              flows: { authorizationCodeGrant: true, implicitCodeGrant: false },
              scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
              callbackUrls: [...callbackUrls],
            },
          }),
      generateSecret: false,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    new UserPoolGroup(this, 'Organizers', {
      userPool: this.userPool,
      groupName: ORGANIZERS_GROUP,
      description: 'Conference organizers: may create conferences, schedule sessions, check in delegates',
    });
    this.issuerUrl = this.userPool.userPoolProviderUrl;
    this.userPoolId = this.userPool.userPoolId;
    this.clientId = this.client.userPoolClientId;

    new CfnOutput(this, 'UserPoolId', { value: this.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.clientId });
  }
}
