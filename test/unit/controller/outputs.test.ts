/**
 * status.outputs from the charts' output declarations (charts/outputs.ts): every example rendered, every child given
 * the status an ACK controller would write, and the whole outputs object asserted. Synthetic values name the child
 * they come from (its name without the environment prefix), so each assertion shows which child fed which output.
 */
import { Value } from '@sinclair/typebox/value';
import { StatusSchema, type MarketplaceEnvironment, type Outputs } from '../../../api/index.js';
import { objectKey } from '../../../charts/child-kinds.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/render.js';
import { computeOutputs, type LiveChild } from '../../../controllers/marketplace-environment/outputs.js';
import { example } from '../helpers/render-construct.js';

/** The status ACK would write for `o` once AWS reports it, in the shapes of the ACK CRDs. */
function ackStatus(o: RenderedObject, envName: string): Record<string, unknown> {
  const short = o.metadata.name.slice(envName.length + 1);
  const spec = (o.spec ?? {}) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const arn = o.kind === 'Bucket' ? `arn:aws:s3:::${spec.name}` : `arn:${o.kind}:${short}`;
  const masterUserSecret = spec.manageMasterUserPassword ? { masterUserSecret: { secretARN: `arn:master:${short}` } } : {};
  const byKind: Record<string, Record<string, unknown>> = {
    VPC: { vpcID: short },
    Subnet: { subnetID: short },
    SecurityGroup: { id: short },
    DBCluster: { endpoint: `${short}.writer`, readerEndpoint: `${short}.reader`, ...masterUserSecret },
    DBInstance: { endpoint: { address: `${short}.writer`, port: spec.port ?? 3306 }, ...masterUserSecret },
    // Cluster mode reports a configuration endpoint; otherwise only the node group's primary endpoint exists.
    ReplicationGroup: spec.numNodeGroups > 1 ? { configurationEndpoint: { address: `${short}.configuration`, port: 6379 } } : { nodeGroups: [{ primaryEndpoint: { address: `${short}.primary`, port: 6379 } }] },
    Distribution: { id: short, domainName: `${short}.cloudfront.net` },
    Secret: { id: arn },
    OriginAccessControl: { id: short },
    LoadBalancer: { dnsName: `${short}.elb.amazonaws.com`, canonicalHostedZoneID: 'Z35SXDOTRQ7X7K' },
    Repository: { repositoryURI: `123456789012.dkr.ecr.us-east-1.amazonaws.com/${spec.name}` },
    API: { apiID: short, apiEndpoint: `https://${short}.execute-api.us-east-1.amazonaws.com` },
    RestAPI: { id: short, rootResourceID: `${short}-root` },
    HostedZone: { id: '/hostedzone/Z0123456789ABC', delegationSet: { nameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'] } },
    DBProxy: { endpoint: `${short}.proxy.rds.amazonaws.com` },
    UserPool: { id: `us-east-2_${short}` },
  };
  return { ackResourceMetadata: { arn, ownerAccountID: '123456789012', region: 'us-east-1' }, ...(byKind[o.kind] ?? {}) };
}

/** Every rendered child of `env` live with its ACK status, except those `absent` names. */
function live(env: MarketplaceEnvironment, desired: readonly RenderedObject[], absent: (o: RenderedObject) => boolean = () => false): Map<string, LiveChild> {
  return new Map(desired.filter((o) => !absent(o)).map((o) => [objectKey(o), { ...o, status: ackStatus(o, env.metadata.name) }] as const));
}

function outputsOf(prefix: string, patch?: (raw: Record<string, any>) => void): Outputs { // eslint-disable-line @typescript-eslint/no-explicit-any
  const env = example(prefix, { patch });
  const desired = renderEnvironment(env);
  return computeOutputs(desired, live(env, desired));
}

const FULL: Record<string, Outputs> = {
  '000': {
    vpcID: 'vpc',
    subnetIDs: {
      public: ['subnet-public-a-0', 'subnet-public-b-0', 'subnet-public-c-0'],
      private: ['subnet-private-a-0', 'subnet-private-b-0', 'subnet-private-c-0'],
      isolated: ['subnet-isolated-a-0', 'subnet-isolated-b-0', 'subnet-isolated-c-0'],
    },
    securityGroupIDs: { lb: 'sg-lb', app: 'sg-app', db: 'sg-db', cache: 'sg-cache' },
    kmsKeyARN: 'arn:Key:kms',
    database: { writerEndpoint: 'db.writer', readerEndpoint: 'db.reader', port: 3306, masterUserSecretARN: 'arn:master:db' },
    cache: { configurationEndpoint: 'cache.configuration', port: 6379 },
    buckets: [{ name: 'assets', bucketName: 'marketplace-assets-prod', arn: 'arn:aws:s3:::marketplace-assets-prod' }],
    cdn: { domainName: 'cdn.cloudfront.net', distributionID: 'cdn' },
    loadBalancer: { arn: 'arn:LoadBalancer:alb', dnsName: 'alb.elb.amazonaws.com', canonicalHostedZoneID: 'Z35SXDOTRQ7X7K', targetGroupARN: 'arn:TargetGroup:tg', certificateARN: 'arn:Certificate:certificate' },
    compute: { autoScalingGroupName: 'marketplace-asg-prod', logGroupName: '/marketplace/prod/app' },
    monitoring: { topicARN: 'arn:Topic:alarms', dashboardName: 'marketplace-prod' },
  },
  '001': {
    vpcID: 'vpc',
    subnetIDs: { public: ['subnet-public-a-0', 'subnet-public-b-0'], private: ['subnet-private-a-0', 'subnet-private-b-0'] },
    securityGroupIDs: { app: 'sg-app' },
    kmsKeyARN: 'arn:Key:kms',
    // In spec order.
    buckets: [
      { name: 'assets', bucketName: 'marketplace-assets-dev', arn: 'arn:aws:s3:::marketplace-assets-dev' },
      { name: 'solutions', bucketName: 'marketplace-solutions-dev', arn: 'arn:aws:s3:::marketplace-solutions-dev' },
      { name: 'cdn-logs', bucketName: 'marketplace-cdn-logs-dev', arn: 'arn:aws:s3:::marketplace-cdn-logs-dev' },
      { name: 'deployments', bucketName: 'marketplace-deployments-dev', arn: 'arn:aws:s3:::marketplace-deployments-dev' },
    ],
    cdn: { domainName: 'cdn.cloudfront.net', distributionID: 'cdn' },
    logGroupName: '/aws/marketplace/dev',
    // In spec order, names known when rendering, ARNs from ACK.
    tables: ['users', 'solutions', 'transactions', 'sessions'].map((t) => ({ name: t, tableName: `marketplace-${t}-dev`, arn: `arn:Table:table-${t}` })),
    functions: ['users', 'solutions', 'transactions'].map((f) => ({ name: f, functionName: `marketplace-${f}-dev`, arn: `arn:Function:function-${f}` })),
    api: { id: 'api', url: 'https://api.execute-api.us-east-1.amazonaws.com' },
    monitoring: { topicARN: 'arn:Topic:alarms', dashboardName: 'marketplace-dev' },
  },
  '002': {
    vpcID: 'vpc',
    // Zone by zone: two private subnets per zone.
    subnetIDs: { public: ['subnet-public-a-0', 'subnet-public-b-0'], private: ['subnet-private-a-0', 'subnet-private-a-1', 'subnet-private-b-0', 'subnet-private-b-1'] },
    securityGroupIDs: { lb: 'sg-lb', app: 'sg-app', db: 'sg-db' },
    kmsKeyARN: 'arn:Key:kms',
    database: { writerEndpoint: 'db.writer', readerEndpoint: 'db.reader', port: 5432, masterUserSecretARN: 'arn:master:db' },
    buckets: [{ name: 'assets', bucketName: 'ecommerce-assets-prod123', arn: 'arn:aws:s3:::ecommerce-assets-prod123' }],
    cdn: { domainName: 'cdn.cloudfront.net', distributionID: 'cdn' },
    firewall: { webACLARN: 'arn:WebACL:waf' },
    secrets: [{ name: 'app-config', arn: 'arn:Secret:secret-app-config', rotationDays: 30 }],
    loadBalancer: {
      arn: 'arn:LoadBalancer:alb',
      dnsName: 'alb.elb.amazonaws.com',
      canonicalHostedZoneID: 'Z35SXDOTRQ7X7K',
      targetGroupARN: 'arn:TargetGroup:tg',
      greenTargetGroupARN: 'arn:TargetGroup:tg-green',
      certificateARN: 'arn:Certificate:certificate',
    },
    // Blue/green: the blue service first.
    compute: { clusterName: 'ecommerce-cluster-prod123', serviceNames: ['ecommerce-app-blue-prod123', 'ecommerce-app-green-prod123'], logGroupName: '/ecommerce/prod123/app' },
    registry: { repositoryURI: '123456789012.dkr.ecr.us-east-1.amazonaws.com/ecommerce-app-prod123' },
  },
  '003': {
    vpcID: 'vpc',
    subnetIDs: { public: ['subnet-public-a-0', 'subnet-public-b-0'], private: ['subnet-private-a-0', 'subnet-private-b-0'] },
    securityGroupIDs: { app: 'sg-app', db: 'sg-db' },
    kmsKeyARN: 'arn:Key:kms',
    // GeneratedSecret: the Kubernetes Secret with the password, no Secrets Manager ARN.
    database: { writerEndpoint: 'db.writer', readerEndpoint: 'db.reader', port: 3306, credentialsSecret: 'trading-useast1-db-master' },
    buckets: [
      { name: 'trades', bucketName: 'trading-trades-synth2db2r6', arn: 'arn:aws:s3:::trading-trades-synth2db2r6' },
      { name: 'deployments', bucketName: 'trading-deployments-synth2db2r6', arn: 'arn:aws:s3:::trading-deployments-synth2db2r6' },
    ],
    functions: [{ name: 'trade', functionName: 'trading-trade-synth2db2r6', arn: 'arn:Function:function-trade' }],
    // A REST API: the invoke URL is the API id's execute-api host and the stage.
    api: { id: 'api', url: 'https://api.execute-api.us-east-1.amazonaws.com/synth2db2r6' },
    kmsAliasName: 'alias/trading-us-east-1-synth2db2r6',
  },
  '004': {
    vpcID: 'vpc',
    subnetIDs: { public: ['subnet-public-a-0', 'subnet-public-b-0'], private: ['subnet-private-a-0', 'subnet-private-b-0'] },
    securityGroupIDs: { lb: 'sg-lb', app: 'sg-app', db: 'sg-db', dbProxy: 'sg-db-proxy' },
    kmsKeyARN: 'arn:Key:kms',
    // A standalone instance: the endpoint's address, no reader endpoint.
    database: { writerEndpoint: 'db.writer', port: 3306, masterUserSecretARN: 'arn:master:db', proxyEndpoint: 'db-proxy.proxy.rds.amazonaws.com' },
    buckets: [
      { name: 'product-images', bucketName: 'corebiz-product-images-dev', arn: 'arn:aws:s3:::corebiz-product-images-dev' },
      { name: 'alb-logs', bucketName: 'corebiz-alb-logs-dev', arn: 'arn:aws:s3:::corebiz-alb-logs-dev' },
    ],
    // The zone id without Route 53's /hostedzone/ prefix.
    dns: { zoneID: 'Z0123456789ABC', nameServers: ['ns-1.awsdns-01.org', 'ns-2.awsdns-02.com'], records: [{ name: '@', fqdn: 'corebiz.example.com' }] },
    secrets: [
      { name: 'jwt-signing-key', arn: 'arn:Secret:secret-jwt-signing-key', rotationDays: 90 },
      { name: 'cognito-client', arn: 'arn:Secret:secret-cognito-client', rotationDays: 90 },
    ],
    loadBalancer: { arn: 'arn:LoadBalancer:alb', dnsName: 'alb.elb.amazonaws.com', canonicalHostedZoneID: 'Z35SXDOTRQ7X7K', targetGroupARN: 'arn:TargetGroup:tg', certificateARN: 'arn:Certificate:certificate' },
    compute: { clusterName: 'corebiz-cluster-dev', serviceNames: ['corebiz-app-dev'], logGroupName: '/corebiz/dev/app' },
    registry: { repositoryURI: '123456789012.dkr.ecr.us-east-1.amazonaws.com/corebiz-app-dev' },
    // Outside us-east-1 the billing alarm notifies a topic of its own there.
    monitoring: { topicARN: 'arn:Topic:alarms', billingTopicARN: 'arn:Topic:alarms-us-east-1', dashboardName: 'corebiz-dev' },
    // The client's id is the operator's own output (aws-gaps), not a child's: absent here.
    identity: {
      userPoolID: 'us-east-2_users',
      userPoolARN: 'arn:UserPool:users',
      issuerURL: 'https://cognito-idp.us-east-2.amazonaws.com/us-east-2_users',
      clients: [{ name: 'api', secretName: 'core-business-dev-cognito-api' }],
    },
  },
};

describe.each(Object.keys(FULL))('example %s, every child reported by ACK', (prefix) => {
  const outputs = outputsOf(prefix);

  it('has every output the spec implies, each from the child that declares it', () => {
    expect(outputs).toEqual(FULL[prefix]);
  });

  it('fits the status schema of the CRD (no output outside api/status.ts)', () => {
    expect(Value.Check(StatusSchema, { outputs })).toBe(true);
  });
});

describe('outputs while children are missing or not reported yet', () => {
  const env = example('002');
  const desired = renderEnvironment(env);

  it('is empty before any child exists', () => {
    expect(computeOutputs(desired, new Map())).toEqual({});
  });

  it('keeps lists dense and in order, and lists only the children that exist', () => {
    const gone = new Set(['ecommerce-prod123-subnet-private-a-0', 'ecommerce-prod123-db', 'ecommerce-prod123-secret-app-config']);
    const outputs = computeOutputs(desired, live(env, desired, (o) => gone.has(o.metadata.name)));
    expect(outputs.subnetIDs?.private).toEqual(['subnet-private-a-1', 'subnet-private-b-0', 'subnet-private-b-1']);
    expect(outputs.database).toBeUndefined();
    expect(outputs.secrets).toBeUndefined();
  });

  it('reports what the chart knows of an existing child, and AWS values once ACK writes them', () => {
    const unreported = new Map(desired.map((o) => [objectKey(o), { ...o }] as const));
    expect(computeOutputs(desired, unreported)).toEqual({
      buckets: [{ name: 'assets', bucketName: 'ecommerce-assets-prod123' }],
      database: { port: 5432 },
      secrets: [{ name: 'app-config', rotationDays: 30 }],
      compute: { clusterName: 'ecommerce-cluster-prod123', serviceNames: ['ecommerce-app-blue-prod123', 'ecommerce-app-green-prod123'], logGroupName: '/ecommerce/prod123/app' },
    });
  });

  it('ignores live children that are not rendered (about to be pruned)', () => {
    const stray = { ...desired.find((o) => o.kind === 'VPC')!, metadata: { name: 'ecommerce-prod123-old-vpc' } };
    const children = live(env, desired, (o) => o.kind === 'VPC');
    children.set(objectKey(stray), { ...stray, status: { vpcID: 'vpc-old' } });
    expect(computeOutputs(desired, children).vpcID).toBeUndefined();
  });

  it('reads nothing from children that declare no output (Aurora members, gateways, route tables, subnet groups, listeners, IAM, task definitions, scaling)', () => {
    const undeclared = desired.filter((o) => !o.metadata.annotations[OUTPUTS_ANNOTATION]).map((o) => o.kind);
    expect([...new Set(undeclared)].sort()).toEqual([
      'DBInstance', 'DBSubnetGroup', 'ElasticIPAddress', 'InternetGateway', 'Listener', 'NATGateway', 'OriginAccessControl', 'Policy', 'Role', 'RouteTable',
      'ScalableTarget', 'ScalingPolicy', 'TaskDefinition',
    ]);
    const onlyUndeclared = live(env, desired, (o) => Boolean(o.metadata.annotations[OUTPUTS_ANNOTATION]));
    expect(computeOutputs(desired, onlyUndeclared)).toEqual({});
  });
});

describe('fallbacks declared by the charts', () => {
  it('a cluster-mode-disabled cache: the primary endpoint of its node group', () => {
    const outputs = outputsOf('004', (raw) => {
      raw.spec.cache = { engine: 'valkey', engineVersion: '8.0', nodeType: 'cache.t4g.micro', shards: 1, replicasPerShard: 0, subnetTier: 'private' };
    });
    expect(outputs.cache).toEqual({ configurationEndpoint: 'cache.primary', port: 6379 });
  });

  it('a standalone instance without a rendered port: the port AWS reports', () => {
    const env = example('004');
    const desired = renderEnvironment(env);
    const children = live(env, desired);
    const db = [...children.values()].find((c) => c.kind === 'DBInstance')!;
    db.spec = { ...db.spec, port: undefined };
    db.status.endpoint.port = 3307;
    expect(computeOutputs(desired, children).database?.port).toBe(3307);
  });
});

describe('templated field outputs', () => {
  /** A rendered child declaring `declarations`, and its live copy with `status`. */
  function child(declarations: unknown[], status: Record<string, unknown>): [RenderedObject, Map<string, LiveChild>] {
    const object = {
      apiVersion: 'apigateway.services.k8s.aws/v1alpha1',
      kind: 'RestAPI',
      metadata: { name: 'shop-api', labels: {}, annotations: { [OUTPUTS_ANNOTATION]: JSON.stringify(declarations) } },
      spec: {},
    } as unknown as RenderedObject;
    return [object, new Map([[objectKey(object), { ...object, status }]])];
  }
  const url = { output: '/api/url', fieldPath: 'status.id', template: 'https://{{value}}.execute-api.us-east-1.amazonaws.com/test' };

  it('writes the value into the template at every placeholder', () => {
    const [object, children] = child([url, { output: '/api/id', fieldPath: 'status.id', template: '{{value}}/{{value}}' }], { id: 'abc123' });
    expect(computeOutputs([object], children)).toEqual({ api: { url: 'https://abc123.execute-api.us-east-1.amazonaws.com/test', id: 'abc123/abc123' } });
  });

  it('gives nothing while the field has no value (never the bare template)', () => {
    const [object, children] = child([url], {});
    expect(computeOutputs([object], children)).toEqual({});
  });

  it('leaves a field output without a template as it is', () => {
    const [object, children] = child([{ output: '/api/id', fieldPath: 'status.id' }], { id: 'abc123' });
    expect(computeOutputs([object], children)).toEqual({ api: { id: 'abc123' } });
  });
});
