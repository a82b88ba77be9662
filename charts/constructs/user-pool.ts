/**
 * The Cognito user pool of `spec.identity` and its app clients.
 *
 * - The pool is a cognitoidentityprovider `UserPool` (v1.3.1 is both pinned and served). It holds the users' accounts,
 *   so it is data-bearing: kept on deletion unless spec.deletionPolicy is Delete.
 * - The app clients are no ACK kind (the controller's generator ignores UserPoolClient): each is a
 *   CognitoUserPoolClient declaration (aws-gaps.ts) on the UserPool, which the operator carries out through the AWS API
 *   once the pool reports its id, and undoes before the pool is deleted (a retained pool keeps them). Its id becomes
 *   the output /identity/clients/<i>/clientID; a generated secret goes to a Kubernetes Secret, never to the status.
 * - Tags go in `tags`, the field ACK's tagging manages (TagResource, its default tags merged in), and not in
 *   `userPoolTags` as well: DescribeUserPool reports every tag there, ACK's own included, so a rendered
 *   `userPoolTags` would differ from AWS's at every reconcile and be written back over ACK's.
 * - MFA: the CRD's `mfaConfiguration` is all there is (no software token setting), and AWS refuses OPTIONAL or ON
 *   in CreateUserPool without an enabled factor, and ON in UpdateUserPool at all: turning MFA on takes
 *   SetUserPoolMfaConfig, which nothing calls yet. The CRD's CEL rule accepts OFF only (api/identity.ts).
 */
import { Construct } from 'constructs';
import { IDENTITY } from '../adoption.js';
import { API_VERSION, KIND } from '../../api/index.js';
import type { IdentityClientSpec, IdentitySpec, IdentityUserPoolSpec } from '../../api/identity.js';
import * as cognito from '../../imports/cognitoidentityprovider.services.k8s.aws.js';
import { ARN_FIELD, awsGapAnnotations, type CognitoUserPoolClient, type LateValue } from '../aws-gaps.js';
import { VALUE_PLACEHOLDER } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import type { OutputDeclaration } from '../outputs.js';
import type { OutputSource } from './environment-values.js';
import { partition } from './iam.js';

/** Where the UserPool reports the pool's id (`<region>_<id>`), once Cognito has created it. */
export const USER_POOL_ID_FIELD = 'status.id';
/** Keys of the Kubernetes Secret the operator writes for a client with a secret (controllers/aws-gaps/secrets.ts). */
export const CLIENT_SECRET_KEYS = { clientID: 'clientID', clientSecret: 'clientSecret' } as const;
/** Identity provider of the pool's own users, for the clients the authorization server redirects. */
const COGNITO_PROVIDER = 'COGNITO';

