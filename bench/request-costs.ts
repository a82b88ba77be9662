/**
 * `npx tsx bench/request-costs.ts [N]`: kube-apiserver CPU per request for each kind of request the operator makes per
 * environment (docs/benchmarks.md, "Reading the gap"), on a fresh local control plane: N environments applied, their
 * finalizer patched, their status patched (the recorded Ready status, then a one-field change), one Event and one
 * generated Secret each, and the children of the first 100; the environment requests also against a copy of our CRD
 * without its CEL rules (group exp.platform.dev), to separate CEL from the rest. CPU from /proc, N requests per row.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { parse, stringify } from 'yaml';
import { ClientNodeKubeClient } from '../controllers/runtime/client-node-kube-client.js';
import { reuseConnections } from '../controllers/runtime/keep-alive.js';
import { startControlPlane } from '../localcluster/control-plane.js';
import { applyCrds, loadCrds, waitForCrdsEstablished } from '../localcluster/crds.js';
import { REPO_ROOT } from '../localcluster/paths.js';
import { applyInParallel, createNamespace, unservedKinds } from './lib/cluster.js';
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
  const crd = withoutCel(parse(readFileSync(join(REPO_ROOT, 'crds/marketplaceenvironments.yaml'), 'utf8'))) as { metadata: { name: string }; spec: { group: string; names: { plural: string } } };
  crd.spec.group = 'exp.platform.dev';
  crd.metadata.name = `${crd.spec.names.plural}.${crd.spec.group}`;
  const file = join(tmpdir(), `mpe-no-cel-${process.pid}.yaml`);
  writeFileSync(file, stringify(crd));
  const crds = loadCrds([file]);
  await applyCrds(kc, crds);
  await waitForCrdsEstablished(kc, crds.map((c) => c.name));
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
    const each = (fn: (name: string) => Promise<unknown>) => applyInParallel(envs, 16, async (m) => void (await fn(m.metadata.name)));
    await measure(`environment: apply (${ns})`, N, () => each(async (n) => kube.apply(envs.find((m) => m.metadata.name === n)! as never)));
    await measure(`environment: finalizer patch (${ns})`, N, () => each((n) => kube.patchMetadata(ref(n), { finalizers: ['marketplace.platform.dev/finalizer'] })));
    await measure(`environment: status patch, whole Ready status (${ns})`, N, () => each((n) => kube.patchStatus(ref(n), { ...status, observedGeneration: 1 })));
    await measure(`environment: status patch, one field (${ns})`, N, () => each((n) => kube.patchStatus(ref(n), { summary: 'changed' })));
    if (ns === 'with-cel') {
      await measure('Event (events.k8s.io/v1 POST)', N, () => each((n) => kube.createEvent({ regarding: ref(n), type: 'Normal', reason: 'PhaseProgressing', action: 'Reconcile', note: 'none → Progressing' })));
      await measure('generated Secret (POST)', N, () => each((n) => kube.createIfAbsent({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `${n}-secret`, namespace: ns }, stringData: { password: 'x'.repeat(24) } } as never)));
      const children = envs.slice(0, 100).flatMap((m) => applicableChildren({ ...m, apiVersion: 'marketplace.platform.dev/v1alpha1' }, unserved).map((o) => ({ ...o, metadata: { ...o.metadata, namespace: ns } })));
      await measure(`child: server-side apply (${children.length} children of 100 environments)`, children.length, () => applyInParallel(children, 32, async (o) => void (await kube.apply(o as never))));
    }
  }
  process.stdout.write(`| request (kube-apiserver ${N} at a time, 16 in flight) | CPU ms per request |\n| --- | --- |\n${rows.join('\n')}\n`);
} finally {
  await plane.stop();
}
