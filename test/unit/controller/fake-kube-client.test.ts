/** The shared fake KubeClient behaves as the API server does where the reconciler relies on it. */
import { describe, expect, it } from '@jest/globals';
import { isConflict, isInvalid, isNotFound } from '../../../controllers/runtime/errors.js';
import { FakeKubeClient, apiError, selector, type StoredObject } from '../../helpers/fake-kube-client.js';

const ref = { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', namespace: 'ns', name: 'v' };
const vpc = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => ({ apiVersion: ref.apiVersion, kind: ref.kind, metadata: { name: 'v', namespace: 'ns', ...metadata }, spec });
/** `kube.apply`, typed as what the fake stores. */
const apply = async (kube: FakeKubeClient, o: object) => (await kube.apply(o)) as unknown as StoredObject & { spec?: object };
const rejection = async (p: Promise<unknown>) => p.then(() => undefined, (err: unknown) => err);

describe('FakeKubeClient', () => {
  it('applies: creates, then merges; a field applied before and left out now is removed, one written by others kept', async () => {
    const kube = new FakeKubeClient();
    const created = await apply(kube, vpc({ cidr: 'a', tags: [1, 2], mine: { x: 1, y: 2 } }));
    expect(created.metadata).toMatchObject({ generation: 1, resourceVersion: expect.any(String), uid: expect.any(String) });
    await kube.patchStatus(ref, { vpcID: 'vpc-1' });
    // Another writer (ACK late-initialising) adds a spec field.
    kube.put({ ...kube.object(ref)!, spec: { ...(kube.object<StoredObject>(ref)!.spec as object), lateInit: true } });
    const updated = await apply(kube, vpc({ cidr: 'b', tags: [3], mine: { x: 1 } }));
    expect(updated.spec).toEqual({ cidr: 'b', tags: [3], mine: { x: 1 }, lateInit: true });
  });

  it('changes resourceVersion on every change and generation only when spec changes; a no-op write changes nothing', async () => {
    const kube = new FakeKubeClient();
    const a = await apply(kube, vpc({ cidr: 'a' }));
    const same = await apply(kube, vpc({ cidr: 'a' }));
    expect(same.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    const labelled = (await kube.patchMetadata(ref, { labels: { l: '1' } })) as StoredObject;
    expect([labelled.metadata.generation, labelled.metadata.resourceVersion !== a.metadata.resourceVersion]).toEqual([1, true]);
    const status = (await kube.patchStatus(ref, { x: 1 })) as StoredObject;
    expect(status.metadata.generation).toBe(1);
    expect((await apply(kube, vpc({ cidr: 'b' }))).metadata.generation).toBe(2);
  });

  it('refuses a stale resourceVersion with 409 and a missing object with 404', async () => {
    const kube = new FakeKubeClient();
    const a = await apply(kube, vpc({}));
    await kube.patchMetadata(ref, { labels: { l: '1' } });
    expect(isConflict(await rejection(kube.patchMetadata(ref, { finalizers: ['f'] }, { resourceVersion: a.metadata.resourceVersion })))).toBe(true);
    expect(isConflict(await rejection(kube.patchStatus(ref, {}, { resourceVersion: a.metadata.resourceVersion })))).toBe(true);
    const missing = { ...ref, name: 'nope' };
    expect(isNotFound(await rejection(kube.patchStatus(missing, {})))).toBe(true);
    expect(isNotFound(await rejection(kube.patchMetadata(missing, {})))).toBe(true);
    expect([await kube.get(missing), await kube.delete(missing)]).toEqual([undefined, false]);
  });

  it('keeps the status a subresource: apply and create ignore it, patchStatus touches nothing else', async () => {
    const kube = new FakeKubeClient();
    await kube.apply({ ...vpc({ a: 1 }), status: { forged: true } });
    expect(kube.object<StoredObject>(ref)!.status).toBeUndefined();
    await kube.patchStatus(ref, { vpcID: 'vpc-1', spec: 'not this' });
    expect(kube.object<StoredObject & { spec: unknown }>(ref)).toMatchObject({ spec: { a: 1 }, status: { vpcID: 'vpc-1', spec: 'not this' } });
    await kube.patchStatus(ref, { vpcID: null });
    expect(kube.object<StoredObject>(ref)!.status).toEqual({ spec: 'not this' });
  });

  it('deletes through finalizers: deletionTimestamp first, gone with the last finalizer, no new finalizer meanwhile', async () => {
    const kube = new FakeKubeClient();
    await kube.apply(vpc({}, { finalizers: ['a', 'b'] }));
    expect(await kube.delete(ref)).toBe(true);
    const deleting = kube.object<StoredObject>(ref)!;
    expect(deleting.metadata).toMatchObject({ deletionTimestamp: '2026-01-01T00:00:00Z', generation: 2 });
    expect(isInvalid(await rejection(kube.patchMetadata(ref, { finalizers: ['a', 'b', 'c'] })))).toBe(true);
    await kube.patchMetadata(ref, { finalizers: ['b'] });
    expect(kube.object(ref)).toBeDefined();
    await kube.patchMetadata(ref, { finalizers: [] });
    expect(kube.object(ref)).toBeUndefined();
  });

  it('creates only what is absent, storing Secret stringData as data', async () => {
    const kube = new FakeKubeClient();
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'ns' }, stringData: { k: 'v' } };
    expect(await kube.createIfAbsent(secret)).toMatchObject({ data: { k: Buffer.from('v').toString('base64') } });
    expect(await kube.createIfAbsent({ ...secret, stringData: { k: 'other' } })).toBeUndefined();
    expect(kube.object<{ data: object }>({ apiVersion: 'v1', kind: 'Secret', namespace: 'ns', name: 's' })!.data).toEqual({ k: Buffer.from('v').toString('base64') });
  });

  it('lists by kind, namespace and label selector', async () => {
    const kube = new FakeKubeClient();
    for (const [name, namespace, labels] of [['a', 'ns', { env: 'x', tier: 'db' }], ['b', 'ns', { env: 'y' }], ['c', 'other', { env: 'x' }]] as const) {
      await kube.apply({ apiVersion: ref.apiVersion, kind: 'VPC', metadata: { name, namespace, labels } });
    }
    const names = async (namespace: string | undefined, labelSelector?: string) => (await kube.list({ apiVersion: ref.apiVersion, kind: 'VPC', namespace, labelSelector })).map((o) => o.metadata?.name);
    expect(await names('ns')).toEqual(['a', 'b']);
    expect(await names(undefined, 'env=x')).toEqual(['a', 'c']);
    expect(await names('ns', 'env=x,tier')).toEqual(['a']);
    expect(await names(undefined, 'env in (x, y),!tier')).toEqual(['b', 'c']);
    expect((await kube.list({ apiVersion: ref.apiVersion, kind: 'Subnet' }))).toEqual([]);
    expect(selector('a!=1')({ a: '2' })).toBe(true);
    expect(selector('a notin (1,2)')({})).toBe(true);
  });

  it('records calls, injects errors per verb and object (a number of times), and reports changes', async () => {
    const kube = new FakeKubeClient();
    const changes: string[] = [];
    kube.subscribe((change, o) => changes.push(`${change} ${o.metadata.name}`));
    kube.failOn('apply', { name: 'v' }, apiError(500, 'boom'), 1);
    expect(await rejection(kube.apply(vpc({})))).toMatchObject({ code: 500, body: { message: 'boom' } });
    await kube.apply(vpc({}));
    await kube.apply({ ...vpc({}), metadata: { name: 'w', namespace: 'ns' } });
    await kube.delete(ref);
    expect(kube.callsTo('apply').map((c) => c.ref.name)).toEqual(['v', 'v', 'w']);
    expect(kube.callsTo('apply', { name: 'w' })).toHaveLength(1);
    expect(changes).toEqual(['add v', 'add w', 'delete v']);
    expect(kube.calls.map((c) => c.verb)).toEqual(['apply', 'apply', 'apply', 'delete']);
    kube.clearInterceptors();
    kube.failOn('get', {}, apiError(503));
    kube.clearInterceptors();
    expect(await kube.get(ref)).toBeUndefined();
  });
});
