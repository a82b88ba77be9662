import type { Manifest } from '../../fixtures/invalid-specs.js';
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { Cache, clusterModeParameterGroup } from '../../../charts/constructs/cache.js';
import type { RenderedObject } from '../../../charts/render.js';
import { crdErrors, crdTest, schemaSets } from '../helpers/ack-schemas.js';
import { example, named, renderWith } from '../helpers/render-construct.js';

type Json = Manifest;

/** Every example is rendered into namespace `shop`. */
const SHOP = { namespace: 'shop' };

/** Renders only the Cache of `env`, fed with subnet, security group and key names as the chart would. */
function render(env: MarketplaceEnvironment): RenderedObject[] {
  return renderWith(env, (chart, ctx) => {
    new Cache(chart, 'cache', {
      ctx,
      spec: env.spec.cache!,
      subnetNames: [ctx.names.k8s('subnet', 'x', 'a', 0), ctx.names.k8s('subnet', 'x', 'b', 0)],
      securityGroupName: ctx.names.k8s('sg', 'cache'),
      kmsKeyName: ctx.names.k8s('kms'),
    });
  });
}

/** Seed 004 with a cache in its private tier (it has no isolated subnets). */
const seed004WithCache = (cache: Json, patch: (spec: Json) => void = () => {}) =>
  example('004', { ...SHOP, patch: ({ spec }) => {
    spec.cache = { engineVersion: '7.1', subnetTier: 'private', ...cache };
    patch(spec);
  } });

const sets = schemaSets();
const ref = (name: string) => ({ from: { name } });