/** Props of {@link UserPool}. */
export interface UserPoolProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.identity`, defaulted. */
  readonly spec: IdentitySpec;
}

/** The user pool of one environment, declaring its app clients. */
export class UserPool extends Construct {
  /** Kubernetes name of the UserPool. */
  static resourceName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('users');
  }

  /** Name of the pool in Cognito: `<project>-users-<environmentSuffix>`. */
  static awsName(ctx: EnvironmentContext): string {
    return ctx.names.aws('users');
  }

  /** Name in the pool of the app client `client` (a short name of spec.identity.clients). */
  static clientName(ctx: EnvironmentContext, client: string): string {
    return ctx.names.aws(client);
  }

  /** Kubernetes Secret receiving the id and secret of the app client `client` (generateSecret). */
  static clientSecretName(ctx: EnvironmentContext, client: string): string {
    return ctx.names.k8s('cognito', client);
  }

  /** JSON pointer into status.outputs of the id of the `index`th client of spec.identity.clients. */
  static clientIDOutput(index: number): string {
    return `/identity/clients/${index}/clientID`;
  }

  /**
   * Where a child reads the id of the app client `client`: the environment's own status.outputs, which the operator
   * fills once it has created the client (a late binding from the environment, controllers/marketplace-environment/
   * apply.ts). The CRD's CEL rules guarantee the client exists; a spec that bypassed them fails here.
   */
  static clientIDSource(ctx: EnvironmentContext, identity: IdentitySpec, client: string): OutputSource {
    const index = identity.clients.findIndex((c) => c.name === client);
    if (index < 0) throw new Error(`spec.identity.clients has no client ${client}`);
    return { from: { apiVersion: API_VERSION, kind: KIND, name: ctx.env.metadata.name }, fieldPath: `status.outputs${UserPool.clientIDOutput(index).replaceAll('/', '.')}` };
  }

  /** Kubernetes name of the UserPool (see {@link UserPool.resourceName}). */
  readonly name: string;

  constructor(scope: Construct, id: string, props: UserPoolProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    this.name = UserPool.resourceName(ctx);
    const awsName = UserPool.awsName(ctx);
    const pool = spec.userPool;
    // The CRD's CEL rule accepts OFF only (see the module comment); this guards a spec that bypassed it.
    if (pool.mfa !== 'OFF') throw new Error(`spec.identity.userPool.mfa ${pool.mfa} is not supported: the user pool cannot turn MFA on`);
    const poolID: LateValue = { from: { ...cognito.UserPool.GVK, name: this.name }, fieldPath: USER_POOL_ID_FIELD };

    new cognito.UserPool(this, 'pool', {
      metadata: ctx.metadata('identity', this.name, {
        dataBearing: true,
        identity: IDENTITY.userPool,
        outputs: this.outputs(ctx, spec),
        annotations: awsGapAnnotations(spec.clients.map((client, i) => clientDeclaration(ctx, client, i, poolID))),
      }),
      spec: {
        name: awsName,
        ...signIn(pool.signInAttributes),
        // Case-insensitive user names, as AWS recommends: Cognito fixes this when the pool is created.
        usernameConfiguration: { caseSensitive: false },
        policies: { passwordPolicy: { ...pool.passwordPolicy } },
        mfaConfiguration: pool.mfa,
        // Left out rather than empty when off: Cognito reports no list, and an empty one would differ from it.
        ...(pool.emailVerification ? { autoVerifiedAttributes: ['email'] } : {}),
        // Without a setting, Cognito prefers SMS for a forgotten password, and the pool has no SMS configuration.
        accountRecoverySetting: { recoveryMechanisms: [{ name: pool.emailVerification ? 'verified_email' : 'admin_only', priority: 1 }] },
        deletionProtection: pool.deletionProtection ? 'ACTIVE' : 'INACTIVE',
        tags: Object.fromEntries(names.tags(awsName).map((t) => [t.key, t.value])),
      },
    });
  }

  /** The pool's id, ARN and token issuer, and each client's name (and Secret), in spec order. */
  private outputs(ctx: EnvironmentContext, spec: IdentitySpec): OutputDeclaration[] {
    const { region } = ctx.spec;
    const domain = partition(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
    return [
      { output: '/identity/userPoolID', fieldPath: USER_POOL_ID_FIELD },
      { output: '/identity/userPoolARN', fieldPath: ARN_FIELD },
      { output: '/identity/issuerURL', fieldPath: USER_POOL_ID_FIELD, template: `https://cognito-idp.${region}.${domain}/${VALUE_PLACEHOLDER}` },
      ...spec.clients.flatMap((client, i): OutputDeclaration[] => [
        { output: `/identity/clients/${i}/name`, value: client.name },
        ...(client.generateSecret ? [{ output: `/identity/clients/${i}/secretName`, value: UserPool.clientSecretName(ctx, client.name) }] : []),
      ]),
    ];
  }
}

/**
 * Cognito's sign-in attributes for `attributes`: without `username`, the email address and/or phone number is the user
 * name (usernameAttributes); with it, they are aliases of a user name (aliasAttributes). In a fixed order, as Cognito
 * reports them.
 */
export function signIn(attributes: IdentityUserPoolSpec['signInAttributes']): { usernameAttributes?: string[]; aliasAttributes?: string[] } {
  const cognitoNames = (['email', 'phone'] as const).filter((a) => attributes.includes(a)).map((a) => (a === 'phone' ? 'phone_number' : a));
  if (!attributes.includes('username')) return { usernameAttributes: cognitoNames };
  return cognitoNames.length > 0 ? { aliasAttributes: cognitoNames } : {};
}

/** The CognitoUserPoolClient declaration of the `index`th client of spec.identity.clients. */
function clientDeclaration(ctx: EnvironmentContext, client: IdentityClientSpec, index: number, userPoolID: LateValue): CognitoUserPoolClient {
  const oauth = client.oauthFlows.length > 0;
  const redirects = client.oauthFlows.some((f) => f === 'code' || f === 'implicit');
  return {
    type: 'CognitoUserPoolClient',
    name: ctx.names.k8s('users', 'client', client.name),
    userPoolID,
    clientName: UserPool.clientName(ctx, client.name),
    generateSecret: client.generateSecret,
    ...(oauth ? { allowedOAuthFlows: client.oauthFlows, allowedOAuthScopes: client.oauthScopes } : {}),
    ...(client.callbackURLs.length > 0 ? { callbackURLs: client.callbackURLs } : {}),
    ...(client.logoutURLs.length > 0 ? { logoutURLs: client.logoutURLs } : {}),
    // The hosted pages sign in the pool's own users; a machine client (client_credentials) signs in no user.
    ...(redirects ? { supportedIdentityProviders: [COGNITO_PROVIDER] } : {}),
    explicitAuthFlows: client.explicitAuthFlows,
    accessTokenValidityMinutes: client.accessTokenValidityMinutes,
    idTokenValidityMinutes: client.idTokenValidityMinutes,
    refreshTokenValidityDays: client.refreshTokenValidityDays,
    clientIDOutput: UserPool.clientIDOutput(index),
    ...(client.generateSecret ? { secretName: UserPool.clientSecretName(ctx, client.name) } : {}),
  };
}
