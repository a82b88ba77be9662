/**
 * RdsProxyTargets and CognitoUserPoolClient against the emulated AWS of the e2e stack (moto): a VPC, a MySQL DB
 * instance, an Aurora MySQL cluster, an RDS Proxy and a Cognito user pool are created directly through moto's AWS API
 * (boto3 in the moto virtualenv; the executor is tested without ACK, as in aws-gaps.test.ts), then the executor, with
 * the real AWS SDK pointed at moto by AWS_ENDPOINT_URL as the operator would be, registers the database behind the
 * proxy and keeps the app client of the pool, and undoes both. Every state is read back through moto's own API.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { arnOf, awsGapAnnotations, type AwsGap, type CognitoUserPoolClient, type RdsProxyTargets } from '../../charts/aws-gaps.js';
import { REGION_ANNOTATION } from '../../charts/context.js';
import { COMPONENT_LABEL } from '../../charts/naming.js';
import { AwsGapActions } from '../../controllers/aws-gaps/actions.js';
import { SdkAwsClients, type AwsClients } from '../../controllers/aws-gaps/clients.js';
import type { AwsGapChild } from '../../controllers/aws-gaps/declarations.js';
import type { SecretWriter } from '../../controllers/aws-gaps/secrets.js';
import { silentLogger } from '../../controllers/runtime/logger.js';
import { e2eInfo } from './env.js';
import { botoScript, motoSdkEnvironment } from './helpers/moto-scripts.js';

const REGION = 'us-east-1';
const info = e2eInfo();
const prefix = `gaps-id-${info.namespaceSuffix}`;

/** Fixtures and reads through boto3: `setup <prefix>`, `targets <proxy>`, `clients <pool id>`, `teardown <fixtures json>`. */
const BOTO = `
import boto3, json, sys
endpoint, region, op, arg = sys.argv[1:5]
kw = dict(endpoint_url=endpoint, region_name=region, aws_access_key_id='testing', aws_secret_access_key='testing')
ec2, rds, idp = (boto3.client(s, **kw) for s in ('ec2', 'rds', 'cognito-idp'))
if op == 'setup':
    vpc = ec2.create_vpc(CidrBlock='10.78.0.0/16')['Vpc']['VpcId']
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f'10.78.{i}.0/24', AvailabilityZone=region + z)['Subnet']['SubnetId'] for i, z in enumerate('ab')]
    instance = rds.create_db_instance(DBInstanceIdentifier=arg + '-mysql', DBInstanceClass='db.t3.micro', Engine='mysql', MasterUsername='admin', MasterUserPassword='not-a-secret-1', AllocatedStorage=20)['DBInstance']
    cluster = rds.create_db_cluster(DBClusterIdentifier=arg + '-aurora', Engine='aurora-mysql', MasterUsername='admin', MasterUserPassword='not-a-secret-1')['DBCluster']
    proxy = rds.create_db_proxy(DBProxyName=arg + '-proxy', EngineFamily='MYSQL', RoleArn='arn:aws:iam::123456789012:role/' + arg + '-proxy',
        Auth=[{'AuthScheme': 'SECRETS', 'SecretArn': 'arn:aws:secretsmanager:' + region + ':123456789012:secret:' + arg + '-db', 'IAMAuth': 'DISABLED'}], VpcSubnetIds=subnets)['DBProxy']
    pool = idp.create_user_pool(PoolName=arg + '-users')['UserPool']
    # Sixty other clients first: the declared one is then on ListUserPoolClients' second page.
    for i in range(60):
        idp.create_user_pool_client(UserPoolId=pool['Id'], ClientName=f'{arg}-other-{i}')
    print(json.dumps({'vpc': vpc, 'subnets': subnets, 'instance': instance['DBInstanceIdentifier'], 'instanceArn': instance['DBInstanceArn'],
        'cluster': cluster['DBClusterIdentifier'], 'clusterArn': cluster['DBClusterArn'], 'proxy': proxy['DBProxyName'], 'proxyArn': proxy['DBProxyArn'],
        'pool': pool['Id'], 'poolArn': pool['Arn']}))
elif op == 'targets':
    print(json.dumps([{k: t.get(k) for k in ('Type', 'RdsResourceId')} for t in rds.describe_db_proxy_targets(DBProxyName=arg)['Targets']]))
elif op == 'clients':
    out, token = [], None
    while True:
        page = idp.list_user_pool_clients(UserPoolId=arg, MaxResults=60, **({'NextToken': token} if token else {}))
        for c in page['UserPoolClients']:
            if '-other-' not in c['ClientName']:
                d = idp.describe_user_pool_client(UserPoolId=arg, ClientId=c['ClientId'])['UserPoolClient']
                out.append({k: d[k] for k in ('ClientName', 'ClientId', 'ClientSecret', 'CallbackURLs', 'AllowedOAuthFlows', 'AccessTokenValidity', 'TokenValidityUnits') if k in d})
        token = page.get('NextToken')
        if not token:
            break
    print(json.dumps(out))
elif op == 'teardown':
    f = json.loads(arg)
    rds.delete_db_proxy(DBProxyName=f['proxy'])
    rds.delete_db_instance(DBInstanceIdentifier=f['instance'], SkipFinalSnapshot=True)
    rds.delete_db_cluster(DBClusterIdentifier=f['cluster'], SkipFinalSnapshot=True)
    idp.delete_user_pool(UserPoolId=f['pool'])
    for s in f['subnets']:
        ec2.delete_subnet(SubnetId=s)
    ec2.delete_vpc(VpcId=f['vpc'])
    print('null')
`;

