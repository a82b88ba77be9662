/**
 * An in-memory RDS (proxy target groups) and Cognito (user pool app clients) behind the AwsClients factory (FakeWafv2
 * delegates to them), recording every call and behaving as AWS documents; and the children and declarations of an
 * environment with a database proxy and a user pool.
 */
import { awsGapAnnotations, type AwsGap, type CognitoUserPoolClient, type RdsProxyTargets } from '../../../charts/aws-gaps.js';
import { DELETION_POLICY_ANNOTATION, REGION_ANNOTATION } from '../../../charts/context.js';
import { COMPONENT_LABEL } from '../../../charts/naming.js';
import type { CognitoApi, ProxyDatabase, ProxyTargetState, RdsProxyApi, UserPoolClientState } from '../../../controllers/aws-gaps/clients.js';
import type { AwsGapChild } from '../../../controllers/aws-gaps/declarations.js';
import { awsError } from './fake-errors.js';

/** One recorded call: operation, region and arguments. */
export interface RecordedCall<Op extends string> {
  readonly operation: Op;
  readonly region: string | undefined;
  readonly args: readonly unknown[];
}

/** Calls, injected failures and `take()`, shared by the fakes. */
class Recorder<Op extends string> {
  readonly calls: RecordedCall<Op>[] = [];
  /** The next calls of an operation fail with these errors, in order. */
  readonly failures = new Map<Op, Error[]>();

  protected record(operation: Op, region: string | undefined, args: readonly unknown[]): void {
    this.calls.push({ operation, region, args });
    const failure = this.failures.get(operation)?.shift();
    if (failure) throw failure;
  }

  /** The operations called since the last `take()`, and forgets them. */
  take(): Op[] {
    return this.calls.splice(0).map((c) => c.operation);
  }
}

type RdsOperation = 'DescribeDBProxyTargets' | 'RegisterDBProxyTargets' | 'DeregisterDBProxyTargets';

/**
 * RDS proxies by name, with the targets of their default target group. Proxies not in `targets` answer
 * DBProxyNotFoundFault. As on AWS, a target group holds one database (DBProxyTargetAlreadyRegisteredFault otherwise),
 * and an Aurora cluster is listed as a TRACKED_CLUSTER target plus one RDS_INSTANCE target per member.
 */
export class FakeRdsProxy extends Recorder<RdsOperation> {
  readonly targets = new Map<string, ProxyTargetState[]>();
  /** Members of the Aurora clusters, by cluster identifier. */
  readonly clusterMembers = new Map<string, string[]>();

  api(region: string | undefined): RdsProxyApi {
    const proxy = (operation: RdsOperation, name: string, ...args: unknown[]) => {
      this.record(operation, region, [name, ...args]);
      const targets = this.targets.get(name);
      if (!targets) throw awsError('DBProxyNotFoundFault', `The specified proxy name ${name} doesn't correspond to a proxy owned by your Amazon Web Services account in the specified Amazon Web Services Region.`);
      return targets;
    };
    const owns = (t: ProxyTargetState, d: ProxyDatabase) => (d.kind === 'cluster' ? t.trackedClusterId === d.identifier || (t.type === 'TRACKED_CLUSTER' && t.rdsResourceId === d.identifier) : t.rdsResourceId === d.identifier && !t.trackedClusterId);
    return {
      targets: async (name) => proxy('DescribeDBProxyTargets', name).map((t) => ({ ...t })),
      register: async (name, database) => {
        const targets = proxy('RegisterDBProxyTargets', name, database);
        if (targets.length > 0) throw awsError('DBProxyTargetAlreadyRegisteredFault', `The proxy is already associated with the specified RDS DB instance or Aurora DB cluster.`);
        if (database.kind === 'instance') targets.push({ type: 'RDS_INSTANCE', rdsResourceId: database.identifier });
        else {
          targets.push({ type: 'TRACKED_CLUSTER', rdsResourceId: database.identifier, trackedClusterId: database.identifier });
          for (const m of this.clusterMembers.get(database.identifier) ?? []) targets.push({ type: 'RDS_INSTANCE', rdsResourceId: m, trackedClusterId: database.identifier });
        }
      },
      deregister: async (name, database) => {
        const targets = proxy('DeregisterDBProxyTargets', name, database);
        if (!targets.some((t) => owns(t, database))) throw awsError('DBProxyTargetNotFoundFault', `The specified RDS DB instance or Aurora DB cluster isn't available for a proxy owned by your Amazon Web Services account in the specified Amazon Web Services Region.`);
        this.targets.set(name, targets.filter((t) => !owns(t, database)));
      },
    };
  }
}

