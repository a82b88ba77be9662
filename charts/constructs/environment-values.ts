/**
 * Values of the environment an environment variable can take (`fromOutput`), for the containers' task definitions and
 * the functions alike: either known when rendering (ports, bucket and table names, the region, the central log group's
 * name, the stage) or only once AWS has created something (endpoints, DNS names, a table's ARN), which the caller then
 * declares as a late binding (bindings.ts) reading the source this module names (an app client's id: the environment's
 * own status.outputs, which the operator fills once it has created the client).
 */
import type { FunctionVariable } from '../../api/index.js';
import * as cloudfront from '../../imports/cloudfront.services.k8s.aws.js';
import * as cognito from '../../imports/cognitoidentityprovider.services.k8s.aws.js';
import * as dynamodb from '../../imports/dynamodb.services.k8s.aws.js';
import * as elasticache from '../../imports/elasticache.services.k8s.aws.js';
import * as elbv2 from '../../imports/elbv2.services.k8s.aws.js';
import * as rds from '../../imports/rds.services.k8s.aws.js';
import type { Binding } from '../bindings.js';
import type { EnvironmentContext } from '../context.js';
import { CACHE_PORT, databasePort } from '../ports.js';
import { Cache } from './cache.js';
import { Database, isAurora } from './database.js';
import { DatabaseProxy } from './database-proxy.js';
import { ARN } from './iam-grants.js';
import { Tables } from './tables.js';
import { USER_POOL_ID_FIELD, UserPool } from './user-pool.js';

/** A variable taking a value of the environment: a function's, or a container's (whose outputs are a subset). */
export type OutputVariable = Pick<FunctionVariable, 'name' | 'fromOutput' | 'bucket' | 'table' | 'client'>;

/** Where a value only AWS knows is read from: a field of another child. */
export type OutputSource = Pick<Binding, 'from' | 'fieldPath'>;

/** What resolving a variable needs besides the context. */
export interface OutputOptions {
  /** The variable's place in the spec, for error messages, e.g. `spec.compute.containers.environment`. */
  readonly where: string;
  /** Kubernetes name of the elbv2 LoadBalancer (fromOutput loadBalancerDNSName). @default none */
  readonly loadBalancerName?: string;
}

/** The value of `e` when it is known when rendering: ports, bucket and table names, the region, the log group, the stage. */
export function knownOutput(ctx: EnvironmentContext, e: OutputVariable): string | undefined {
  const { spec, names } = ctx;
  switch (e.fromOutput) {
    case 'databasePort':
      return spec.database ? String(databasePort(spec.database.engine)) : undefined;
    case 'cachePort':
      return String(CACHE_PORT);
    case 'bucketName':
      return e.bucket ? names.bucketAwsName(e.bucket) : undefined;
    case 'region':
      return spec.region;
    case 'tableName':
      return e.table ? Tables.awsName(ctx, e.table) : undefined;
    case 'logGroupName':
      return spec.logGroup?.name;
    case 'stage':
      return spec.environmentSuffix;
    default:
      return undefined;
  }
}

/**
 * Where the value of `e` is read from when only AWS knows it. The CRD's CEL rules guarantee the section it needs
 * exists; a spec that bypassed them fails here, naming the variable.
 */
export function outputSource(ctx: EnvironmentContext, e: OutputVariable, options: OutputOptions): OutputSource {
  const { database, cache } = ctx.spec;
  const missing = (what: string) => new Error(`${options.where}[${e.name}]: fromOutput ${e.fromOutput} needs ${what}`);
  switch (e.fromOutput) {
    case 'databaseWriterEndpoint':
    case 'databaseReaderEndpoint': {
      if (!database) throw missing('spec.database');
      const aurora = isAurora(database.engine);
      if (e.fromOutput === 'databaseReaderEndpoint' && !aurora) throw missing('an Aurora engine');
      const fieldPath = aurora ? (e.fromOutput === 'databaseWriterEndpoint' ? 'status.endpoint' : 'status.readerEndpoint') : 'status.endpoint.address';
      return { from: { ...(aurora ? rds.DbCluster.GVK : rds.DbInstance.GVK), name: Database.primaryName(ctx) }, fieldPath };
    }
    case 'databaseProxyEndpoint':
      if (!database?.proxy) throw missing('spec.database.proxy');
      return { from: { ...rds.DbProxy.GVK, name: DatabaseProxy.resourceName(ctx) }, fieldPath: 'status.endpoint' };
    case 'cacheEndpoint':
      if (!cache) throw missing('spec.cache');
      // Cluster mode (more than one shard) has a configuration endpoint; otherwise the primary endpoint.
      return {
        from: { ...elasticache.ReplicationGroup.GVK, name: Cache.replicationGroupName(ctx) },
        fieldPath: cache.shards > 1 ? 'status.configurationEndpoint.address' : 'status.nodeGroups.0.primaryEndpoint.address',
      };
    case 'cdnDomainName':
      if (!ctx.spec.cdn) throw missing('spec.cdn');
      return { from: { ...cloudfront.Distribution.GVK, name: ctx.names.distribution() }, fieldPath: 'status.domainName' };
    case 'loadBalancerDNSName':
      if (!options.loadBalancerName) throw missing('spec.loadBalancer');
      return { from: { ...elbv2.LoadBalancer.GVK, name: options.loadBalancerName }, fieldPath: 'status.dnsName' };
    case 'cognitoUserPoolId':
      if (!ctx.spec.identity) throw missing('spec.identity');
      return { from: { ...cognito.UserPool.GVK, name: UserPool.resourceName(ctx) }, fieldPath: USER_POOL_ID_FIELD };
    case 'cognitoClientId':
      if (!ctx.spec.identity) throw missing('spec.identity');
      if (!e.client) throw missing('client');
      // The operator creates the client (no ACK kind) and reports its id in the environment's own status.
      return UserPool.clientIDSource(ctx, ctx.spec.identity, e.client);
    case 'tableArn':
      if (!e.table) throw missing('table');
      return { from: { ...dynamodb.Table.GVK, name: Tables.resourceName(ctx, e.table) }, fieldPath: ARN };
    case 'logGroupName':
      throw missing('spec.logGroup');
    case 'bucketName':
    case 'tableName':
      throw missing(e.fromOutput === 'bucketName' ? 'bucket' : 'table');
    default:
      throw missing('a value the chart knows');
  }
}