const boto = botoScript(BOTO, info.awsEndpoint, REGION, 120_000);

interface Fixtures {
  vpc: string;
  subnets: string[];
  instance: string;
  instanceArn: string;
  cluster: string;
  clusterArn: string;
  proxy: string;
  proxyArn: string;
  pool: string;
  poolArn: string;
}

interface MotoClient {
  ClientName: string;
  ClientId: string;
  ClientSecret?: string;
  CallbackURLs?: string[];
  AllowedOAuthFlows?: string[];
  AccessTokenValidity?: number;
  TokenValidityUnits?: Record<string, string>;
}

const RDS = 'rds.services.k8s.aws/v1alpha1';
const PROXY = { apiVersion: RDS, kind: 'DBProxy', name: `${prefix}-proxy` };
const INSTANCE = { apiVersion: RDS, kind: 'DBInstance', name: `${prefix}-mysql` };
const CLUSTER = { apiVersion: RDS, kind: 'DBCluster', name: `${prefix}-aurora` };
const POOL = { apiVersion: 'cognitoidentityprovider.services.k8s.aws/v1alpha1', kind: 'UserPool', name: `${prefix}-users` };

/** A child as ACK reports it once synced (`status` at least its ARN), carrying `gaps`. */
function child(ref: typeof PROXY, component: string, status: Record<string, unknown>, gaps: readonly AwsGap[] = []): AwsGapChild {
  return {
    apiVersion: ref.apiVersion,
    kind: ref.kind,
    metadata: { name: ref.name, labels: { [COMPONENT_LABEL]: component }, annotations: { [REGION_ANNOTATION]: REGION, ...awsGapAnnotations(gaps) } },
    status: { ...status, conditions: [{ type: 'ACK.ResourceSynced', status: 'True' }] },
  };
}

/** The SDK clients, counting the RDS and Cognito calls made through them. */
function counting(sdk: SdkAwsClients, calls: string[]): AwsClients {
  const count = <A extends unknown[], R>(name: string, call: (...args: A) => Promise<R>) => (...args: A) => (calls.push(name), call(...args));
  return {
    webAcl: (region) => sdk.webAcl(region),
    autoScaling: (region) => sdk.autoScaling(region),
    rdsProxy: (region) => {
      const api = sdk.rdsProxy(region);
      return { targets: count('DescribeDBProxyTargets', api.targets), register: count('RegisterDBProxyTargets', api.register), deregister: count('DeregisterDBProxyTargets', api.deregister) };
    },
    cognito: (region) => {
      const api = sdk.cognito(region);
      return {
        clientIds: count('ListUserPoolClients', api.clientIds),
        describe: count('DescribeUserPoolClient', api.describe),
        create: count('CreateUserPoolClient', api.create),
        update: count('UpdateUserPoolClient', api.update),
        delete: count('DeleteUserPoolClient', api.delete),
      };
    },
  };
}

/** The Secrets the executor writes, last one per name. */
class Secrets implements SecretWriter {
  readonly written = new Map<string, Readonly<Record<string, string>>>();
  async write(name: string, data: Readonly<Record<string, string>>): Promise<void> {
    this.written.set(name, data);
  }
}

