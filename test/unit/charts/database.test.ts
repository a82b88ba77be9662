import type { MarketplaceEnvironment } from '../../../api/index.js';
import { Database } from '../../../charts/constructs/database.js';
import type { RenderedObject } from '../../../charts/render.js';
import type { Manifest } from '../../fixtures/invalid-specs.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { example, named, ofKind, renderWith } from '../helpers/render-construct.js';

/** Every example is rendered into namespace `shop`. */
const SHOP = { namespace: 'shop' };
/** Example 004's database as the seed's core settings alone: without the log exports and proxy the example adds. */
const coreDatabase = ({ spec }: Manifest): void => {
  delete spec.database.logExports;
  delete spec.database.proxy;
  withoutProxyEndpoint(spec);
};

/** The containers of `spec` connecting to the writer endpoint instead of the proxy. */
function withoutProxyEndpoint(spec: Manifest): void {
  for (const e of spec.compute?.containers?.environment ?? []) if (e.fromOutput === 'databaseProxyEndpoint') e.fromOutput = 'databaseWriterEndpoint';
}

/** Renders only the Database of `env`, fed with subnet, security group and key names as the chart would. */
function render(env: MarketplaceEnvironment): RenderedObject[] {
  return renderWith(env, (chart, ctx) => {
    new Database(chart, 'database', {
      ctx,
      spec: env.spec.database!,
      subnetNames: [ctx.names.k8s('subnet', 'x', 'a', 0), ctx.names.k8s('subnet', 'x', 'b', 0)],
      securityGroupName: ctx.names.k8s('sg', 'db'),
      kmsKeyName: ctx.names.k8s('kms'),
    });
  });
}

const sets = schemaSets();

const annotations = (o: RenderedObject) => o.metadata.annotations;
const ref = (name: string) => ({ from: { name } });

