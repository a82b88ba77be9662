/**
 * `npx tsx bench/request-costs.ts [N]`: kube-apiserver CPU per request for each kind of request the operator makes per
 * environment (docs/benchmarks.md, "Reading the gap"), on a fresh local control plane: N environments applied, their
 * finalizer patched, their status patched (the recorded Ready status, then a one-field change), one Event and one
 * generated Secret each, and the children of the first 100; the environment requests also against a copy of our CRD
 * without its CEL rules (group exp.platform.dev), to separate CEL from the rest. CPU from /proc.
 */
import { forEachLimited } from '../controllers/runtime/for-each-limited.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { FINALIZER } from '../controllers/marketplace-environment/reconciler.js';
import { ClientNodeKubeClient } from '../controllers/runtime/client-node-kube-client.js';
import { reuseConnections } from '../controllers/runtime/keep-alive.js';
import { startControlPlane } from '../localcluster/control-plane.js';
import { applyCrds, loadCrds, waitForCrdsEstablished, type CrdDocument } from '../localcluster/crds.js';
import { REPO_ROOT } from '../localcluster/paths.js';
import { createNamespace, unservedKinds } from './lib/cluster.js';
import { cpuSecondsOf } from './lib/workers.js';
import { applicableChildren, instantiate, loadExamples } from './lib/workload.js';

const N = Number(process.argv[2] ?? 500);

/** The CRD without `x-kubernetes-validations`, in another group. */
function withoutCel(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutCel);
  if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'x-kubernetes-validations').map(([k, v]) => [k, withoutCel(v)]));
  return node;
}

const plane = await startControlPlane({ log: () => undefined });
try {
  const kc = reuseConnections(new KubeConfig());
  kc.loadFromFile(plane.kubeconfigPath);
  const file = join(REPO_ROOT, 'crds/marketplaceenvironments.yaml');
  const [ours] = loadCrds([file]);
  const object = withoutCel(ours!.object) as CrdDocument['object'] & { spec: { group: string } };
  object.spec.group = 'exp.platform.dev';
  object.metadata!.name = `${object.spec.names.plural}.${object.spec.group}`;
  const withoutCelCrd: CrdDocument = { file, name: object.metadata!.name, object };
  await applyCrds(kc, [withoutCelCrd]);
  await waitForCrdsEstablished(kc, [withoutCelCrd.name]);
  const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'request-costs' });
  const unserved = await unservedKinds(kube);
  const apiserver = plane.pids['kube-apiserver'];
  const status = (JSON.parse(readFileSync(join(REPO_ROOT, 'docs/recorded/status-ready.json'), 'utf8')) as { status: object }).status;
  const examples = loadExamples();
  const rows: string[] = [];
  const measure = async (label: string, count: number, fn: () => Promise<void>) => {
    const c0 = cpuSecondsOf(apiserver)!;
    await fn();
    rows.push(`| ${label} | ${(((cpuSecondsOf(apiserver)! - c0) * 1000) / count).toFixed(2)} |`);
  };
  for (const [group, ns] of [['marketplace.platform.dev', 'with-cel'], ['exp.platform.dev', 'without-cel']] as const) {
    await createNamespace(kube, ns);
    const envs = Array.from({ length: N }, (_, i) => ({ ...instantiate(examples[i % examples.length]!, ns, `env-${i}`), apiVersion: `${group}/v1alpha1` }));
    const ref = (name: string) => ({ apiVersion: `${group}/v1alpha1`, kind: 'MarketplaceEnvironment', namespace: ns, name });
    const each = (fn: (m: (typeof envs)[number]) => Promise<unknown>) => forEachLimited(envs, 16, async (m) => void (await fn(m)));
    await measure(`environment: apply (${ns})`, N, () => each((m) => kube.apply(m as never)));
    await measure(`environment: finalizer patch (${ns})`, N, () => each((m) => kube.patchMetadata(ref(m.metadata.name), { finalizers: [FINALIZER] })));
    await measure(`environment: status patch, whole Ready status (${ns})`, N, () => each((m) => kube.patchStatus(ref(m.metadata.name), { ...status, observedGeneration: 1 })));
    await measure(`environment: status patch, one field (${ns})`, N, () => each((m) => kube.patchStatus(ref(m.metadata.name), { summary: 'changed' })));
    if (ns === 'with-cel') {
      await measure('Event (events.k8s.io/v1 POST)', N, () => each((m) => kube.createEvent({ regarding: ref(m.metadata.name), type: 'Normal', reason: 'PhaseProgressing', action: 'Reconcile', note: 'none → Progressing' })));
      await measure('generated Secret (POST)', N, () => each((m) => kube.createIfAbsent({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${m.metadata.name}-secret`, namespace: ns }, stringData: { password: 'x'.repeat(24) } } as never)));
      const children = envs.slice(0, 100).flatMap((m) => applicableChildren({ ...m, apiVersion: 'marketplace.platform.dev/v1alpha1' }, unserved).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns } })));
      await measure(`child: server-side apply (${children.length} children of 100 environments)`, children.length, () => forEachLimited(children, 32, async (o) => void (await kube.apply(o as never))));
    }
  }
  process.stdout.write(`| request (environment rows: ${N} requests, 16 in flight; children: 32 in flight) | kube-apiserver CPU ms per request |\n| --- | --- |\n${rows.join('\n')}\n`);
} finally {
  await plane.stop();
}
