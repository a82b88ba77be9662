/**
 * `npm run trace` against the local control plane: an environment and a few of its ACK children (applied directly,
 * no controller), with ACK conditions patched onto the children's status; the CLI runs as a subprocess with
 * KUBECONFIG pointing at the test cluster.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { renderManifest } from '../../charts/index.js';
import type { Trace } from '../../cli/trace-format.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { REPO_ROOT } from '../../localcluster/paths.js';
import { loadTestKubeConfig, testKubeconfigPath, uniqueName } from './helpers/kube.js';

const kube = ClientNodeKubeClient.fromKubeConfig(loadTestKubeConfig(), { fieldManager: 'mpe-trace-test', fieldValidation: 'Strict' });
const namespace = uniqueName('trace');
const name = uniqueName('shop');
const TSX = join(REPO_ROOT, 'node_modules/.bin/tsx');

const manifest = {
  ...parse(readFileSync(join(REPO_ROOT, 'examples/000-marketplace-three-tier.yaml'), 'utf8')),
  metadata: { name, namespace },
};
const rendered = renderManifest(manifest);
const pick = (kind: string, nameSuffix?: string) => {
  const o = rendered.find((r) => r.kind === kind && (!nameSuffix || r.metadata.name.endsWith(nameSuffix)));
  if (!o) throw new Error(`example 000 renders no ${kind}${nameSuffix ? ` *${nameSuffix}` : ''}`);
  return o;
};
const vpc = pick('VPC');
const subnet = pick('Subnet', 'subnet-private-a-0');
const dbCluster = pick('DBCluster');
const sg = rendered.find((r) => r.kind === 'SecurityGroup')!;
const ref = (o: { apiVersion: string; kind: string; metadata: { name: string } }) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, namespace });
const now = '2025-05-02T09:00:00Z';
const cond = (type: string, status: string, reason?: string, message?: string) => ({ type, status, lastTransitionTime: now, ...(reason ? { reason } : {}), ...(message ? { message } : {}) });

/** Runs the CLI against the test cluster. */
function trace(args: string[], via: 'tsx' | 'npm' = 'tsx') {
  const env = { ...process.env, KUBECONFIG: testKubeconfigPath() };
  const [cmd, argv] = via === 'npm' ? ['npm', ['run', '--silent', 'trace', '--', ...args]] : [TSX, ['cli/trace.ts', ...args]];
  const r = spawnSync(cmd, argv as string[], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr.split('\n').filter((l) => !l.startsWith('npm warn')).join('\n') };
}

beforeAll(async () => {
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
  const env = await kube.apply(manifest as KubernetesObject);
  for (const child of [vpc, subnet, dbCluster, sg]) await kube.apply(child as KubernetesObject);
  // A child of another environment in the same namespace: trace must not list it.
  await kube.apply({ ...vpc, metadata: { ...vpc.metadata, name: `${name}-other-vpc`, labels: { ...vpc.metadata.labels, 'marketplace.platform.dev/environment': `${name}-other` } } } as KubernetesObject);

  await kube.patchStatus(ref(vpc), { vpcID: 'vpc-0123', conditions: [cond('ACK.ResourceSynced', 'True', undefined, 'Resource synced successfully'), cond('Ready', 'True')] });
  await kube.patchStatus(ref(subnet), {
    conditions: [cond('ACK.Recoverable', 'True', 'Throttling', 'Rate exceeded\n\tstatus code: 400'), cond('ACK.ResourceSynced', 'False', 'NotSynced', 'Resource not synced')],
  });
  await kube.patchStatus(ref(dbCluster), {
    conditions: [cond('ACK.Terminal', 'True', 'InvalidParameterCombination', 'Cannot find version 8.0.mysql_aurora.3.99.0 for aurora-mysql'), cond('ACK.ResourceSynced', 'False')],
  });
  // sg: no status at all (its ACK controller never saw it).
  const generation = (env.metadata as { generation?: number }).generation ?? 1;
  await kube.patchStatus({ apiVersion: manifest.apiVersion, kind: manifest.kind, name, namespace }, {
    observedGeneration: generation,
    phase: 'Degraded',
    summary: '1/4',
    conditions: [
      { ...cond('Ready', 'False', 'ComponentFailed', '1/4 children ready'), observedGeneration: generation },
      { ...cond('Degraded', 'True', 'ComponentFailed', `1 failed: DBCluster/${dbCluster.metadata.name} (InvalidParameterCombination: Cannot find version)`), observedGeneration: generation },
    ],
    components: [
      { component: 'network', kind: 'VPC', name: vpc.metadata.name, state: 'Ready' },
      { component: 'network', kind: 'Subnet', name: subnet.metadata.name, state: 'Progressing', reason: 'ACKRecoverable', message: 'Rate exceeded' },
      { component: 'database', kind: 'DBCluster', name: dbCluster.metadata.name, state: 'Failed', reason: 'InvalidParameterCombination', message: 'Cannot find version 8.0.mysql_aurora.3.99.0 for aurora-mysql' },
      { component: 'cache', kind: 'ReplicationGroup', name: `${name}-cache`, state: 'Waiting', reason: 'WaitingForDependency', message: 'waiting for CacheSubnetGroup' },
    ],
    outputs: { vpcID: 'vpc-0123' },
  });
}, 60_000);

