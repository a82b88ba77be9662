/**
 * The kinds the charts render, with their plural resource names (for watching, RBAC and discovery) and their
 * deletion waves. Pure data.
 *
 * Deletion waves: while an environment is deleted, the controller deletes its children wave by wave, lowest first, the
 * next wave only once the previous one is gone (deletion-order.ts). ACK does not order deletion, and AWS refuses to
 * delete what is still in use (a VPC deleted before its subnets loops on DependencyViolation), so a kind's wave comes
 * after every kind that uses it. Mostly that is the reverse of the references, with two deliberate exceptions: a
 * NAT gateway goes before the route tables that route to it (a route to a deleted NAT gateway is only a blackhole
 * route, while the NAT gateway holds an elastic IP and an interface in a subnet), and a Distribution goes before the
 * buckets whose policy names it (it serves them). Within a wave, AWS retries sort out the rest: a web ACL is deleted
 * once the Distribution it protects no longer uses it, a security group once no other group's rules name it.
 */
import * as cloudfront from '../imports/cloudfront.services.k8s.aws.js';
import * as ec2 from '../imports/ec2.services.k8s.aws.js';
import * as elasticache from '../imports/elasticache.services.k8s.aws.js';
import * as kms from '../imports/kms.services.k8s.aws.js';
import * as rds from '../imports/rds.services.k8s.aws.js';
import * as s3 from '../imports/s3.services.k8s.aws.js';
import * as secretsmanager from '../imports/secretsmanager.services.k8s.aws.js';
import * as wafv2 from '../imports/wafv2.services.k8s.aws.js';

/** A child kind: its GVK, plural resource name and deletion wave. */
export interface ChildKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
  /** When it is deleted with its environment: lower waves first (see the module comment). */
  readonly deletionWave: number;
}

const child = (gvk: { apiVersion: string; kind: string }, plural: string, deletionWave: number): ChildKind => ({ apiVersion: gvk.apiVersion, kind: gvk.kind, plural, deletionWave });

/** Every kind an environment may render. */
export const CHILD_KINDS: readonly ChildKind[] = [
  child(ec2.Vpc.GVK, 'vpcs', 10),
  // Before its route tables: a route table cannot be deleted while subnets are associated with it.
  child(ec2.Subnet.GVK, 'subnets', 7),
  // After the route tables that route to it, and after the NAT gateways and elastic IPs: an internet gateway cannot be
  // detached while public addresses are mapped in the VPC.
  child(ec2.InternetGateway.GVK, 'internetgateways', 9),
  child(ec2.ElasticIpAddress.GVK, 'elasticipaddresses', 6),
  // Before its elastic IP and its subnet: it holds both (an address and a network interface).
  child(ec2.NatGateway.GVK, 'natgateways', 5),
  child(ec2.RouteTable.GVK, 'routetables', 8),
  // After the database and the cache, whose network interfaces use it.
  child(ec2.SecurityGroup.GVK, 'securitygroups', 4),
  child(rds.DbSubnetGroup.GVK, 'dbsubnetgroups', 3),
  // After its member instances: AWS deletes a cluster only once it has no instances.
  child(rds.DbCluster.GVK, 'dbclusters', 2),
  child(rds.DbInstance.GVK, 'dbinstances', 1),
  child(elasticache.CacheSubnetGroup.GVK, 'cachesubnetgroups', 3),
  child(elasticache.ReplicationGroup.GVK, 'replicationgroups', 1),
  // After the Distribution that serves it.
  child(s3.Bucket.GVK, 'buckets', 3),
  // After the Distribution whose origins use it.
  child(cloudfront.OriginAccessControl.GVK, 'originaccesscontrols', 1),
  child(cloudfront.Distribution.GVK, 'distributions', 0),
  // With the Distribution: it protects it.
  child(wafv2.WebAcl.GVK, 'webacls', 0),
  child(secretsmanager.Secret.GVK, 'secrets', 1),
  // Last: the database, the cache, the buckets and the secrets were encrypted with it.
  child(kms.Key.GVK, 'keys', 11),
];

/** `apiVersion/kind` key of an object or kind. */
export const gvkKey = (o: { apiVersion?: string; kind?: string }): string => `${o.apiVersion}/${o.kind}`;

/** `apiVersion/kind/name` key of an object in one namespace. */
export const objectKey = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