describe('Cache, Redis 7 cluster mode (seed 000: 6 shards x 1 replica, deletionPolicy Delete)', () => {
  const objects = render(example('000', SHOP));
  const group = named(objects, 'ReplicationGroup', 'marketplace-three-tier-cache');

  it('matches the snapshot', () => {
    expect(objects).toMatchSnapshot();
  });

  crdTest(objects)('is valid against every ACK CRD schema set (closed schemas)', () => {
    expect(sets.length).toBeGreaterThan(0);
    expect(crdErrors(objects)).toEqual([]);
  });

  it('renders a cache subnet group and a replication group under deterministic names', () => {
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(['CacheSubnetGroup/marketplace-three-tier-cache-subnets', 'ReplicationGroup/marketplace-three-tier-cache']);
    for (const o of objects) {
      expect(o.metadata.namespace).toBe('shop');
      expect(o.metadata.labels).toEqual({
        'app.kubernetes.io/managed-by': 'marketplace-operator',
        'app.kubernetes.io/part-of': 'marketplace',
        'app.kubernetes.io/component': 'cache',
        'marketplace.platform.dev/environment': 'marketplace-three-tier',
      });
    }
  });

  it('shards 6 x 1 with failover, Multi-AZ and the default cluster-mode parameter group', () => {
    expect(group.spec).toMatchObject({
      replicationGroupID: 'marketplace-cache-prod',
      engine: 'redis',
      engineVersion: '7.0',
      cacheNodeType: 'cache.r7g.large',
      numNodeGroups: 6,
      replicasPerNodeGroup: 1,
      automaticFailoverEnabled: true,
      multiAZEnabled: true,
      cacheParameterGroupName: 'default.redis7.cluster.on',
      port: 6379,
      snapshotRetentionLimit: 1,
    });
  });

  it('encrypts in transit and at rest with the environment key, wired by reference', () => {
    expect(group.spec).toMatchObject({
      transitEncryptionEnabled: true,
      atRestEncryptionEnabled: true,
      kmsKeyRef: ref('marketplace-three-tier-kms'),
      cacheSubnetGroupRef: ref('marketplace-three-tier-cache-subnets'),
      securityGroupRefs: [ref('marketplace-three-tier-sg-cache')],
    });
    expect(named(objects, 'CacheSubnetGroup', 'marketplace-three-tier-cache-subnets').spec).toMatchObject({
      cacheSubnetGroupName: 'marketplace-cache-subnets-prod',
      subnetRefs: [ref('marketplace-three-tier-subnet-x-a-0'), ref('marketplace-three-tier-subnet-x-b-0')],
    });
  });

  it('marks only the replication group as data-bearing', () => {
    expect(group.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('delete');
    expect(named(objects, 'CacheSubnetGroup', 'marketplace-three-tier-cache-subnets').metadata.annotations).not.toHaveProperty(['services.k8s.aws/deletion-policy']);
  });

  it('tags with the environment tags and the replication group id as Name', () => {
    expect(group.spec?.tags).toContainEqual({ key: 'Name', value: 'marketplace-cache-prod' });
    expect(group.spec?.tags).toContainEqual({ key: 'marketplace.platform.dev/environment', value: 'shop/marketplace-three-tier' });
  });
});

describe('Cache, cluster mode disabled', () => {
  it('without replicas: no failover, no Multi-AZ, no parameter group, no key when unencrypted at rest; retained under Retain', () => {
    const objects = render(seed004WithCache({ shards: 1, replicasPerShard: 0, atRestEncryption: false, transitEncryption: false }));
    expect(objects).toMatchSnapshot();
    expect(crdErrors(objects)).toEqual([]);
    const group = named(objects, 'ReplicationGroup', 'core-business-dev-cache');
    expect(group.spec).toMatchObject({ numNodeGroups: 1, replicasPerNodeGroup: 0, automaticFailoverEnabled: false, multiAZEnabled: false, atRestEncryptionEnabled: false, transitEncryptionEnabled: false });
    expect(group.spec).not.toHaveProperty('cacheParameterGroupName');
    expect(group.spec).not.toHaveProperty('kmsKeyRef');
    expect(group.metadata.annotations['services.k8s.aws/deletion-policy']).toBe('retain');
  });

  it('with one replica (the schema default): failover and Multi-AZ on, still no parameter group', () => {
    const objects = render(seed004WithCache({}));
    expect(crdErrors(objects)).toEqual([]);
    const group = named(objects, 'ReplicationGroup', 'core-business-dev-cache');
    expect(group.spec).toMatchObject({ engine: 'redis', cacheNodeType: 'cache.t4g.small', numNodeGroups: 1, replicasPerNodeGroup: 1, automaticFailoverEnabled: true, multiAZEnabled: true });
    expect(group.spec).not.toHaveProperty('cacheParameterGroupName');
  });
});

describe('Cache, cluster mode without replicas (valkey 8)', () => {
  it('still enables automatic failover (AWS requires it for cluster mode) but not Multi-AZ', () => {
    const objects = render(seed004WithCache({ engine: 'valkey', engineVersion: '8.0', shards: 3, replicasPerShard: 0 }));
    expect(crdErrors(objects)).toEqual([]);
    expect(named(objects, 'ReplicationGroup', 'core-business-dev-cache').spec).toMatchObject({
      engine: 'valkey',
      numNodeGroups: 3,
      automaticFailoverEnabled: true,
      multiAZEnabled: false,
      cacheParameterGroupName: 'default.valkey8.cluster.on',
    });
  });
});

describe('Cache, replication group id', () => {
  it('stays within 40 lower-case characters for the longest project and suffix', () => {
    const env = seed004WithCache({}, (spec) => {
      spec.project = 'abcdefghijklmnop';
      spec.environmentSuffix = 'qrstuvwxyz12';
    });
    const id = named(render(env), 'ReplicationGroup', 'core-business-dev-cache').spec?.replicationGroupID as string;
    expect(id).toBe('abcdefghijklmnop-cache-qrstuvwxyz12');
    expect(id.length).toBeLessThanOrEqual(40);
    expect(id).toMatch(/^[a-z][a-z0-9-]*[a-z0-9]$/);
  });
});

describe('clusterModeParameterGroup', () => {
  it.each([
    ['redis', '7.0', 'default.redis7.cluster.on'],
    ['redis', '7.1', 'default.redis7.cluster.on'],
    ['redis', '6.2', 'default.redis6.x.cluster.on'],
    ['redis', '6.0', 'default.redis6.x.cluster.on'],
    ['redis', '5.0.6', 'default.redis5.0.cluster.on'],
    ['valkey', '7.2', 'default.valkey7.cluster.on'],
    ['valkey', '8.0', 'default.valkey8.cluster.on'],
    ['valkey', '8.1', 'default.valkey8.cluster.on'],
  ] as const)('%s %s → %s', (engine, version, group) => {
    expect(clusterModeParameterGroup(engine, version)).toBe(group);
  });
});