type CognitoOperation = 'ListUserPoolClients' | 'DescribeUserPoolClient' | 'CreateUserPoolClient' | 'UpdateUserPoolClient' | 'DeleteUserPoolClient';

/** An app client as the fake stores it. */
export type StoredClient = UserPoolClientState & { readonly clientName: string };

/**
 * Cognito user pools by id, with their app clients by id. Pools not in `pools` answer ResourceNotFoundException. As on
 * AWS, ids and secrets are generated, names are not unique, and an update replaces every setting (what it is not given
 * goes back to the default, here: absent).
 */
export class FakeCognito extends Recorder<CognitoOperation> {
  readonly pools = new Map<string, Map<string, StoredClient>>();
  private created = 0;

  api(region: string | undefined): CognitoApi {
    const pool = (operation: CognitoOperation, id: string, ...args: unknown[]) => {
      this.record(operation, region, [id, ...args]);
      const clients = this.pools.get(id);
      if (!clients) throw awsError('ResourceNotFoundException', `User pool ${id} does not exist.`);
      return clients;
    };
    const client = (clients: Map<string, StoredClient>, id: string) => {
      const found = clients.get(id);
      if (!found) throw awsError('ResourceNotFoundException', `User pool client ${id} does not exist.`);
      return found;
    };
    return {
      clientIds: async (id, name) => [...pool('ListUserPoolClients', id, name).values()].filter((c) => c.clientName === name).map((c) => c.clientId),
      describe: async (id, clientId) => ({ ...client(pool('DescribeUserPoolClient', id, clientId), clientId) }),
      create: async (id, clientName, generateSecret, settings) => {
        const clients = pool('CreateUserPoolClient', id, clientName, generateSecret, settings);
        const n = ++this.created;
        const stored: StoredClient = { clientId: `7abc${n}def`, clientName, ...(generateSecret ? { clientSecret: `s3cr3t-${n}-do-not-log` } : {}), creationDate: new Date(n * 1000), ...settings };
        clients.set(stored.clientId, stored);
        return { ...stored };
      },
      update: async (id, clientId, clientName, settings) => {
        const clients = pool('UpdateUserPoolClient', id, clientId, clientName, settings);
        const { clientSecret, creationDate } = client(clients, clientId);
        clients.set(clientId, { clientId, clientName, ...(clientSecret !== undefined ? { clientSecret } : {}), ...(creationDate ? { creationDate } : {}), ...settings });
      },
      delete: async (id, clientId) => {
        const clients = pool('DeleteUserPoolClient', id, clientId);
        client(clients, clientId);
        clients.delete(clientId);
      },
    };
  }

  /** The clients of `pool`. */
  clients(pool: string): StoredClient[] {
    return [...(this.pools.get(pool)?.values() ?? [])];
  }
}

interface ChildOptions {
  readonly synced?: boolean;
  readonly status?: Record<string, unknown>;
  readonly annotations?: Record<string, string>;
  readonly gaps?: readonly AwsGap[];
}

function child(ref: { apiVersion: string; kind: string; name: string }, component: string, options: ChildOptions): AwsGapChild {
  const conditions = options.synced === undefined ? [] : [{ type: 'ACK.ResourceSynced', status: options.synced ? 'True' : 'False' }];
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, labels: { [COMPONENT_LABEL]: component }, annotations: { [REGION_ANNOTATION]: 'eu-west-1', ...awsGapAnnotations(options.gaps ?? []), ...options.annotations } },
    ...(options.status || conditions.length ? { status: { ...options.status, conditions } } : {}),
  };
}

