/**
 * Plays the ACK controllers' part in tests on a cluster where none runs: writes the status an ACK controller would
 * write once the AWS resource exists (conditions, ids, ARNs, kind-specific ready fields).
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import type { KubeClient } from '../../../controllers/runtime/kube-client.js';

type Child = KubernetesObject & { status?: Record<string, unknown> };

const ACCOUNT = '123456789012';

/** The status ACK would report for a synced child of `kind` named `name`. */
export function syncedStatus(kind: string, name: string, region = 'us-east-1'): Record<string, unknown> {
  const id = `${kind.toLowerCase()}-${name}`.slice(0, 60);
  const arn = `arn:aws:test:${region}:${ACCOUNT}:${kind.toLowerCase()}/${name}`;
  const base = {
    ackResourceMetadata: { arn, ownerAccountID: ACCOUNT, region },
    conditions: [
      { type: 'ACK.ResourceSynced', status: 'True', reason: '', message: 'Resource synced successfully' },
      { type: 'Ready', status: 'True', reason: '', message: 'Resource synced successfully' },
    ],
  };
  const extra: Record<string, Record<string, unknown>> = {
    VPC: { vpcID: `vpc-${id}` },
    Subnet: { subnetID: `subnet-${id}` },
    SecurityGroup: { id: `sg-${id}` },
    InternetGateway: { internetGatewayID: `igw-${id}` },
    ElasticIPAddress: { allocationID: `eipalloc-${id}` },
    NATGateway: { natGatewayID: `nat-${id}`, state: 'available' },
    RouteTable: { routeTableID: `rtb-${id}` },
    DBCluster: {
      status: 'available',
      endpoint: `${name}.cluster.example`,
      readerEndpoint: `${name}.cluster-ro.example`,
      masterUserSecret: { secretARN: `arn:aws:secretsmanager:${region}:${ACCOUNT}:secret:rds!cluster-${name}-AbCdEf`, secretStatus: 'active' },
    },
    DBInstance: { dbInstanceStatus: 'available', endpoint: { address: `${name}.instance.example`, port: 3306 } },
    ReplicationGroup: { status: 'available', configurationEndpoint: { address: `${name}.cache.example`, port: 6379 } },
    Key: { keyID: `key-${id}` },
    Secret: { id: arn },
    OriginAccessControl: { id: `oac-${id}` },
    Distribution: { id: `dist-${id}`, status: 'Deployed', domainName: `${id}.cloudfront.net` },
    WebACL: { id: `waf-${id}` },
    // The application tier: the fields the late bindings, outputs and kind-specific readiness (ack-status.ts) read.
    LoadBalancer: { dnsName: `${name}-1234567890.${region}.elb.amazonaws.com`, canonicalHostedZoneID: 'Z35SXDOTRQ7X7K', state: { code: 'active' } },
    Certificate: { status: 'ISSUED' },
    Repository: { repositoryURI: `${ACCOUNT}.dkr.ecr.${region}.amazonaws.com/${name}` },
    LaunchTemplate: { id: `lt-${id}` },
  };
  return { ...base, ...(extra[kind] ?? {}) };
}

/** Marks one child synced. */
export async function markSynced(kube: KubeClient, child: Child): Promise<void> {
  const { apiVersion, kind, metadata } = child;
  await kube.patchStatus({ apiVersion: apiVersion!, kind: kind!, namespace: metadata!.namespace, name: metadata!.name! }, syncedStatus(kind!, metadata!.name!));
}

/** Marks a child terminally failed, as ACK does on a terminal AWS error. */
export async function markTerminal(kube: KubeClient, child: Child, message: string): Promise<void> {
  const { apiVersion, kind, metadata } = child;
  await kube.patchStatus({ apiVersion: apiVersion!, kind: kind!, namespace: metadata!.namespace, name: metadata!.name! }, {
    conditions: [
      { type: 'ACK.Terminal', status: 'True', reason: 'InvalidParameterCombination', message },
      { type: 'ACK.ResourceSynced', status: 'False', reason: '', message: 'Resource not synced' },
      { type: 'Ready', status: 'False', reason: 'ACK.Terminal', message },
    ],
  });
}