describe('Database, Aurora Serverless v2 (seed 000: aurora-mysql, 2 readers, deletionPolicy Delete, AWSManaged)', () => {
  const objects = render(example('000', SHOP));
  const cluster = named(objects, 'DBCluster', 'marketplace-three-tier-db');
  const instances = ofKind(objects, 'DBInstance');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(sets.length).toBeGreaterThan(0);
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders 1 DBSubnetGroup, 1 DBCluster and a writer plus 2 readers, all db.serverless', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([
      'DBSubnetGroup/marketplace-three-tier-db-subnets',
      'DBCluster/marketplace-three-tier-db',
      'DBInstance/marketplace-three-tier-db-0',
      'DBInstance/marketplace-three-tier-db-1',
      'DBInstance/marketplace-three-tier-db-2',
    ]);
    expect(instances.map((i) => i.spec?.dbInstanceClass)).toEqual(['db.serverless', 'db.serverless', 'db.serverless']);
    expect(instances.map((i) => i.spec?.dbInstanceIdentifier)).toEqual(['marketplace-db-0-prod', 'marketplace-db-1-prod', 'marketplace-db-2-prod']);
    expect(instances.map((i) => i.spec?.promotionTier)).toEqual([0, 1, 1]);
  });

  it('labels every object with the environment and the database component, in the chart namespace', () => {
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('shop');
      expect(o.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'marketplace-operator',
        'app.kubernetes.io/part-of': 'marketplace',
        'app.kubernetes.io/component': 'database',
        'marketplace.platform.dev/environment': 'marketplace-three-tier',
      });
      expect(annotations(o)['services.k8s.aws/region']).toBe('us-east-1');
    }
  });

  it('configures the cluster for Serverless v2 with the spec values', () => {
    expect(cluster.spec).toMatchObject({
      dbClusterIdentifier: 'marketplace-db-prod',
      engine: 'aurora-mysql',
      engineVersion: '8.0.mysql_aurora.3.04.0',
      engineMode: 'provisioned',
      serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 2 },
      masterUsername: 'dbadmin',
      port: 3306,
      storageEncrypted: true,
      backupRetentionPeriod: 1,
      deletionProtection: false,
      copyTagsToSnapshot: true,
    });
    expect(cluster.spec).not.toHaveProperty('databaseName');
    expect(cluster.spec).not.toHaveProperty('preferredBackupWindow');
  });

  it('wires subnets, security group and KMS key by reference', () => {
    expect(named(objects, 'DBSubnetGroup', 'marketplace-three-tier-db-subnets').spec).toMatchObject({
      name: 'marketplace-db-subnets-prod',
      subnetRefs: [ref('marketplace-three-tier-subnet-x-a-0'), ref('marketplace-three-tier-subnet-x-b-0')],
    });
    expect(cluster.spec).toMatchObject({
      dbSubnetGroupRef: ref('marketplace-three-tier-db-subnets'),
      vpcSecurityGroupRefs: [ref('marketplace-three-tier-sg-db')],
      kmsKeyRef: ref('marketplace-three-tier-kms'),
    });
    // Members name the cluster by its AWS identifier: ACK has no ref for it.
    for (const i of instances) {
      expect(i.spec).toMatchObject({ dbClusterIdentifier: 'marketplace-db-prod', engine: 'aurora-mysql', publiclyAccessible: false });
      expect(i.spec).not.toHaveProperty('dbClusterRef');
    }
  });

  it('lets RDS manage the master password, encrypted with the environment key', () => {
    expect(cluster.spec).toMatchObject({ manageMasterUserPassword: true, masterUserSecretKMSKeyRef: ref('marketplace-three-tier-kms') });
    expect(cluster.spec).not.toHaveProperty('masterUserPassword');
    for (const o of objects) expect(annotations(o)).not.toHaveProperty(['marketplace.platform.dev/generated-secrets']);
  });

  it('deletes without a final snapshot under deletionPolicy Delete', () => {
    expect(annotations(cluster)).toMatchObject({ 'services.k8s.aws/deletion-policy': 'delete', 'rds.services.k8s.aws/skip-final-snapshot': 'true' });
    expect(annotations(cluster)).not.toHaveProperty(['rds.services.k8s.aws/final-db-snapshot-identifier']);
    for (const i of instances) {
      expect(annotations(i)).toMatchObject({ 'services.k8s.aws/deletion-policy': 'delete', 'rds.services.k8s.aws/skip-final-snapshot': 'true' });
    }
  });

  it('does not mark the subnet group as data-bearing', () => {
    expect(annotations(named(objects, 'DBSubnetGroup', 'marketplace-three-tier-db-subnets'))).not.toHaveProperty(['services.k8s.aws/deletion-policy']);
  });

  it('tags every AWS resource with the environment tags and its own Name', () => {
    const tags = (o: RenderedObject) => Object.fromEntries((o.spec?.tags as { key: string; value: string }[]).map((t) => [t.key, t.value]));
    expect(tags(cluster)).toMatchObject({ Name: 'marketplace-db-prod', Project: 'marketplace', Environment: 'production', 'marketplace.platform.dev/environment': 'shop/marketplace-three-tier' });
    expect(tags(instances[2]!).Name).toBe('marketplace-db-2-prod');
  });

  it('exposes its deterministic names', () => {
    let db: Database | undefined;
    const env = example('000', SHOP);
    renderWith(env, (chart, ctx) => {
      db = new Database(chart, 'database', { ctx, spec: env.spec.database!, subnetNames: [], securityGroupName: 'sg', kmsKeyName: 'kms' });
      expect(Database.primaryName(ctx)).toBe('marketplace-three-tier-db');
      expect(Database.identifier(ctx)).toBe('marketplace-db-prod');
      expect(Database.masterSecretName(ctx)).toBe('marketplace-three-tier-db-master');
    });
    expect(db).toMatchObject({
      primaryName: 'marketplace-three-tier-db',
      primaryKind: 'DBCluster',
      subnetGroupName: 'marketplace-three-tier-db-subnets',
    });
  });
});

