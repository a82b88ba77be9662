/** The kinds the charts render, with their plural resource names (for watching, RBAC and discovery). Pure data. */
import * as ec2 from '../imports/ec2.services.k8s.aws.js';
import * as elasticache from '../imports/elasticache.services.k8s.aws.js';
import * as kms from '../imports/kms.services.k8s.aws.js';
import * as rds from '../imports/rds.services.k8s.aws.js';
import * as s3 from '../imports/s3.services.k8s.aws.js';
import * as secretsmanager from '../imports/secretsmanager.services.k8s.aws.js';
import { Distribution, OriginAccessControl } from './ack/cloudfront.js';
import { WebAcl } from './ack/wafv2.js';

/** A child kind: its GVK and plural resource name. */
export interface ChildKind {
  readonly apiVersion: string;
  readonly kind: string;
  readonly plural: string;
}

const gvks = [
  [ec2.Vpc.GVK, 'vpcs'], [ec2.Subnet.GVK, 'subnets'], [ec2.InternetGateway.GVK, 'internetgateways'],
  [ec2.ElasticIpAddress.GVK, 'elasticipaddresses'], [ec2.NatGateway.GVK, 'natgateways'],
  [ec2.RouteTable.GVK, 'routetables'], [ec2.SecurityGroup.GVK, 'securitygroups'],
  [rds.DbSubnetGroup.GVK, 'dbsubnetgroups'], [rds.DbCluster.GVK, 'dbclusters'], [rds.DbInstance.GVK, 'dbinstances'],
  [elasticache.CacheSubnetGroup.GVK, 'cachesubnetgroups'], [elasticache.ReplicationGroup.GVK, 'replicationgroups'],
  [s3.Bucket.GVK, 'buckets'], [OriginAccessControl.GVK, 'originaccesscontrols'], [Distribution.GVK, 'distributions'],
  [WebAcl.GVK, 'webacls'], [secretsmanager.Secret.GVK, 'secrets'], [kms.Key.GVK, 'keys'],
] as const;

/** Every kind an environment may render. */
export const CHILD_KINDS: readonly ChildKind[] = gvks.map(([gvk, plural]) => ({ apiVersion: gvk.apiVersion, kind: gvk.kind, plural }));

/** `apiVersion/kind` key of an object or kind. */
export const gvkKey = (o: { apiVersion?: string; kind?: string }): string => `${o.apiVersion}/${o.kind}`;

/** `apiVersion/kind/name` key of an object in one namespace. */
export const objectKey = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): string =>
  `${o.apiVersion}/${o.kind}/${o.metadata?.name}`;
