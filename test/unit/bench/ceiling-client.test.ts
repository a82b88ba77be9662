/**
 * The P2 ceiling client (bench/lib/ceiling-client.ts): it must apply exactly the children the benchmark's observer
 * waits for, and make the requests of the controller's first reconcile, in its order, owned by the real environment.
 */
import type { MarketplaceEnvironment } from '../../../api/index.js';
import { planEnvironment, unavoidableWork } from '../../../bench/lib/ceiling-client.js';
import { applicableChildren, childKey, instantiate, loadExamples } from '../../../bench/lib/workload.js';
import { FINALIZER } from '../../../controllers/marketplace-environment/reconciler.js';
import { silentLogger } from '../../../controllers/runtime/logger.js';
import { FakeKubeClient } from '../../helpers/fake-kube-client.js';

const examples = loadExamples();
const keys = (objects: readonly { kind?: string; metadata?: { name?: string; namespace?: string } }[]) => objects.map(childKey).sort();

describe('planEnvironment', () => {
  it.each(examples.map((e) => [e.id, e] as const))('plans exactly the children the observer expects for %s', async (_id, example) => {
    const manifest = instantiate(example, 'ns', 'env-0000');
    const plan = await planEnvironment(manifest, new Set(), silentLogger());
    expect(plan.children.length).toBeGreaterThan(20);
    expect(keys(plan.children)).toEqual(keys(applicableChildren(manifest)));
    // Owned by a placeholder until the environment exists: one uid, shared by every child.
    const uids = new Set(plan.children.flatMap((o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid)));
    expect(uids.size).toBe(1);
  });

  it('writes the status of a first reconcile: one component per rendered child and AWS action, none Ready', async () => {
    const manifest = instantiate(examples[0]!, 'ns', 'env-0000');
    const plan = await planEnvironment(manifest, new Set(), silentLogger());
    const components = plan.status.components ?? [];
    expect(components.length).toBeGreaterThan(plan.children.length);
    expect(components.filter((c) => c.state === 'Ready')).toEqual([]);
    expect(components.some((c) => c.state === 'Waiting')).toBe(true);
    expect(plan.status.phase).not.toBe('Ready');
  });
});

describe('unavoidableWork', () => {
  it("makes the first reconcile's requests in the controller's order, the children owned by the environment", async () => {
    const manifest = instantiate(examples[0]!, 'ns', 'env-0000');
    const plan = await planEnvironment(manifest, new Set(), silentLogger());
    const kube = new FakeKubeClient();
    const env = kube.put(manifest) as unknown as MarketplaceEnvironment;
    await unavoidableWork(kube, env, plan, 8, silentLogger());
    await new Promise((resolve) => setImmediate(resolve)); // the Event is not awaited, as in the controller
    const verbs = kube.calls.map((c) => c.verb);
    const firstApply = verbs.indexOf('apply');
    expect(verbs[0]).toBe('patchMetadata');
    expect(kube.callsTo('patchMetadata')[0]!.body).toEqual({ metadata: { finalizers: [FINALIZER] } });
    expect(kube.callsTo('createIfAbsent')).toHaveLength(plan.secrets.length);
    expect(verbs.lastIndexOf('createIfAbsent')).toBeLessThan(firstApply);
    expect(kube.callsTo('apply')).toHaveLength(plan.children.length);
    expect(verbs.indexOf('patchStatus')).toBeGreaterThan(verbs.lastIndexOf('apply'));
    expect(kube.callsTo('patchStatus')).toHaveLength(1);
    expect(kube.events.map((e) => e.reason)).toEqual([`Phase${plan.status.phase}`]);
    const owners = kube.callsTo('apply').flatMap((c) => ((c.body as { metadata: { ownerReferences?: { uid: string }[] } }).metadata.ownerReferences ?? []).map((r) => r.uid));
    expect(new Set(owners)).toEqual(new Set([env.metadata.uid]));
  });
});