describe('Database, provisioned Aurora with a generated password (seed 003)', () => {
  const objects = render(example('003', SHOP));
  const cluster = named(objects, 'DBCluster', 'trading-useast1-db');
  const instances = ofKind(objects, 'DBInstance');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders a writer and 2 readers of the spec instance class, with no Serverless v2 scaling', () => {
    expect(instances.map((i) => [i.metadata.name, i.spec?.dbInstanceClass])).toEqual([
      ['trading-useast1-db-0', 'db.r5.large'],
      ['trading-useast1-db-1', 'db.r5.large'],
      ['trading-useast1-db-2', 'db.r5.large'],
    ]);
    expect(cluster.spec).not.toHaveProperty('serverlessV2ScalingConfiguration');
    expect(cluster.spec).toMatchObject({ engineMode: 'provisioned', databaseName: 'trading', dbClusterIdentifier: 'trading-db-synth2db2r6' });
  });

  it('reads the master password from the generated Secret and asks the controller to generate it first', () => {
    expect(cluster.spec?.masterUserPassword).toEqual({ name: 'trading-useast1-db-master', key: 'password' });
    expect(cluster.spec).not.toHaveProperty('manageMasterUserPassword');
    expect(cluster.spec).not.toHaveProperty('masterUserSecretKMSKeyRef');
    expect(JSON.parse(annotations(cluster)['marketplace.platform.dev/generated-secrets']!)).toEqual([{ name: 'trading-useast1-db-master', key: 'password', length: 32 }]);
    // Only the object that reads the Secret waits for it.
    for (const i of instances) expect(annotations(i)).not.toHaveProperty(['marketplace.platform.dev/generated-secrets']);
  });

  it('under deletionPolicy Retain keeps a final cluster snapshot, and members retain without one of their own', () => {
    const retained = render(example('003', { ...SHOP, patch: ({ spec }) => (spec.deletionPolicy = 'Retain') }));
    expect(crdErrors(retained)).toEqual([]);
    expect(annotations(named(retained, 'DBCluster', 'trading-useast1-db'))).toMatchObject({
      'services.k8s.aws/deletion-policy': 'retain',
      'rds.services.k8s.aws/skip-final-snapshot': 'false',
      'rds.services.k8s.aws/final-db-snapshot-identifier': 'trading-db-synth2db2r6-final',
    });
    for (const i of ofKind(retained, 'DBInstance')) {
      expect(annotations(i)).toMatchObject({ 'services.k8s.aws/deletion-policy': 'retain', 'rds.services.k8s.aws/skip-final-snapshot': 'true' });
      expect(annotations(i)).not.toHaveProperty(['rds.services.k8s.aws/final-db-snapshot-identifier']);
    }
  });
});

describe('Database, Aurora PostgreSQL (seed 002)', () => {
  const objects = render(example('002', SHOP));

  it('uses port 5432 and renders a writer plus 1 reader', () => {
    expect(crdErrors(objects)).toEqual([]);
    expect(named(objects, 'DBCluster', 'ecommerce-prod123-db').spec).toMatchObject({ engine: 'aurora-postgresql', port: 5432, serverlessV2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 1 } });
    expect(ofKind(objects, 'DBInstance').map((i) => i.metadata.name)).toEqual(['ecommerce-prod123-db-0', 'ecommerce-prod123-db-1']);
  });
});

