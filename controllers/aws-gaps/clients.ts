/**
 * The AWS API clients of the aws-gaps executor, behind a factory ({@link AwsClients}) so that unit tests inject fakes.
 * The only module that imports the AWS SDK.
 *
 * Credentials and endpoint are taken the way ACK controllers take them (docs/aws-gaps.md): the SDK's default
 * credential provider chain (environment variables, shared config and credentials files, web identity token / IRSA,
 * ECS container and EC2 instance metadata); the region from the child's `services.k8s.aws/region` annotation, else
 * the SDK's default (`AWS_REGION`, shared config); the endpoint from the service's `AWS_ENDPOINT_URL_<SERVICE>`
 * (`_WAFV2`, `_AUTO_SCALING`, `_RDS`, `_COGNITO_IDENTITY_PROVIDER`) or `AWS_ENDPOINT_URL` (read by the SDK itself, as an emulator or a VPC endpoint needs),
 * else the public regional endpoint.
 */
import { AutoScalingClient, DeletePolicyCommand, DescribePoliciesCommand, PutScalingPolicyCommand, type AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  DeleteUserPoolClientCommand,
  DescribeUserPoolClientCommand,
  ListUserPoolClientsCommand,
  UpdateUserPoolClientCommand,
  type CognitoIdentityProviderClientConfig,
  type UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { DeregisterDBProxyTargetsCommand, DescribeDBProxyTargetsCommand, RDSClient, RegisterDBProxyTargetsCommand, type RDSClientConfig } from '@aws-sdk/client-rds';
import { AssociateWebACLCommand, DisassociateWebACLCommand, GetWebACLForResourceCommand, WAFV2Client, type WAFV2ClientConfig } from '@aws-sdk/client-wafv2';
import type { AutoScalingTargetTracking } from '../../charts/aws-gaps.js';

/** The WAFv2 calls of a web ACL association, in one region. Each rejects with the SDK's error. */
export interface WebAclApi {
  /** ARN of the web ACL associated with `resourceARN`; undefined when it has none (GetWebACLForResource). */
  webACLFor(resourceARN: string): Promise<string | undefined>;
  /** Associates `webACLARN` with `resourceARN`, replacing any other web ACL (AssociateWebACL). */
  associate(webACLARN: string, resourceARN: string): Promise<void>;
  /** Removes the web ACL of `resourceARN` (DisassociateWebACL). */
  disassociate(resourceARN: string): Promise<void>;
}

/** A scaling policy of an EC2 Auto Scaling group, as DescribePolicies reports the fields target tracking sets. */
export interface ScalingPolicyState {
  /** `TargetTrackingScaling`, `SimpleScaling`, `StepScaling` or `PredictiveScaling`. */
  readonly policyType?: string;
  /** The predefined metric tracked; undefined for another type or a customized metric. */
  readonly metric?: string;
  /** Whether the target tracking configuration uses a customized metric. */
  readonly customizedMetric: boolean;
  readonly targetValue?: number;
  readonly disableScaleIn?: boolean;
  /** Undefined when AWS does not say (it reports `Enabled`; emulators may not). */
  readonly enabled?: boolean;
  readonly estimatedInstanceWarmup?: number;
}

/** A target tracking policy on a predefined metric, scaling both ways and enabled, as PutScalingPolicy sets it. */
export interface TargetTrackingPolicy {
  readonly metric: AutoScalingTargetTracking['metric'];
  readonly targetValue: number;
  /** @default none sent: AWS keeps the policy's value, or uses the group's default instance warmup */
  readonly estimatedInstanceWarmup?: number;
}

/** The EC2 Auto Scaling calls of a target tracking policy, in one region. Each rejects with the SDK's error. */
export interface AutoScalingApi {
  /** The policy `policyName` of the group; undefined when the group has none of that name (DescribePolicies). */
  policy(groupName: string, policyName: string): Promise<ScalingPolicyState | undefined>;
  /** Creates or updates the policy `policyName` of the group (PutScalingPolicy, PolicyType TargetTrackingScaling). */
  putTargetTracking(groupName: string, policyName: string, policy: TargetTrackingPolicy): Promise<void>;
  /** Deletes the policy `policyName` of the group (DeletePolicy). */
  deletePolicy(groupName: string, policyName: string): Promise<void>;
}

/** A database an RDS Proxy may target: an Aurora DB cluster or a DB instance, by identifier. */
export interface ProxyDatabase {
  readonly kind: 'cluster' | 'instance';
  readonly identifier: string;
}

/** One target of a proxy's target group, as DescribeDBProxyTargets reports it. */
export interface ProxyTargetState {
  /** `RDS_INSTANCE`, `TRACKED_CLUSTER` or `RDS_SERVERLESS_ENDPOINT`. */
  readonly type?: string;
  /** The instance identifier, or the cluster identifier of a TRACKED_CLUSTER target. */
  readonly rdsResourceId?: string;
  /** The cluster of an Aurora instance target; absent for a DB instance registered on its own. */
  readonly trackedClusterId?: string;
}

/** The RDS calls of a proxy's default target group, in one region. Each rejects with the SDK's error. */
export interface RdsProxyApi {
  /** Every target of the proxy's default target group (DescribeDBProxyTargets, all pages). */
  targets(proxyName: string): Promise<ProxyTargetState[]>;
  /** Registers `database` in the proxy's default target group (RegisterDBProxyTargets). */
  register(proxyName: string, database: ProxyDatabase): Promise<void>;
  /** Removes `database` from the proxy's default target group (DeregisterDBProxyTargets). */
  deregister(proxyName: string, database: ProxyDatabase): Promise<void>;
}

/** Units of the token lifetimes of an app client (`seconds`, `minutes`, `hours`, `days`). */
export interface TokenValidityUnits {
  readonly accessToken?: string;
  readonly idToken?: string;
  readonly refreshToken?: string;
}

/** The settings of an app client the operator manages, as Create/UpdateUserPoolClient take them. */
export interface UserPoolClientSettings {
  readonly allowedOAuthFlows?: readonly string[];
  readonly allowedOAuthScopes?: readonly string[];
  readonly allowedOAuthFlowsUserPoolClient?: boolean;
  readonly callbackURLs?: readonly string[];
  readonly logoutURLs?: readonly string[];
  readonly supportedIdentityProviders?: readonly string[];
  readonly explicitAuthFlows?: readonly string[];
  readonly accessTokenValidity?: number;
  readonly idTokenValidity?: number;
  readonly refreshTokenValidity?: number;
  readonly tokenValidityUnits?: TokenValidityUnits;
  readonly preventUserExistenceErrors?: string;
  readonly enableTokenRevocation?: boolean;
}

/** An app client as DescribeUserPoolClient reports it (fields AWS leaves out are undefined). */
export interface UserPoolClientState extends UserPoolClientSettings {
  readonly clientId: string;
  /** Present when the client was created with a secret. Never logged. */
  readonly clientSecret?: string;
  readonly creationDate?: Date;
}

/** The Cognito user pool calls of app clients, in one region. Each rejects with the SDK's error. */
export interface CognitoApi {
  /** Ids of the pool's app clients named `clientName` (ListUserPoolClients, all pages). */
  clientIds(userPoolId: string, clientName: string): Promise<string[]>;
  /** One app client (DescribeUserPoolClient). */
  describe(userPoolId: string, clientId: string): Promise<UserPoolClientState>;
  /** Creates an app client (CreateUserPoolClient); resolves with it, secret included when generated. */
  create(userPoolId: string, clientName: string, generateSecret: boolean, settings: UserPoolClientSettings): Promise<UserPoolClientState>;
  /** Replaces the settings of an app client (UpdateUserPoolClient: what it leaves out goes back to the default). */
  update(userPoolId: string, clientId: string, clientName: string, settings: UserPoolClientSettings): Promise<void>;
  /** Deletes an app client (DeleteUserPoolClient). */
  delete(userPoolId: string, clientId: string): Promise<void>;
}

/** Creates the AWS API clients the executor needs, per region (undefined: the SDK's default). Injected into AwsGapActions. */
export interface AwsClients {
  /** WAFv2. */
  webAcl(region: string | undefined): WebAclApi;
  /** EC2 Auto Scaling. */
  autoScaling(region: string | undefined): AutoScalingApi;
  /** RDS (proxy target groups). */
  rdsProxy(region: string | undefined): RdsProxyApi;
  /** Cognito user pools (app clients). */
  cognito(region: string | undefined): CognitoApi;
}

/**
 * Per-request limits of the SDK clients: a hung AWS call must not hold a reconcile worker forever. Without
 * `throwOnRequestTimeout` the SDK's request handler only warns when `requestTimeout` passes.
 */
export const AWS_REQUEST_TIMEOUTS = { connectionTimeout: 5_000, requestTimeout: 15_000, throwOnRequestTimeout: true } as const;

/** Options of {@link SdkAwsClients}. */
export interface SdkAwsClientsOptions {
  /**
   * Settings added to every client, e.g. a `requestHandler` (tests answer without a network) or `maxAttempts`.
   * @default {@link AWS_REQUEST_TIMEOUTS} as the request handler's options; everything else the SDK's defaults
   */
  readonly clientConfig?: Omit<WAFV2ClientConfig, 'region'> & Omit<AutoScalingClientConfig, 'region'> & Omit<RDSClientConfig, 'region'> & Omit<CognitoIdentityProviderClientConfig, 'region'>;
}

/** {@link AwsClients} backed by the AWS SDK for JavaScript v3; one client per region, reused. */
export class SdkAwsClients implements AwsClients {
  private readonly wafv2 = new Map<string, WAFV2Client>();
  private readonly autoscaling = new Map<string, AutoScalingClient>();
  private readonly rds = new Map<string, RDSClient>();
  private readonly cognitoIdp = new Map<string, CognitoIdentityProviderClient>();

  constructor(private readonly options: SdkAwsClientsOptions = {}) {}

  webAcl(region: string | undefined): WebAclApi {
    const client = this.wafv2Client(region);
    return {
      webACLFor: async (ResourceArn) => (await client.send(new GetWebACLForResourceCommand({ ResourceArn }))).WebACL?.ARN,
      associate: async (WebACLArn, ResourceArn) => {
        await client.send(new AssociateWebACLCommand({ WebACLArn, ResourceArn }));
      },
      disassociate: async (ResourceArn) => {
        await client.send(new DisassociateWebACLCommand({ ResourceArn }));
      },
    };
  }

  autoScaling(region: string | undefined): AutoScalingApi {
    const client = this.clientOf(this.autoscaling, region, (config) => new AutoScalingClient(config));
    return {
      policy: async (AutoScalingGroupName, PolicyName) => {
        const { ScalingPolicies } = await client.send(new DescribePoliciesCommand({ AutoScalingGroupName, PolicyNames: [PolicyName] }));
        const found = ScalingPolicies?.find((p) => p.PolicyName === PolicyName);
        if (!found) return undefined;
        const tracking = found.TargetTrackingConfiguration;
        return {
          policyType: found.PolicyType,
          metric: tracking?.PredefinedMetricSpecification?.PredefinedMetricType,
          customizedMetric: tracking?.CustomizedMetricSpecification !== undefined,
          targetValue: tracking?.TargetValue,
          disableScaleIn: tracking?.DisableScaleIn,
          enabled: found.Enabled,
          estimatedInstanceWarmup: found.EstimatedInstanceWarmup,
        };
      },
      putTargetTracking: async (AutoScalingGroupName, PolicyName, policy) => {
        await client.send(
          new PutScalingPolicyCommand({
            AutoScalingGroupName,
            PolicyName,
            PolicyType: 'TargetTrackingScaling',
            TargetTrackingConfiguration: { PredefinedMetricSpecification: { PredefinedMetricType: policy.metric }, TargetValue: policy.targetValue, DisableScaleIn: false },
            Enabled: true,
            ...(policy.estimatedInstanceWarmup !== undefined ? { EstimatedInstanceWarmup: policy.estimatedInstanceWarmup } : {}),
          }),
        );
      },
      deletePolicy: async (AutoScalingGroupName, PolicyName) => {
        await client.send(new DeletePolicyCommand({ AutoScalingGroupName, PolicyName }));
      },
    };
  }

  rdsProxy(region: string | undefined): RdsProxyApi {
    const client = this.clientOf(this.rds, region, (config) => new RDSClient(config));
    const identifiers = (database: ProxyDatabase) => (database.kind === 'cluster' ? { DBClusterIdentifiers: [database.identifier] } : { DBInstanceIdentifiers: [database.identifier] });
    return {
      targets: async (DBProxyName) => {
        const targets: ProxyTargetState[] = [];
        let Marker: string | undefined;
        do {
          const page = await client.send(new DescribeDBProxyTargetsCommand({ DBProxyName, TargetGroupName: 'default', ...(Marker ? { Marker } : {}) }));
          for (const t of page.Targets ?? []) targets.push({ type: t.Type, rdsResourceId: t.RdsResourceId, trackedClusterId: t.TrackedClusterId });
          Marker = page.Marker;
        } while (Marker);
        return targets;
      },
      register: async (DBProxyName, database) => {
        await client.send(new RegisterDBProxyTargetsCommand({ DBProxyName, TargetGroupName: 'default', ...identifiers(database) }));
      },
      deregister: async (DBProxyName, database) => {
        await client.send(new DeregisterDBProxyTargetsCommand({ DBProxyName, TargetGroupName: 'default', ...identifiers(database) }));
      },
    };
  }

  cognito(region: string | undefined): CognitoApi {
    const client = this.clientOf(this.cognitoIdp, region, (config) => new CognitoIdentityProviderClient(config));
    return {
      clientIds: async (UserPoolId, clientName) => {
        const ids: string[] = [];
        let NextToken: string | undefined;
        do {
          // 60 is the largest page Cognito serves.
          const page = await client.send(new ListUserPoolClientsCommand({ UserPoolId, MaxResults: 60, ...(NextToken ? { NextToken } : {}) }));
          for (const c of page.UserPoolClients ?? []) if (c.ClientName === clientName && c.ClientId) ids.push(c.ClientId);
          NextToken = page.NextToken;
        } while (NextToken);
        return ids;
      },
      describe: async (UserPoolId, ClientId) => clientState((await client.send(new DescribeUserPoolClientCommand({ UserPoolId, ClientId }))).UserPoolClient),
      create: async (UserPoolId, ClientName, GenerateSecret, settings) =>
        clientState((await client.send(new CreateUserPoolClientCommand({ UserPoolId, ClientName, GenerateSecret, ...sdkSettings(settings) }))).UserPoolClient),
      update: async (UserPoolId, ClientId, ClientName, settings) => {
        await client.send(new UpdateUserPoolClientCommand({ UserPoolId, ClientId, ClientName, ...sdkSettings(settings) }));
      },
      delete: async (UserPoolId, ClientId) => {
        await client.send(new DeleteUserPoolClientCommand({ UserPoolId, ClientId }));
      },
    };
  }

  /** Closes the clients' connections (the process is ending, or a test is done). */
  close(): void {
    for (const clients of [this.wafv2, this.autoscaling, this.rds, this.cognitoIdp]) {
      for (const client of clients.values()) client.destroy();
      clients.clear();
    }
  }

  private wafv2Client(region: string | undefined): WAFV2Client {
    return this.clientOf(this.wafv2, region, (config) => new WAFV2Client(config));
  }

  /** The client of `region` in `clients`, created with the request limits and {@link SdkAwsClientsOptions.clientConfig}. */
  private clientOf<C>(clients: Map<string, C>, region: string | undefined, create: (config: SdkAwsClientsOptions['clientConfig'] & { region?: string }) => C): C {
    const key = region ?? '';
    let client = clients.get(key);
    if (!client) {
      client = create({ requestHandler: AWS_REQUEST_TIMEOUTS, ...this.options.clientConfig, ...(region ? { region } : {}) });
      clients.set(key, client);
    }
    return client;
  }
}

/** Create/UpdateUserPoolClient's fields for `settings` (the SDK's enums are the strings the handler sends). */
function sdkSettings(s: UserPoolClientSettings) {
  const list = <T extends string>(v: readonly string[] | undefined) => (v === undefined ? undefined : ([...v] as T[]));
  const units = s.tokenValidityUnits;
  const fields = {
    AllowedOAuthFlows: list<'code' | 'implicit' | 'client_credentials'>(s.allowedOAuthFlows),
    AllowedOAuthScopes: list(s.allowedOAuthScopes),
    AllowedOAuthFlowsUserPoolClient: s.allowedOAuthFlowsUserPoolClient,
    CallbackURLs: list(s.callbackURLs),
    LogoutURLs: list(s.logoutURLs),
    SupportedIdentityProviders: list(s.supportedIdentityProviders),
    ExplicitAuthFlows: list<NonNullable<UserPoolClientType['ExplicitAuthFlows']>[number]>(s.explicitAuthFlows),
    AccessTokenValidity: s.accessTokenValidity,
    IdTokenValidity: s.idTokenValidity,
    RefreshTokenValidity: s.refreshTokenValidity,
    TokenValidityUnits: units && {
      AccessToken: units.accessToken as TimeUnit,
      IdToken: units.idToken as TimeUnit,
      RefreshToken: units.refreshToken as TimeUnit,
    },
    PreventUserExistenceErrors: s.preventUserExistenceErrors as UserPoolClientType['PreventUserExistenceErrors'],
    EnableTokenRevocation: s.enableTokenRevocation,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Partial<typeof fields>;
}

type TimeUnit = NonNullable<NonNullable<UserPoolClientType['TokenValidityUnits']>['AccessToken']>;

/** The state of the app client `c` of an answer (Describe and Create always return one). */
function clientState(c: UserPoolClientType | undefined): UserPoolClientState {
  if (!c?.ClientId) throw new Error('Cognito answered without the app client');
  const units = c.TokenValidityUnits;
  return {
    clientId: c.ClientId,
    ...(c.ClientSecret !== undefined ? { clientSecret: c.ClientSecret } : {}),
    ...(c.CreationDate !== undefined ? { creationDate: c.CreationDate } : {}),
    allowedOAuthFlows: c.AllowedOAuthFlows,
    allowedOAuthScopes: c.AllowedOAuthScopes,
    allowedOAuthFlowsUserPoolClient: c.AllowedOAuthFlowsUserPoolClient,
    callbackURLs: c.CallbackURLs,
    logoutURLs: c.LogoutURLs,
    supportedIdentityProviders: c.SupportedIdentityProviders,
    explicitAuthFlows: c.ExplicitAuthFlows,
    accessTokenValidity: c.AccessTokenValidity,
    idTokenValidity: c.IdTokenValidity,
    refreshTokenValidity: c.RefreshTokenValidity,
    tokenValidityUnits: units && { accessToken: units.AccessToken, idToken: units.IdToken, refreshToken: units.RefreshToken },
    preventUserExistenceErrors: c.PreventUserExistenceErrors,
    enableTokenRevocation: c.EnableTokenRevocation,
  };
}
