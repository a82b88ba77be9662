import type { MarketplaceEnvironment } from '../../../api/index.js';
import { AWS_GAPS_ANNOTATION, type RdsProxyTargets } from '../../../charts/aws-gaps.js';
import { BINDINGS_ANNOTATION, VALUE_PLACEHOLDER, type Binding } from '../../../charts/bindings.js';
import { DatabaseProxy, RDS_PRINCIPAL } from '../../../charts/constructs/database-proxy.js';
import { SecurityGroups } from '../../../charts/constructs/security-groups.js';
import { OUTPUTS_ANNOTATION } from '../../../charts/outputs.js';
import type { RenderedObject } from '../../../charts/render.js';
import type { Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdSources, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { FAKE_ACCOUNT, resolveWithFakes } from '../helpers/fake-bindings.js';
import { example, named, ofKind, only, renderWith, type LooseObject } from '../helpers/render-construct.js';

/** Every example is rendered into namespace `shop`. */
const SHOP = { namespace: 'shop' };
/** Example 004 without the proxy the example has. */
const NO_PROXY = {
  ...SHOP,
  patch: ({ spec }: Manifest): void => {
    delete spec.database.proxy;
    // Its containers connect to the writer endpoint instead.
    for (const e of spec.compute.containers.environment) if (e.fromOutput === 'databaseProxyEndpoint') e.fromOutput = 'databaseWriterEndpoint';
  },
};
const RDS = 'rds.services.k8s.aws/v1alpha1';

/** Example `key` with `spec.database.proxy` set to `proxy` (and `patch` applied after). */
function withProxy(key: string, proxy: Manifest = {}, patch: (m: Manifest) => void = () => undefined): MarketplaceEnvironment {
  return example(key, {
    ...SHOP,
    patch: (m) => {
      m.spec.database.proxy = proxy;
      patch(m);
    },
  });
}

/** Renders only the DatabaseProxy of `env`, fed with names as the chart would. */
function render(env: MarketplaceEnvironment): LooseObject[] {
  return renderWith<LooseObject>(env, (chart, ctx) => {
    new DatabaseProxy(chart, 'proxy', {
      ctx,
      spec: env.spec.database!,
      subnetNames: [ctx.names.k8s('subnet', 'private', 'a', 0), ctx.names.k8s('subnet', 'private', 'b', 0)],
      vpcName: ctx.names.k8s('vpc'),
      appSecurityGroupName: ctx.names.k8s('sg', 'app'),
      kmsKeyName: ctx.names.k8s('kms'),
    });
  });
}

const annotation = <T>(o: RenderedObject, key: string): T => JSON.parse(o.metadata.annotations[key]!) as T;
const ref = (name: string) => ({ from: { name } });

interface Statement {
  Sid: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
  Condition?: Record<string, Record<string, string>>;
}
const statementsOf = (policy: RenderedObject & { spec?: Manifest }): Statement[] => (JSON.parse(policy.spec!.policyDocument as string) as { Statement: Statement[] }).Statement;

describe('DatabaseProxy in front of standalone MySQL (seed 004)', () => {
  const objects = render(withProxy('004'));
  const proxy = only(objects, 'DBProxy');
  const group = only(objects, 'SecurityGroup');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas), before and after its bindings are filled', () => {
    expect(schemaSets().length).toBeGreaterThan(0);
    expect(crdErrors(objects)).toEqual([]);
    expect(crdErrors(resolveWithFakes(objects))).toEqual([]);
  });

  crdTest(objects)('renders only DBProxy fields the served rds-controller (v1.10.1) and the pinned one (v1.11.1) both have', () => {
    const found = crdSources().resolve(proxy);
    expect(found.status).toBe('provided');
    // Every set that has the kind validates it; the Go module proxy serves v1.10.1 here.
    const sets = schemaSets().filter((set) => set.has(proxy));
    expect(sets.length).toBeGreaterThan(0);
    for (const set of sets) expect(set.errors(resolveWithFakes([proxy])[0]!)).toEqual([]);
    // The closed-schema check is not vacuous: a field neither CRD has (the v1.11+ SDK's endpointNetworkType) fails.
    const broken = { ...proxy, spec: { ...proxy.spec, endpointNetworkType: 'IPV4' } };
    expect(crdErrors([broken]).join('\n')).toContain('endpointNetworkType');
  });

  it('renders a security group, a role with its two policies and the DBProxy, in the database component', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'SecurityGroup/core-business-dev-sg-db-proxy',
      'Policy/core-business-dev-policy-db-proxy-secret',
      'Policy/core-business-dev-policy-db-proxy-kms',
      'Role/core-business-dev-role-db-proxy',
      'DBProxy/core-business-dev-db-proxy',
    ]);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('shop');
      expect(o.metadata.labels['app.kubernetes.io/component']).toBe(o.kind === 'SecurityGroup' ? 'security' : 'database');
      expect(o.metadata.annotations['services.k8s.aws/region']).toBe('us-east-2');
    }
  });

  it('configures the proxy from the spec: MySQL family, password auth with the RDS-managed secret, TLS required, no debug logging', () => {
    expect(proxy.spec).toEqual({
      name: 'corebiz-proxy-dev',
      engineFamily: 'MYSQL',
      auth: [{ authScheme: 'SECRETS', secretARN: VALUE_PLACEHOLDER, iamAuth: 'DISABLED', clientPasswordAuthType: 'MYSQL_NATIVE_PASSWORD' }],
      roleRef: ref('core-business-dev-role-db-proxy'),
      requireTLS: true,
      idleClientTimeout: 1800,
      debugLogging: false,
      vpcSubnetIDs: [VALUE_PLACEHOLDER, VALUE_PLACEHOLDER],
      vpcSecurityGroupIDs: [VALUE_PLACEHOLDER],
      tags: expect.arrayContaining([{ key: 'Name', value: 'corebiz-proxy-dev' }, { key: 'Account', value: 'shared-development' }]),
    });
  });

  it('binds the master secret ARN of the DB instance, the subnet ids and its own group id, and is held back until all are known', () => {
    expect(annotation<Binding[]>(proxy, BINDINGS_ANNOTATION)).toEqual([
      { path: '/spec/auth/0/secretARN', from: { apiVersion: RDS, kind: 'DBInstance', name: 'core-business-dev-db' }, fieldPath: 'status.masterUserSecret.secretARN', required: true },
      { path: '/spec/vpcSubnetIDs/0', from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'Subnet', name: 'core-business-dev-subnet-private-a-0' }, fieldPath: 'status.subnetID', required: true },
      { path: '/spec/vpcSubnetIDs/1', from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'Subnet', name: 'core-business-dev-subnet-private-b-0' }, fieldPath: 'status.subnetID', required: true },
      { path: '/spec/vpcSecurityGroupIDs/0', from: { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', name: 'core-business-dev-sg-db-proxy' }, fieldPath: 'status.id', required: true },
    ]);
    const resolved = named(resolveWithFakes(objects) as LooseObject[], 'DBProxy', 'core-business-dev-db-proxy');
    expect(resolved.spec.auth[0].secretARN).toBe(`arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:dbinstance/core-business-dev-db`);
    expect(resolved.spec.vpcSubnetIDs).toEqual(['subnet-core-business-dev-subnet-private-a-0', 'subnet-core-business-dev-subnet-private-b-0']);
    expect(resolved.spec.vpcSecurityGroupIDs).toEqual(['id-core-business-dev-sg-db-proxy']);
    expect(JSON.stringify(resolved.spec)).not.toContain(VALUE_PLACEHOLDER);
  });

  it('declares its target, the DB instance by identifier, for the operator to register (no ACK kind does)', () => {
    expect(annotation<RdsProxyTargets[]>(proxy, AWS_GAPS_ANNOTATION)).toEqual([
      {
        type: 'RdsProxyTargets',
        name: 'core-business-dev-db-proxy-targets',
        proxyARN: { from: { apiVersion: RDS, kind: 'DBProxy', name: 'core-business-dev-db-proxy' }, fieldPath: 'status.ackResourceMetadata.arn' },
        proxyName: 'corebiz-proxy-dev',
        databaseARN: { from: { apiVersion: RDS, kind: 'DBInstance', name: 'core-business-dev-db' }, fieldPath: 'status.ackResourceMetadata.arn' },
        dbInstanceIdentifier: 'corebiz-db-dev',
      },
    ]);
  });

  it('reports its endpoint as the output /database/proxyEndpoint, and its group id under /securityGroupIDs', () => {
    expect(annotation(proxy, OUTPUTS_ANNOTATION)).toEqual([{ output: '/database/proxyEndpoint', fieldPath: 'status.endpoint' }]);
    expect(annotation(group, OUTPUTS_ANNOTATION)).toEqual([{ output: '/securityGroupIDs/dbProxy', fieldPath: 'status.id' }]);
  });

  it('admits the app tier on the database port and reaches only the database port in the VPC', () => {
    expect(group.spec).toMatchObject({
      name: 'corebiz-db-proxy-sg-dev',
      vpcRef: ref('core-business-dev-vpc'),
      ingressRules: [{ ipProtocol: 'tcp', fromPort: 3306, toPort: 3306, userIDGroupPairs: [{ groupRef: ref('core-business-dev-sg-app'), description: 'from the app tier' }] }],
      egressRules: [{ ipProtocol: 'tcp', fromPort: 3306, toPort: 3306, ipRanges: [{ cidrIP: '10.0.0.0/16', description: 'to the database tier' }] }],
    });
  });

  it('retains its security group with the retained database (the database group names it), but not the proxy itself', () => {
    expect(group.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
    expect(proxy.metadata.annotations).not.toHaveProperty(['services.k8s.aws/deletion-policy']);
    const deleted = render(withProxy('004', {}, (m) => (m.spec.deletionPolicy = 'Delete')));
    expect(only(deleted, 'SecurityGroup').metadata.annotations).not.toHaveProperty(['services.k8s.aws/deletion-policy']);
  });

  it('has a role RDS assumes that may read exactly the master secret and decrypt it with exactly the environment key via Secrets Manager', () => {
    const role = only(objects, 'Role');
    expect(JSON.parse(role.spec.assumeRolePolicyDocument as string).Statement).toEqual([
      { Sid: 'AssumedBy', Effect: 'Allow', Principal: { Service: RDS_PRINCIPAL }, Action: 'sts:AssumeRole' },
    ]);
    expect(role.spec.policyRefs).toEqual([ref('core-business-dev-policy-db-proxy-secret'), ref('core-business-dev-policy-db-proxy-kms')]);
    const resolved = resolveWithFakes(objects) as LooseObject[];
    const secret = named(resolved, 'Policy', 'core-business-dev-policy-db-proxy-secret');
    const key = named(resolved, 'Policy', 'core-business-dev-policy-db-proxy-kms');
    expect(statementsOf(secret)).toEqual([
      { Sid: 'ReadDatabaseSecret', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:dbinstance/core-business-dev-db` },
    ]);
    expect(statementsOf(key)).toEqual([
      {
        Sid: 'DecryptDatabaseSecret',
        Effect: 'Allow',
        Action: 'kms:Decrypt',
        Resource: `arn:aws:fake:us-east-1:${FAKE_ACCOUNT}:key/core-business-dev-kms`,
        Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-2.amazonaws.com' } },
      },
    ]);
    // The late values come from the DB instance's secret and the environment key, and hold each policy back.
    const valueOf = (name: string) => annotation<Binding[]>(named(objects, 'Policy', name), BINDINGS_ANNOTATION);
    expect(valueOf('core-business-dev-policy-db-proxy-secret')).toEqual([expect.objectContaining({ path: '/spec/policyDocument', from: { apiVersion: RDS, kind: 'DBInstance', name: 'core-business-dev-db' }, fieldPath: 'status.masterUserSecret.secretARN', required: true })]);
    expect(valueOf('core-business-dev-policy-db-proxy-kms')).toEqual([expect.objectContaining({ from: { apiVersion: 'kms.services.k8s.aws/v1alpha1', kind: 'Key', name: 'core-business-dev-kms' }, fieldPath: 'status.ackResourceMetadata.arn', required: true })]);
    for (const policy of [secret, key]) expect(JSON.stringify(statementsOf(policy))).not.toContain('*');
  });
});

describe('DatabaseProxy in front of an Aurora cluster', () => {
  it('fronts the Aurora MySQL cluster (seed 000): cluster secret, cluster identifier, spec iamAuth and idle timeout', () => {
    const objects = render(withProxy('000', { iamAuth: 'REQUIRED', idleClientTimeoutSeconds: 600 }));
    expect(crdErrors(objects)).toEqual([]);
    const proxy = only(objects, 'DBProxy');
    expect(proxy.spec).toMatchObject({ name: 'marketplace-proxy-prod', engineFamily: 'MYSQL', idleClientTimeout: 600, auth: [{ iamAuth: 'REQUIRED', clientPasswordAuthType: 'MYSQL_NATIVE_PASSWORD' }] });
    const cluster = { apiVersion: RDS, kind: 'DBCluster', name: 'marketplace-three-tier-db' };
    expect(annotation<Binding[]>(proxy, BINDINGS_ANNOTATION)[0]).toEqual({ path: '/spec/auth/0/secretARN', from: cluster, fieldPath: 'status.masterUserSecret.secretARN', required: true });
    const [targets] = annotation<RdsProxyTargets[]>(proxy, AWS_GAPS_ANNOTATION);
    expect(targets).toMatchObject({ databaseARN: { from: cluster }, dbClusterIdentifier: 'marketplace-db-prod' });
    expect(targets).not.toHaveProperty('dbInstanceIdentifier');
  });

  it('uses the PostgreSQL family and port for Aurora PostgreSQL (seed 002)', () => {
    const objects = render(withProxy('002'));
    expect(crdErrors(objects)).toEqual([]);
    expect(only(objects, 'DBProxy').spec).toMatchObject({ engineFamily: 'POSTGRESQL', auth: [{ clientPasswordAuthType: 'POSTGRES_SCRAM_SHA_256' }] });
    expect(only(objects, 'SecurityGroup').spec.ingressRules[0]).toMatchObject({ fromPort: 5432, toPort: 5432 });
  });
});

describe('the database security group with a proxy', () => {
  const groups = (env: MarketplaceEnvironment) =>
    renderWith<LooseObject>(env, (chart, ctx) => {
      new SecurityGroups(chart, 'sgs', { ctx, vpcName: ctx.names.k8s('vpc') });
    });

  it('admits the proxy group next to the app tier, in one rule for the port', () => {
    const db = named(groups(withProxy('004')), 'SecurityGroup', 'core-business-dev-sg-db');
    expect(db.spec.ingressRules).toEqual([
      {
        ipProtocol: 'tcp',
        fromPort: 3306,
        toPort: 3306,
        userIDGroupPairs: [
          { groupRef: ref('core-business-dev-sg-app'), description: 'from the app tier' },
          { groupRef: ref('core-business-dev-sg-db-proxy'), description: 'from the RDS Proxy' },
        ],
      },
    ]);
  });

  it('admits only the app tier without a proxy, with the same (immutable) description', () => {
    const [without, withIt] = [groups(example('004', NO_PROXY)), groups(withProxy('004'))].map((o) => named(o, 'SecurityGroup', 'core-business-dev-sg-db'));
    expect(without!.spec.ingressRules[0].userIDGroupPairs).toEqual([{ groupRef: ref('core-business-dev-sg-app'), description: 'from the app tier' }]);
    expect(withIt!.spec.description).toBe(without!.spec.description);
    expect(ofKind(groups(example('004', NO_PROXY)), 'SecurityGroup').map((g) => g.metadata.name)).not.toContain('core-business-dev-sg-db-proxy');
  });
});

describe('DatabaseProxy guards', () => {
  const build = (env: MarketplaceEnvironment) => () => render(env);

  it('refuses a database without a proxy section', () => {
    expect(build(example('004', NO_PROXY))).toThrow('spec.database.proxy is not set');
  });

  it('refuses a GeneratedSecret database (its password is not in Secrets Manager) even when validation was bypassed', () => {
    const env = withProxy('004');
    const generated = { ...env, spec: { ...env.spec, database: { ...env.spec.database!, credentials: 'GeneratedSecret' as const } } };
    expect(build(generated)).toThrow('requires credentials AWSManaged');
  });

  it('exposes its deterministic names', () => {
    renderWith(withProxy('004'), (_chart, ctx) => {
      expect(DatabaseProxy.resourceName(ctx)).toBe('core-business-dev-db-proxy');
      expect(DatabaseProxy.awsName(ctx)).toBe('corebiz-proxy-dev');
      expect(DatabaseProxy.securityGroupName(ctx)).toBe('core-business-dev-sg-db-proxy');
    });
  });
});
