/**
 * The AWS API clients of the aws-gaps executor, behind a factory ({@link AwsClients}) so that unit tests inject fakes.
 * The only module that imports the AWS SDK.
 *
 * Credentials and endpoint are taken the way ACK controllers take them (docs/aws-gaps.md): the SDK's default
 * credential provider chain (environment variables, shared config and credentials files, web identity token / IRSA,
 * ECS container and EC2 instance metadata); the region from the child's `services.k8s.aws/region` annotation, else
 * the SDK's default (`AWS_REGION`, shared config); the endpoint from `AWS_ENDPOINT_URL_WAFV2` or `AWS_ENDPOINT_URL`
 * (read by the SDK itself, as an emulator or a VPC endpoint needs), else the public regional endpoint.
 */
import { AssociateWebACLCommand, DisassociateWebACLCommand, GetWebACLForResourceCommand, WAFV2Client, type WAFV2ClientConfig } from '@aws-sdk/client-wafv2';

/** The WAFv2 calls of a web ACL association, in one region. Each rejects with the SDK's error. */
export interface WebAclApi {
  /** ARN of the web ACL associated with `resourceARN`; undefined when it has none (GetWebACLForResource). */
  webACLFor(resourceARN: string): Promise<string | undefined>;
  /** Associates `webACLARN` with `resourceARN`, replacing any other web ACL (AssociateWebACL). */
  associate(webACLARN: string, resourceARN: string): Promise<void>;
  /** Removes the web ACL of `resourceARN` (DisassociateWebACL). */
  disassociate(resourceARN: string): Promise<void>;
}

/** Creates the AWS API clients the executor needs, per region. Injected into AwsGapActions. */
export interface AwsClients {
  /** WAFv2 in `region`; undefined means the SDK's default region. */
  webAcl(region: string | undefined): WebAclApi;
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
  readonly clientConfig?: Omit<WAFV2ClientConfig, 'region'>;
}

/** {@link AwsClients} backed by the AWS SDK for JavaScript v3; one client per region, reused. */
export class SdkAwsClients implements AwsClients {
  private readonly wafv2 = new Map<string, WAFV2Client>();

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

  /** Closes the clients' connections (the process is ending, or a test is done). */
  close(): void {
    for (const client of this.wafv2.values()) client.destroy();
    this.wafv2.clear();
  }

  private wafv2Client(region: string | undefined): WAFV2Client {
    const key = region ?? '';
    let client = this.wafv2.get(key);
    if (!client) {
      client = new WAFV2Client({ requestHandler: AWS_REQUEST_TIMEOUTS, ...this.options.clientConfig, ...(region ? { region } : {}) });
      this.wafv2.set(key, client);
    }
    return client;
  }
}