describe('Database, standalone MySQL (seed 004: deletionPolicy Retain)', () => {
  const objects = render(example('004', { ...SHOP, patch: coreDatabase }));
  const instance = named(objects, 'DBInstance', 'core-business-dev-db');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders one DB subnet group and one DBInstance, no cluster', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['DBSubnetGroup/core-business-dev-db-subnets', 'DBInstance/core-business-dev-db']);
  });

  it('carries the standalone fields of the spec', () => {
    expect(instance.spec).toEqual({
      dbInstanceIdentifier: 'corebiz-db-dev',
      dbInstanceClass: 'db.t3.micro',
      engine: 'mysql',
      engineVersion: '8.0',
      allocatedStorage: 20,
      multiAZ: false,
      publiclyAccessible: false,
      masterUsername: 'dbadmin',
      manageMasterUserPassword: true,
      masterUserSecretKMSKeyRef: ref('core-business-dev-kms'),
      port: 3306,
      dbSubnetGroupRef: ref('core-business-dev-db-subnets'),
      vpcSecurityGroupRefs: [ref('core-business-dev-sg-db')],
      storageEncrypted: true,
      kmsKeyRef: ref('core-business-dev-kms'),
      backupRetentionPeriod: 30,
      preferredBackupWindow: '03:00-04:00',
      preferredMaintenanceWindow: 'sun:04:00-sun:05:00',
      deletionProtection: true,
      copyTagsToSnapshot: true,
      tags: expect.arrayContaining([{ key: 'Name', value: 'corebiz-db-dev' }, { key: 'Account', value: 'shared-development' }]),
    });
  });

  it('retains the instance and keeps a final snapshot named after it', () => {
    expect(annotations(instance)).toMatchObject({
      'services.k8s.aws/deletion-policy': 'retain',
      'rds.services.k8s.aws/skip-final-snapshot': 'false',
      'rds.services.k8s.aws/final-db-snapshot-identifier': 'corebiz-db-dev-final',
    });
  });

  it('defaults storage to 20 GiB, maps databaseName to dbName and drops the key when storage is unencrypted (postgres variant)', () => {
    const pg = render(
      example('004', { ...SHOP, patch: (raw) => {
        coreDatabase(raw);
        const { spec } = raw;
        Object.assign(spec.database, { engine: 'postgres', engineVersion: '16.4', databaseName: 'core', storageEncrypted: false, multiAZ: true, credentials: 'GeneratedSecret' });
        delete spec.database.allocatedStorageGiB;
        // The example's containers read the AWS-managed master secret, which a GeneratedSecret database has not.
        delete spec.compute;
        spec.deletionPolicy = 'Delete';
      } }),
    );
    expect(crdErrors(pg)).toEqual([]);
    const db = named(pg, 'DBInstance', 'core-business-dev-db');
    expect(db.spec).toMatchObject({ engine: 'postgres', port: 5432, allocatedStorage: 20, dbName: 'core', storageEncrypted: false, multiAZ: true });
    expect(db.spec).not.toHaveProperty('kmsKeyRef');
    expect(db.spec).not.toHaveProperty('databaseName');
    expect(db.spec?.masterUserPassword).toEqual({ name: 'core-business-dev-db-master', key: 'password' });
    expect(annotations(db)).toMatchObject({ 'services.k8s.aws/deletion-policy': 'delete', 'rds.services.k8s.aws/skip-final-snapshot': 'true' });
    expect(JSON.parse(annotations(db)['marketplace.platform.dev/generated-secrets']!)).toEqual([{ name: 'core-business-dev-db-master', key: 'password', length: 32 }]);
  });
});

describe('Database, Performance Insights and log exports (seed 004: "RDS performance insights and slow query logs")', () => {
  // db.t3.micro, the seed's class, has no Performance Insights for MySQL; db.t3.medium is the smallest that has.
  const observed = (patch: Manifest = {}) =>
    example('004', { ...SHOP, patch: ({ spec }) => Object.assign(spec.database, { instanceClass: 'db.t3.medium', performanceInsights: {}, logExports: ['error', 'slowquery'], ...patch }) });
  const objects = render(observed());
  const instance = named(objects, 'DBInstance', 'core-business-dev-db');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('enables Performance Insights for 7 days (the default), encrypted with the environment key, and exports the chosen logs', () => {
    expect(instance.spec).toMatchObject({
      performanceInsightsEnabled: true,
      performanceInsightsKMSKeyRef: ref('core-business-dev-kms'),
      performanceInsightsRetentionPeriod: 7,
      enableCloudwatchLogsExports: ['error', 'slowquery'],
    });
    expect(observed().spec.database?.performanceInsights).toEqual({ retentionDays: 7 });
  });

  it('renders none of these fields without the sections (AWS leaves both off)', () => {
    const plain = named(render(example('004', { ...SHOP, patch: coreDatabase })), 'DBInstance', 'core-business-dev-db');
    for (const field of ['performanceInsightsEnabled', 'performanceInsightsKMSKeyRef', 'performanceInsightsRetentionPeriod', 'enableCloudwatchLogsExports']) expect(plain.spec).not.toHaveProperty(field);
  });

  it('keeps the spec retention, e.g. 2 years', () => {
    expect(named(render(observed({ performanceInsights: { retentionDays: 731 } })), 'DBInstance', 'core-business-dev-db').spec?.performanceInsightsRetentionPeriod).toBe(731);
  });
});

