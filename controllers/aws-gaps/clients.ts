/**
 * The AWS API clients of the aws-gaps executor, behind a factory ({@link AwsClients}) so that unit tests inject fakes.
 * The only module that imports the AWS SDK.
 *
 * Credentials and endpoint are taken the way ACK controllers take them (docs/aws-gaps.md): the SDK's default
 * credential provider chain (environment variables, shared config and credentials files, web identity token / IRSA,
 * ECS container and EC2 instance metadata); the region from the child's `services.k8s.aws/region` annotation, else
 * the SDK's default (`AWS_REGION`, shared config); the endpoint from the service's `AWS_ENDPOINT_URL_<SERVICE>`
 * (`_WAFV2`, `_AUTO_SCALING`) or `AWS_ENDPOINT_URL` (read by the SDK itself, as an emulator or a VPC endpoint needs),
 * else the public regional endpoint.
 */
import { AutoScalingClient, DeletePolicyCommand, DescribePoliciesCommand, PutScalingPolicyCommand, type AutoScalingClientConfig } from '@aws-sdk/client-auto-scaling';
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

/** Creates the AWS API clients the executor needs, per region. Injected into AwsGapActions. */
export interface AwsClients {
  /** WAFv2 in `region`; undefined means the SDK's default region. */
  webAcl(region: string | undefined): WebAclApi;
  /** EC2 Auto Scaling in `region`; undefined means the SDK's default region. */
  autoScaling(region: string | undefined): AutoScalingApi;
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
  readonly clientConfig?: Omit<WAFV2ClientConfig, 'region'> & Omit<AutoScalingClientConfig, 'region'>;
}

/** {@link AwsClients} backed by the AWS SDK for JavaScript v3; one client per region, reused. */
export class SdkAwsClients implements AwsClients {
  private readonly wafv2 = new Map<string, WAFV2Client>();
  private readonly autoscaling = new Map<string, AutoScalingClient>();

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

  /** Closes the clients' connections (the process is ending, or a test is done). */
  close(): void {
    for (const clients of [this.wafv2, this.autoscaling]) {
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
