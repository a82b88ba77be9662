/** The caches added because of the benchmark figures (docs/benchmarks.md): child index, slim cache objects, render cache. */
import { SpecValidationError, validateEnvironment, type MarketplaceEnvironment } from '../../../api/index.js';
import { renderEnvironment } from '../../../charts/index.js';
import { ChildIndex } from '../../../controllers/marketplace-environment/child-cache.js';
import { slimForCache } from '../../../controllers/runtime/informer.js';
import { KnownSecrets, ensureGeneratedSecrets } from '../../../controllers/marketplace-environment/generated-secrets.js';
import { RenderCache } from '../../../controllers/marketplace-environment/reconciler.js';
import { validBase } from '../../fixtures/invalid-specs.js';
import { FakeKubeClient } from '../../helpers/fake-kube-client.js';

const vpc = { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC' };
const child = (name: string, env?: string, namespace = 'ns') => {
  const labels: Record<string, string> = env ? { 'marketplace.platform.dev/environment': env } : {};
  return { ...vpc, metadata: { name, namespace, labels } };
};

describe('ChildIndex', () => {
  it('lists the children of one environment and follows adds, label moves and deletes', () => {
    const index = new ChildIndex();
    index.update('add', vpc, child('a-vpc', 'a'));
    index.update('add', vpc, child('b-vpc', 'b'));
    index.update('add', vpc, child('a-vpc', 'a', 'other'));
    index.update('add', vpc, child('stray'));
    expect(index.list('ns', 'a').map((o) => o.metadata?.name)).toEqual(['a-vpc']);
    expect(index.list('other', 'a')).toHaveLength(1);
    index.update('update', vpc, child('b-vpc', 'a'));
    expect(index.list('ns', 'b')).toEqual([]);
    expect(index.list('ns', 'a').map((o) => o.metadata?.name).sort()).toEqual(['a-vpc', 'b-vpc']);
    index.update('delete', vpc, child('a-vpc', 'a'));
    expect(index.list('ns', 'a').map((o) => o.metadata?.name)).toEqual(['b-vpc']);
  });
  it('replaces an object on update (the cache holds the latest version)', () => {
    const index = new ChildIndex();
    index.update('add', vpc, child('a-vpc', 'a'));
    index.update('update', vpc, { ...child('a-vpc', 'a'), status: { vpcID: 'vpc-1' } } as never);
    expect(index.list('ns', 'a')).toEqual([expect.objectContaining({ status: { vpcID: 'vpc-1' } })]);
  });
});

test('slimForCache drops managedFields only', () => {
  const o = { metadata: { name: 'x', labels: { a: 'b' }, managedFields: [{ manager: 'm' }] }, spec: { s: 1 } };
  expect(slimForCache(o)).toEqual({ metadata: { name: 'x', labels: { a: 'b' } }, spec: { s: 1 } });
});

describe('RenderCache', () => {
  const env = (generation: number, uid = 'u1'): MarketplaceEnvironment & { spec: any } => { // eslint-disable-line @typescript-eslint/no-explicit-any
    const m = validBase('shop') as unknown as MarketplaceEnvironment;
    return { ...m, metadata: { ...m.metadata, namespace: 'ns', uid, generation } };
  };
  it('returns what validate + render return, and reuses it for the same uid and generation', () => {
    const cache = new RenderCache();
    const first = cache.render(env(1));
    expect(first.desired).toEqual(renderEnvironment(validateEnvironment(env(1))));
    const again = cache.render(env(1));
    expect(again.desired).toEqual(first.desired);
    expect(again.desired).not.toBe(first.desired);
    expect(again.valid.spec).toEqual(validateEnvironment(env(1)).spec);
    expect(cache.size).toBe(1);
  });
  it('renders again for a new generation or uid', () => {
    const cache = new RenderCache();
    cache.render(env(1));
    const changed = env(2);
    changed.spec = { ...changed.spec, tags: { ...changed.spec.tags, owner: 'team-z' } };
    const owners = (objs: { spec?: { tags?: { key: string; value: string }[] } }[]) => objs.flatMap((o) => o.spec?.tags ?? []).filter((t) => t.key === 'Owner').map((t) => t.value);
    expect(new Set(owners(cache.render(changed).desired as never))).toEqual(new Set(['team-z']));
    const recreated = cache.render(env(2, 'u2')).desired;
    expect(recreated[0]?.metadata.ownerReferences?.[0]).toMatchObject({ uid: 'u2' });
    cache.forget('ns', 'shop');
    expect(cache.size).toBe(0);
  });
  it('remembers an invalid spec as the same error', () => {
    const cache = new RenderCache();
    const bad = env(3);
    bad.spec = { ...bad.spec, network: { ...bad.spec.network, vpcCIDR: 'nope' } };
    expect(() => cache.render(bad)).toThrow(SpecValidationError);
    let second: unknown;
    try {
      cache.render(bad);
    } catch (err) {
      second = err;
    }
    expect(second).toBeInstanceOf(SpecValidationError);
    expect((second as SpecValidationError).errors[0]?.field).toContain('vpcCIDR');
  });
});

describe('KnownSecrets and ensureGeneratedSecrets', () => {
  const base = { apiVersion: 'marketplace.platform.dev/v1alpha1', kind: 'MarketplaceEnvironment', metadata: { name: 'shop', namespace: 'ns', uid: 'u1' }, spec: { deletionPolicy: 'Delete' } };
  /** Reconciled before: it has a status. */
  const env = { ...base, status: { phase: 'Ready' } } as unknown as MarketplaceEnvironment;
  const newEnv = base as unknown as MarketplaceEnvironment;
  const declared = [{ name: 'shop-db-master', key: 'password', length: 24 }] as never;
  const secretRef = { apiVersion: 'v1', kind: 'Secret', namespace: 'ns', name: 'shop-db-master' };
  /** The shared fake client; `calls()` counts its GETs and creates. */
  const fakeKube = () => {
    const kube = new FakeKubeClient();
    const calls = () => ({ get: kube.callsTo('get').length, create: kube.callsTo('createIfAbsent').length });
    return { kube, calls };
  };

  it('creates a missing Secret once and, while the sighting is fresh, costs no request', async () => {
    let now = 0;
    const known = new KnownSecrets(1_000, () => now);
    const { kube, calls } = fakeKube();
    expect(await ensureGeneratedSecrets(kube, env, declared, known)).toEqual(['shop-db-master']);
    expect(await ensureGeneratedSecrets(kube, env, declared, known)).toEqual([]);
    expect(calls()).toEqual({ get: 1, create: 1 });
    now = 1_000; // expired: looked up again, found, not re-created
    expect(await ensureGeneratedSecrets(kube, env, declared, known)).toEqual([]);
    expect(calls()).toEqual({ get: 2, create: 1 });
  });

  it('re-creates a Secret deleted behind its back once the sighting expires or the environment is forgotten', async () => {
    let now = 0;
    const known = new KnownSecrets(1_000, () => now);
    const { kube, calls } = fakeKube();
    await ensureGeneratedSecrets(kube, env, declared, known);
    kube.remove(secretRef);
    now = 500;
    expect(await ensureGeneratedSecrets(kube, env, declared, known)).toEqual([]);
    known.forget('ns/shop');
    expect(known.size).toBe(0);
    expect(await ensureGeneratedSecrets(kube, env, declared, known)).toEqual(['shop-db-master']);
    expect(calls().create).toBe(2);
  });

  it('for a never reconciled environment creates without a GET, and never overwrites a kept Secret', async () => {
    const { kube, calls } = fakeKube();
    kube.put({ ...secretRef, metadata: { name: secretRef.name, namespace: 'ns' }, stringData: { password: 'kept-by-retain' } } as never);
    expect(await ensureGeneratedSecrets(kube, newEnv, declared)).toEqual([]);
    expect(kube.object<{ stringData: Record<string, string> }>(secretRef)?.stringData.password).toBe('kept-by-retain');
    expect(calls()).toEqual({ get: 0, create: 1 });
  });

  it('without a KnownSecrets looks up every time', async () => {
    const { kube, calls } = fakeKube();
    await ensureGeneratedSecrets(kube, env, declared);
    await ensureGeneratedSecrets(kube, env, declared);
    expect(calls()).toEqual({ get: 2, create: 1 });
  });
});