describe('RdsProxyTargets and CognitoUserPoolClient against moto', () => {
  const environment = motoSdkEnvironment(info.awsEndpoint);
  const sdk = new SdkAwsClients();
  const calls: string[] = [];
  const secrets = new Secrets();
  const actions = new AwsGapActions({ clients: counting(sdk, calls), logger: silentLogger(), recheckMs: 60_000 });
  let f: Fixtures;

  beforeAll(async () => {
    environment.set();
    f = await boto<Fixtures>('setup', prefix);
  }, 180_000);

  afterAll(async () => {
    sdk.close();
    environment.restore();
    if (f) await boto('teardown', JSON.stringify(f));
  }, 120_000);

  describe('RdsProxyTargets', () => {
    const declaration = (database: 'instance' | 'cluster'): RdsProxyTargets => ({
      type: 'RdsProxyTargets',
      name: `${prefix}-proxy-targets`,
      proxyARN: arnOf(PROXY),
      proxyName: f.proxy,
      ...(database === 'instance' ? { databaseARN: arnOf(INSTANCE), dbInstanceIdentifier: f.instance } : { databaseARN: arnOf(CLUSTER), dbClusterIdentifier: f.cluster }),
    });
    /** The proxy (synced) declaring `database`, and both databases. */
    const live = (database: 'instance' | 'cluster') => [
      child(PROXY, 'database', { ackResourceMetadata: { arn: f.proxyArn } }, [declaration(database)]),
      child(INSTANCE, 'database', { ackResourceMetadata: { arn: f.instanceArn } }),
      child(CLUSTER, 'database', { ackResourceMetadata: { arn: f.clusterArn } }),
    ];
    const reconcile = (database: 'instance' | 'cluster', executor = actions) => executor.reconcile([live(database)[0]!], live(database), secrets);
    const targets = () => boto<{ Type: string; RdsResourceId: string }[]>('targets', f.proxy);

    it('waits while the proxy has no ARN, then registers the DB instance in the default target group', async () => {
      const unsynced = live('instance').map((c, i) => (i === 0 ? { ...c, status: {} } : c));
      expect((await actions.reconcile([live('instance')[0]!], unsynced)).components[0]).toMatchObject({ state: 'Waiting' });
      expect(calls).toEqual([]);
      const report = await reconcile('instance');
      expect(report.error).toBeUndefined();
      expect(report.components).toEqual([{ component: 'database', kind: 'RdsProxyTargets', name: `${prefix}-proxy-targets`, state: 'Ready', message: `DB instance ${f.instance} is the target of proxy ${f.proxy}` }]);
      expect(calls.splice(0)).toEqual(['DescribeDBProxyTargets', 'RegisterDBProxyTargets']);
      expect(await targets()).toEqual([{ Type: 'RDS_INSTANCE', RdsResourceId: f.instance }]);
    });

    it('is idempotent: a new executor (another process) only reads', async () => {
      const fresh: string[] = [];
      expect((await reconcile('instance', new AwsGapActions({ clients: counting(sdk, fresh), logger: silentLogger() }))).components[0]).toMatchObject({ state: 'Ready' });
      expect(fresh).toEqual(['DescribeDBProxyTargets']);
    });

    it('replaces the instance with the Aurora cluster when the declaration names it', async () => {
      expect((await reconcile('cluster')).components[0]).toMatchObject({ state: 'Ready', message: `DB cluster ${f.cluster} is the target of proxy ${f.proxy} (replacing DB instance ${f.instance})` });
      expect(calls.splice(0)).toEqual(['DescribeDBProxyTargets', 'DeregisterDBProxyTargets', 'RegisterDBProxyTargets']);
      expect(await targets()).toEqual([{ Type: 'TRACKED_CLUSTER', RdsResourceId: f.cluster }]);
    });

    it('deregisters the database before a deletion, and finds nothing left to do the second time', async () => {
      expect(await actions.undo(live('cluster'))).toEqual({ pending: 0 });
      expect(calls.splice(0)).toEqual(['DescribeDBProxyTargets', 'DeregisterDBProxyTargets']);
      expect(await targets()).toEqual([]);
      expect(await new AwsGapActions({ clients: counting(sdk, calls), logger: silentLogger() }).undo(live('cluster'))).toEqual({ pending: 0 });
      expect(calls.splice(0)).toEqual(['DescribeDBProxyTargets']);
    });
  });

  describe('CognitoUserPoolClient', () => {
    const declaration = (extra: Partial<CognitoUserPoolClient> = {}): CognitoUserPoolClient => ({
      type: 'CognitoUserPoolClient',
      name: `${prefix}-web`,
      userPoolID: { from: POOL, fieldPath: 'status.id' },
      clientName: `${prefix}-web`,
      generateSecret: true,
      allowedOAuthFlows: ['code'],
      allowedOAuthScopes: ['openid', 'email'],
      callbackURLs: ['https://shop.example.com/callback'],
      logoutURLs: ['https://shop.example.com/'],
      supportedIdentityProviders: ['COGNITO'],
      clientIDOutput: '/identity/clients/0/clientID',
      secretName: `${prefix}-web-client`,
      ...extra,
    });
    const pool = (gap: CognitoUserPoolClient, status: Record<string, unknown> = { id: f.pool, ackResourceMetadata: { arn: f.poolArn } }) => child(POOL, 'identity', status, [gap]);
    const reconcile = (gap = declaration(), executor = actions) => executor.reconcile([pool(gap)], [pool(gap)], secrets);
    const clients = () => boto<MotoClient[]>('clients', f.pool);

    it('waits while the pool has no id, then creates the client (found on the list\'s second page afterwards), its id an output and its secret in the Secret', async () => {
      expect((await actions.reconcile([pool(declaration())], [pool(declaration(), {})], secrets)).components[0]).toMatchObject({ state: 'Waiting' });
      expect(calls).toEqual([]);
      const report = await reconcile();
      expect(report.error).toBeUndefined();
      expect(calls.splice(0)).toEqual(['ListUserPoolClients', 'CreateUserPoolClient']);
      const [created, ...others] = await clients();
      expect(others).toEqual([]);
      expect(created).toMatchObject({ ClientName: `${prefix}-web`, ClientSecret: expect.any(String), CallbackURLs: ['https://shop.example.com/callback'], AllowedOAuthFlows: ['code'], AccessTokenValidity: 60 });
      expect(report.components[0]).toMatchObject({ state: 'Ready', message: `app client ${prefix}-web is ${created!.ClientId} in user pool ${f.pool}; created` });
      expect(report.outputs).toEqual([{ output: '/identity/clients/0/clientID', value: created!.ClientId }]);
      expect(secrets.written.get(`${prefix}-web-client`)).toEqual({ clientID: created!.ClientId, clientSecret: created!.ClientSecret });
      expect(JSON.stringify(report.components)).not.toContain(created!.ClientSecret);
    });

    it('is idempotent: a new executor reads every page and the client, and writes nothing to AWS', async () => {
      const fresh: string[] = [];
      const report = await reconcile(declaration(), new AwsGapActions({ clients: counting(sdk, fresh), logger: silentLogger() }));
      expect(report.components[0]).toMatchObject({ state: 'Ready' });
      expect(fresh).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient']);
      expect(await clients()).toHaveLength(1);
    });

    it('updates the client when the callback URLs and the token lifetime change', async () => {
      const changed = declaration({ callbackURLs: ['https://shop.example.com/callback', 'https://admin.shop.example.com/callback'], accessTokenValidityMinutes: 15 });
      expect((await reconcile(changed)).components[0]).toMatchObject({ state: 'Ready', message: expect.stringMatching(/; updated callbackURLs, accessTokenValidity$/) });
      expect(calls.splice(0)).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient', 'UpdateUserPoolClient']);
      expect((await clients())[0]).toMatchObject({ CallbackURLs: changed.callbackURLs, AccessTokenValidity: 15, TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes', RefreshToken: 'days' } });
    });

    it('recreates the client without a secret when generateSecret becomes false (a new client id)', async () => {
      const [before] = await clients();
      const report = await reconcile(declaration({ generateSecret: false }));
      expect(calls.splice(0)).toEqual(['ListUserPoolClients', 'DescribeUserPoolClient', 'DeleteUserPoolClient', 'CreateUserPoolClient']);
      const after = await clients();
      expect(after).toHaveLength(1);
      expect(after[0]!.ClientId).not.toBe(before!.ClientId);
      expect(after[0]!.ClientSecret).toBeUndefined();
      expect(report.components[0]!.message).toContain('GenerateSecret is immutable');
      expect(report.outputs).toEqual([{ output: '/identity/clients/0/clientID', value: after[0]!.ClientId }]);
      expect(secrets.written.get(`${prefix}-web-client`)).toEqual({ clientID: after[0]!.ClientId });
    });

    it('deletes the client before a deletion, and finds nothing left to do the second time', async () => {
      expect(await actions.undo([pool(declaration({ generateSecret: false }))])).toEqual({ pending: 0 });
      expect(calls.splice(0)).toEqual(['ListUserPoolClients', 'DeleteUserPoolClient']);
      expect(await clients()).toEqual([]);
      expect(await new AwsGapActions({ clients: counting(sdk, calls), logger: silentLogger() }).undo([pool(declaration())])).toEqual({ pending: 0 });
      expect(calls.splice(0)).toEqual(['ListUserPoolClients']);
    });
  });
});