describe('Database, Performance Insights and log exports on Aurora (seed 000 variant)', () => {
  const objects = render(example('000', { ...SHOP, patch: ({ spec }) => Object.assign(spec.database, { performanceInsights: { retentionDays: 31 }, logExports: ['error', 'general', 'slowquery'] }) }));
  const cluster = named(objects, 'DBCluster', 'marketplace-three-tier-db');
  const instances = ofKind(objects, 'DBInstance');

  crdTest(objects)('is valid against every ACK CRD schema set', () => {
    expect(crdErrors(objects)).toEqual([]);
  });

  it('exports the logs through the cluster, and turns Performance Insights on in every member, not on the cluster', () => {
    expect(cluster.spec?.enableCloudwatchLogsExports).toEqual(['error', 'general', 'slowquery']);
    for (const field of ['enablePerformanceInsights', 'performanceInsightsKMSKeyRef', 'performanceInsightsRetentionPeriod']) expect(cluster.spec).not.toHaveProperty(field);
    expect(instances).toHaveLength(3);
    for (const i of instances) {
      expect(i.spec).toMatchObject({ performanceInsightsEnabled: true, performanceInsightsKMSKeyRef: ref('marketplace-three-tier-kms'), performanceInsightsRetentionPeriod: 31 });
      expect(i.spec).not.toHaveProperty('enableCloudwatchLogsExports');
    }
  });

  it('renders none of these fields on the cluster or its members without the sections', () => {
    const plain = render(example('000', SHOP));
    for (const o of plain.filter((x) => x.kind !== 'DBSubnetGroup')) {
      for (const field of ['performanceInsightsEnabled', 'enablePerformanceInsights', 'enableCloudwatchLogsExports']) expect(o.spec).not.toHaveProperty(field);
    }
  });
});

describe('Performance Insights and log export rules that accept a spec', () => {
  const accepts = (key: string, database: Manifest) => () =>
    example(key, {
      ...SHOP,
      patch: (raw) => {
        coreDatabase(raw);
        const { spec } = raw;
        if (database.instanceClass) delete spec.database.serverless;
        Object.assign(spec.database, database);
      },
    });

  it.each([
    ['PostgreSQL on db.t3.micro (only MySQL lacks it on the small classes)', '004', { engine: 'postgres', engineVersion: '16.4', instanceClass: 'db.t3.micro', performanceInsights: {} }],
    ['MySQL on db.t4g.medium', '004', { instanceClass: 'db.t4g.medium', performanceInsights: {} }],
    ['Aurora MySQL Serverless v2 (no instance class)', '000', { performanceInsights: { retentionDays: 62 } }],
    ['Aurora MySQL on db.r6g.large', '000', { instanceClass: 'db.r6g.large', performanceInsights: { retentionDays: 713 } }],
    ['postgres logs on postgres', '004', { engine: 'postgres', engineVersion: '16.4', logExports: ['postgresql', 'upgrade'] }],
    ['postgresql log on Aurora PostgreSQL', '002', { logExports: ['postgresql'] }],
  ] as const)('accepts %s', (_name, key, database) => {
    expect(accepts(key, database)).not.toThrow();
  });
});

describe('ACK schema validation used above', () => {
  it('rejects a field the CRD does not declare (the closed-schema check is not vacuous)', () => {
    const [, cluster] = render(example('000', SHOP));
    const broken = { ...cluster!, spec: { ...cluster!.spec, masterUserSecretKMSKeyID: 'x', notAField: true } };
    expect(crdErrors([broken]).join('\n')).toContain('notAField');
  });
});
