/**
 * The cache: an ElastiCache cache subnet group and one replication group (Redis or Valkey). ACK has no cluster
 * mode switch (the generator ignores ClusterMode): more than one shard plus a `*.cluster.on` parameter group is
 * what makes a replication group cluster-mode enabled (docs/ack-facts.md, "ElastiCache replication groups").
 */
import { Construct } from 'constructs';
import type { CacheSpec } from '../../api/index.js';
import * as elasticache from '../../imports/elasticache.services.k8s.aws.js';
import type { EnvironmentContext } from '../context.js';
import type { OutputDeclaration } from '../outputs.js';
import { CACHE_PORT } from '../ports.js';

/** Props of {@link Cache}. */
export interface CacheProps {
  /** Rendering context of the environment. */
  readonly ctx: EnvironmentContext;
  /** `spec.cache`, defaulted. */
  readonly spec: CacheSpec;
  /** Kubernetes names of the subnets of `spec.subnetTier`. */
  readonly subnetNames: string[];
  /** Kubernetes name of the cache tier's security group. */
  readonly securityGroupName: string;
  /** Kubernetes name of the environment KMS key. */
  readonly kmsKeyName: string;
}

/**
 * The AWS default cluster-mode parameter group of an engine version. Family names are irregular: redis 7+ and
 * valkey use the major version (`default.redis7.cluster.on`, `default.valkey8.cluster.on`), redis 6 uses `6.x`,
 * older redis uses major.minor (`default.redis5.0.cluster.on`).
 */
export function clusterModeParameterGroup(engine: CacheSpec['engine'], engineVersion: string): string {
  const [major = '', minor = '0'] = engineVersion.split('.');
  if (engine === 'valkey' || Number(major) >= 7) return `default.${engine}${major}.cluster.on`;
  if (major === '6') return 'default.redis6.x.cluster.on';
  return `default.redis${major}.${minor}.cluster.on`;
}

/**
 * Outputs of the replication group: the configuration endpoint in cluster mode, otherwise (AWS reports no
 * configuration endpoint then) the primary endpoint of its only node group.
 */
const CACHE_OUTPUTS: OutputDeclaration[] = ['status.configurationEndpoint', 'status.nodeGroups.0.primaryEndpoint'].flatMap((endpoint) => [
  { output: '/cache/configurationEndpoint', fieldPath: `${endpoint}.address` },
  { output: '/cache/port', fieldPath: `${endpoint}.port` },
]);

/** The cache of one environment. */
export class Cache extends Construct {
  /** Kubernetes name of the ReplicationGroup. */
  static replicationGroupName(ctx: EnvironmentContext): string {
    return ctx.names.k8s('cache');
  }

  /** AWS replication group id (AWS: at most 40 characters, lower case; 16 + 7 + 12 = 35 here). */
  static replicationGroupID(ctx: EnvironmentContext): string {
    return ctx.names.aws('cache');
  }

  /** Kubernetes name of the CacheSubnetGroup. */
  readonly subnetGroupName: string;
  /** Kubernetes name of the ReplicationGroup. */
  readonly replicationGroupName: string;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { ctx, spec } = props;
    const { names } = ctx;
    this.subnetGroupName = names.k8s('cache-subnets');
    this.replicationGroupName = Cache.replicationGroupName(ctx);
    new elasticache.CacheSubnetGroup(this, 'subnet-group', {
      metadata: ctx.metadata('cache', this.subnetGroupName, { underpinsData: true }),
      spec: {
        cacheSubnetGroupName: names.aws('cache-subnets'),
        cacheSubnetGroupDescription: `${names.aws()}: subnets of the cache`,
        subnetRefs: props.subnetNames.map((name) => ctx.ref(name)),
        tags: names.tags(names.aws('cache-subnets')),
      },
    });
    const clusterMode = spec.shards > 1;
    const replicated = spec.replicasPerShard >= 1;
    const groupId = Cache.replicationGroupID(ctx);
    new elasticache.ReplicationGroup(this, 'replication-group', {
      metadata: ctx.metadata('cache', this.replicationGroupName, { dataBearing: true, outputs: CACHE_OUTPUTS }),
      spec: {
        replicationGroupId: groupId,
        description: `${names.aws()}: ${spec.engine} cache`,
        engine: spec.engine,
        engineVersion: spec.engineVersion,
        cacheNodeType: spec.nodeType,
        numNodeGroups: spec.shards,
        replicasPerNodeGroup: spec.replicasPerShard,
        // AWS requires automatic failover for cluster mode, and Multi-AZ requires automatic failover. ACK ignores
        // automaticFailoverEnabled in its diff, so it is effectively fixed at creation.
        automaticFailoverEnabled: clusterMode || replicated,
        multiAzEnabled: replicated,
        // Only cluster mode needs an explicit group; otherwise AWS picks the engine's default (and ACK
        // late-initialises it into the spec).
        cacheParameterGroupName: clusterMode ? clusterModeParameterGroup(spec.engine, spec.engineVersion) : undefined,
        transitEncryptionEnabled: spec.transitEncryption,
        atRestEncryptionEnabled: spec.atRestEncryption,
        kmsKeyRef: spec.atRestEncryption ? ctx.ref(props.kmsKeyName) : undefined,
        cacheSubnetGroupRef: ctx.ref(this.subnetGroupName),
        securityGroupRefs: [ctx.ref(props.securityGroupName)],
        snapshotRetentionLimit: spec.snapshotRetentionDays,
        port: CACHE_PORT,
        tags: names.tags(groupId),
      },
    });
  }
}