export const PROXY_NAME = 'shop-db-proxy-dev';
export const PROXY_ARN = 'arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123456789abcdef0';
export const DB_CLUSTER_ID = 'shop-db-dev';
export const DB_CLUSTER_ARN = `arn:aws:rds:eu-west-1:123456789012:cluster:${DB_CLUSTER_ID}`;
export const DB_INSTANCE_ID = 'shop-db-dev';
export const DB_INSTANCE_ARN = `arn:aws:rds:eu-west-1:123456789012:db:${DB_INSTANCE_ID}`;

const RDS = 'rds.services.k8s.aws/v1alpha1';
export const PROXY = { apiVersion: RDS, kind: 'DBProxy', name: 'shop-db-proxy' } as const;
export const CLUSTER = { apiVersion: RDS, kind: 'DBCluster', name: 'shop-db' } as const;
export const INSTANCE = { apiVersion: RDS, kind: 'DBInstance', name: 'shop-db' } as const;
const arnField = 'status.ackResourceMetadata.arn';

/** The declaration a proxy construct renders: the Aurora cluster as its target (or, `instance`, the DB instance). */
export function proxyTargets(database: 'cluster' | 'instance' = 'cluster'): RdsProxyTargets {
  return {
    type: 'RdsProxyTargets',
    name: 'shop-db-proxy-targets',
    proxyARN: { from: PROXY, fieldPath: arnField },
    proxyName: PROXY_NAME,
    ...(database === 'cluster' ? { databaseARN: { from: CLUSTER, fieldPath: arnField }, dbClusterIdentifier: DB_CLUSTER_ID } : { databaseARN: { from: INSTANCE, fieldPath: arnField }, dbInstanceIdentifier: DB_INSTANCE_ID }),
  };
}

/** The DBProxy child carrying `gaps` (default: the cluster as its target); with `arn`, as ACK reports it. */
export function dbProxy(options: ChildOptions & { arn?: boolean } = {}): AwsGapChild {
  return child(PROXY, 'database', { ...options, gaps: options.gaps ?? [proxyTargets()], ...(options.arn ? { status: { ackResourceMetadata: { arn: PROXY_ARN } } } : {}) });
}

/** The database child (`cluster` or `instance`), synced with its ARN unless `synced` is false. */
export function database(kind: 'cluster' | 'instance' = 'cluster', synced = true): AwsGapChild {
  return child(kind === 'cluster' ? CLUSTER : INSTANCE, 'database', { synced, status: { ackResourceMetadata: { arn: kind === 'cluster' ? DB_CLUSTER_ARN : DB_INSTANCE_ARN } } });
}

export const POOL_ID = 'eu-west-1_AbCdEf123';
const POOL = { apiVersion: 'cognitoidentityprovider.services.k8s.aws/v1alpha1', kind: 'UserPool', name: 'shop-users' } as const;

/** The declaration an identity construct renders: a confidential web client with the code grant. */
export function appClient(extra: Partial<CognitoUserPoolClient> = {}): CognitoUserPoolClient {
  return {
    type: 'CognitoUserPoolClient',
    name: 'shop-users-web',
    userPoolID: { from: POOL, fieldPath: 'status.id' },
    clientName: 'shop-web-dev',
    generateSecret: true,
    allowedOAuthFlows: ['code'],
    allowedOAuthScopes: ['openid', 'email'],
    callbackURLs: ['https://shop.example.com/callback'],
    logoutURLs: ['https://shop.example.com/'],
    supportedIdentityProviders: ['COGNITO'],
    clientIDOutput: '/identity/clients/0/clientID',
    secretName: 'shop-users-web-client',
    ...extra,
  };
}

/** The UserPool child carrying `gaps` (default: the web client); with `id`, synced as ACK reports it. */
export function userPool(options: ChildOptions & { id?: boolean } = {}): AwsGapChild {
  return child(POOL, 'identity', {
    ...options,
    gaps: options.gaps ?? [appClient()],
    ...(options.id ? { status: { id: POOL_ID, ackResourceMetadata: { arn: `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL_ID}` } }, synced: options.synced ?? true } : {}),
  });
}

/** A UserPool child retained by ACK on deletion (deletionPolicy Retain of a data-bearing child). */
export function retainedUserPool(): AwsGapChild {
  return userPool({ id: true, annotations: { [DELETION_POLICY_ANNOTATION]: 'retain' } });
}
