import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Testing } from 'cdk8s';
import { parse } from 'yaml';
import { buildCrd, GROUP, PLURAL } from '../../../api/index.js';
import { CHILD_KINDS } from '../../../charts/child-kinds.js';
import {
  CLUSTER_RULES,
  LEADER_ELECTION_RULES,
  OperatorInstallChart,
  type CrdManifest,
  type OperatorInstallChartProps,
} from '../../../charts/install/index.js';
import { ROOT } from '../helpers/ack-schemas.js';

type Obj = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; [k: string]: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

/** crds/marketplaceenvironments.yaml, as main.ts loads it. */
const crdFile = () => parse(readFileSync(join(ROOT, 'crds', 'marketplaceenvironments.yaml'), 'utf8')) as CrdManifest;

function synth(props: Partial<OperatorInstallChartProps> = {}): Obj[] {
  return Testing.synth(new OperatorInstallChart(Testing.app(), 'marketplace-operator', { crd: crdFile(), ...props })) as Obj[];
}
const CLUSTER_SCOPED = ['Namespace', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleBinding'];
const find = (objects: Obj[], kind: string) => objects.find((o) => o.kind === kind)!;
/** Rules flattened to `group/resource[/name]: verbs` lines, sorted. */
const flatten = (rules: readonly Rule[]) =>
  rules.flatMap((r) => r.resources.flatMap((res) => (r.resourceNames?.length ? r.resourceNames : ['']).map((n) => `${r.apiGroups.join(',')}/${res}${n ? `/${n}` : ''}: ${r.verbs.join(',')}`))).sort();

describe('OperatorInstallChart', () => {
  const objects = synth();

  it('renders the namespace and CRD first, the workload last, each namespaced object in marketplace-system', () => {
    expect(objects.map((o) => o.kind)).toEqual([
      'Namespace', 'CustomResourceDefinition', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Deployment', 'Service',
    ]);
    for (const o of objects) {
      expect([o.kind, o.metadata.namespace]).toEqual([o.kind, CLUSTER_SCOPED.includes(o.kind) ? undefined : 'marketplace-system']);
      expect([o.kind, o.metadata.labels?.['app.kubernetes.io/name']]).toEqual([o.kind, 'marketplace-operator']);
    }
    expect(find(objects, 'Namespace').metadata.labels).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });
  });

  it('includes crds/marketplaceenvironments.yaml unchanged, with no zero printer-column priority (input not mutated)', () => {
    const input = crdFile();
    expect(input).toEqual(JSON.parse(JSON.stringify(buildCrd()))); // the file is the generator's output
    const before = JSON.stringify(input);
    const rendered = find(synth({ crd: input }), 'CustomResourceDefinition');
    expect(JSON.stringify(input)).toBe(before);
    expect(rendered).toEqual(JSON.parse(before));
    // The API server drops `priority: 0`, so a manifest keeping it would conflict with the stored CRD on every apply.
    expect(JSON.stringify(rendered)).not.toContain('"priority":0');
  });

  it('grants exactly the cluster rules the controller needs: no wildcard, every child kind, nothing else', () => {
    const role = find(objects, 'ClusterRole');
    const rules = role.rules as Rule[];
    expect(JSON.stringify(rules)).not.toContain('*');
    expect(rules.every((r) => r.resourceNames === undefined)).toBe(true);
    expect(flatten(rules)).toEqual(flatten(CLUSTER_RULES.map((r) => ({ apiGroups: [r.apiGroup], resources: [...r.resources], verbs: [...r.verbs] }))));
    const lines = flatten(rules);
    expect(lines).toContain(`${GROUP}/${PLURAL}: get,list,watch,patch`);
    expect(lines).toContain(`${GROUP}/${PLURAL}/status: patch`);
    for (const kind of CHILD_KINDS) expect(lines).toContain(`${kind.apiVersion.split('/')[0]}/${kind.plural}: list,watch,create,patch,delete`);
    expect(lines).toContain('/secrets: get,create,patch');
    expect(lines).toContain('/configmaps: get,create,patch,delete');
    expect(lines).toContain('events.k8s.io/events: create');
    expect(lines).toHaveLength(2 + CHILD_KINDS.length + 3);
    const binding = find(objects, 'ClusterRoleBinding');
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'marketplace-operator' });
    expect(binding.subjects).toEqual([{ apiGroup: '', kind: 'ServiceAccount', name: 'marketplace-operator', namespace: 'marketplace-system' }]);
  });

  it('limits leader election to one Lease in its own namespace (a Role)', () => {
    const role = find(objects, 'Role');
    expect(flatten(role.rules)).toEqual(['coordination.k8s.io/leases/marketplace-operator: get,update', 'coordination.k8s.io/leases: create']);
    expect(LEADER_ELECTION_RULES).toHaveLength(2);
    expect(find(objects, 'RoleBinding').roleRef).toMatchObject({ kind: 'Role', name: 'marketplace-operator-leader-election' });
  });

  it('runs 2 leader-electing replicas under the restricted pod security profile, with probes and resources', () => {
    const deployment = find(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(2);
    expect(deployment.spec.selector).toEqual({ matchLabels: { 'app.kubernetes.io/name': 'marketplace-operator', 'app.kubernetes.io/component': 'controller' } });
    const pod = deployment.spec.template.spec;
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(pod).toMatchObject({ serviceAccountName: 'marketplace-operator', automountServiceAccountToken: true, securityContext: { runAsNonRoot: true } });
    expect(pod.containers).toHaveLength(1);
    const [c] = pod.containers;
    expect(c.image).toBe('marketplace-operator:dev');
    expect(c.securityContext).toEqual({
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      privileged: false,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 8080 });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/readyz', port: 8080 });
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '192Mi' });
    expect(c.resources.limits).toEqual({ cpu: '1000m', memory: '512Mi' });
    const env = Object.fromEntries(c.env.map((e: { name: string; value?: string; valueFrom?: { fieldRef: { fieldPath: string } } }) => [e.name, e.value ?? `fieldRef:${e.valueFrom?.fieldRef.fieldPath}`]));
    expect(env).toMatchObject({
      LEADER_ELECT: 'true',
      POD_NAME: 'fieldRef:metadata.name',
      LEADER_ELECTION_NAMESPACE: 'fieldRef:metadata.namespace',
      METRICS_BIND_ADDRESS: '0.0.0.0:8080',
    });
  });

  it('exposes the metrics port through a Service selecting the operator pods', () => {
    const service = find(objects, 'Service');
    expect(service.spec.ports).toEqual([{ name: 'http-metrics', port: 8080, targetPort: 8080, protocol: 'TCP' }]);
    expect(service.spec.selector).toEqual(find(objects, 'Deployment').spec.selector.matchLabels);
  });

  it('takes the image, namespace and replica count as properties', () => {
    const custom = synth({ image: 'registry.example.com/mpo:1.2.3', namespace: 'ops', replicas: 3 });
    const deployment = find(custom, 'Deployment');
    expect(deployment.spec.template.spec.containers[0].image).toBe('registry.example.com/mpo:1.2.3');
    expect(deployment.spec.replicas).toBe(3);
    expect(find(custom, 'Namespace').metadata.name).toBe('ops');
    expect(find(custom, 'ClusterRoleBinding').subjects[0].namespace).toBe('ops');
    for (const o of custom) expect([o.kind, o.metadata.namespace]).toEqual([o.kind, CLUSTER_SCOPED.includes(o.kind) ? undefined : 'ops']);
  });
});