afterAll(async () => {
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
});

describe('npm run trace', () => {
  test('prints the environment, its conditions and outputs, and its children by component with their ACK conditions', () => {
    const r = trace([`${namespace}/${name}`], 'npm');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out).toContain(`MarketplaceEnvironment ${namespace}/${name}\n`);
    expect(out).toMatch(/phase Degraded, children ready 1\/4, generation 1, observed 1\n/);
    expect(out).toMatch(/ {2}Degraded +True +ComponentFailed +1 failed: DBCluster\/.* \(InvalidParameterCombination: /);
    expect(out).toMatch(/OUTPUTS\n {2}vpcID +vpc-0123\n/);

    const children = out.slice(out.indexOf('CHILDREN\n'));
    expect(children).toMatch(/^NAME +STATE +READY +SYNCED +TERMINAL +RECOVERABLE$/m);
    // Groups in spec order; within network, status.components order.
    const groups = children.split('\n').filter((l) => /^[a-z]+$/.test(l));
    expect(groups).toEqual(['network', 'security', 'database', 'cache']);
    expect(children).toMatch(new RegExp(`├─ VPC/${vpc.metadata.name} +Ready +True +True +- +-\\n`));
    expect(children).toMatch(new RegExp(`└─ Subnet/${subnet.metadata.name} +Progressing +- +False +- +True\\n +ACK.ResourceSynced=False NotSynced: Resource not synced\\n +ACK.Recoverable=True Throttling: Rate exceeded status code: 400\\n`));
    expect(children).toMatch(new RegExp(`└─ SecurityGroup/${sg.metadata.name} +Progressing +- +- +- +-\\n +Progressing: NotReconciledByACK: no ACK conditions yet`));
    expect(children).toMatch(new RegExp(`└─ DBCluster/${dbCluster.metadata.name} +Failed +- +False +True +-\\n(.*\\n)? +ACK.Terminal=True InvalidParameterCombination: Cannot find version`));
    expect(children).toMatch(new RegExp(`└─ ReplicationGroup/${name}-cache \\(not in cluster\\) +Waiting`));
    expect(out).not.toContain(`${name}-other-vpc`);
  }, 120_000);

  test('-o json gives the same tree as data, with full messages', () => {
    const r = trace([`${namespace}/${name}`, '-o', 'json']);
    expect(r.code).toBe(0);
    const t = JSON.parse(r.stdout) as Trace;
    expect(t.environment).toMatchObject({ name, namespace, phase: 'Degraded', summary: '1/4', outputs: { vpcID: 'vpc-0123' } });
    expect(t.components.map((g) => [g.component, g.children.map((c) => c.kind)])).toEqual([
      ['network', ['VPC', 'Subnet']],
      ['security', ['SecurityGroup']],
      ['database', ['DBCluster']],
      ['cache', ['ReplicationGroup']],
    ]);
    const subnetNode = t.components[0]!.children[1]!;
    expect(subnetNode).toMatchObject({ apiVersion: 'ec2.services.k8s.aws/v1alpha1', name: subnet.metadata.name, live: true, state: 'Progressing' });
    expect(subnetNode.conditions).toEqual([
      { type: 'ACK.ResourceSynced', status: 'False', reason: 'NotSynced', message: 'Resource not synced' },
      { type: 'ACK.Recoverable', status: 'True', reason: 'Throttling', message: 'Rate exceeded\n\tstatus code: 400' },
    ]);
    // Kinds whose CRDs this cluster does not have are named, not silently skipped: exactly those no source provides.
    const unavailable = new AckCrdSources().resolveAll().filter((r) => r.status === 'unavailable').map((r) => `${r.kind.apiVersion}/${r.kind.kind}`);
    expect(t.unservedKinds).toEqual([...unavailable].sort());
  }, 120_000);

  test('a missing environment: exit 1 and a message; bad usage: exit 2', () => {
    const missing = trace([`${namespace}/does-not-exist`]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`MarketplaceEnvironment ${namespace}/does-not-exist not found`);
    const usage = trace([]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/usage: npm run trace/);
  }, 120_000);
});
