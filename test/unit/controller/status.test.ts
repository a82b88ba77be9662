import type { RenderedObject } from '../../../charts/render.js';
import { mergeConditions } from '../../../controllers/marketplace-environment/conditions.js';
import { computeStatus, type Observation } from '../../../controllers/marketplace-environment/status.js';
import { needsApply, isSubset } from '../../../controllers/marketplace-environment/apply-diff.js';
import { resolveBindings } from '../../../controllers/marketplace-environment/resolve-bindings.js';
import { transitionEvents } from '../../../controllers/marketplace-environment/events.js';
import { Ajv } from 'ajv';
import { REASONS, StatusSchema } from '../../../api/index.js';

const obj = (kind: string, name: string, annotations: Record<string, string> = {}): RenderedObject => ({
  apiVersion: `x.services.k8s.aws/v1alpha1`, kind, metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/component': 'network' }, annotations }, spec: { a: 1 },
});
const synced = { status: { conditions: [{ type: 'ACK.ResourceSynced', status: 'True' }] } };
const base = (over: Partial<Observation> = {}): Observation => ({
  generation: 3, desired: [], live: new Map(), heldBack: new Map(), applyErrors: new Map(), unserved: new Set(), outputs: {}, now: '2026-11-22T00:00:00Z', ...over,
});
const key = (o: RenderedObject) => `${o.apiVersion}/${o.kind}/${o.metadata.name}`;
/** The CRD's status schema: every computed status must pass the API server's validation. */
const validateStatus = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(StatusSchema);

describe('computeStatus', () => {
  const vpc = obj('VPC', 'e-vpc');
  const subnet = obj('Subnet', 'e-subnet');

  it('is Ready with every child synced, stamping observedGeneration everywhere', () => {
    const s = computeStatus(base({ desired: [vpc, subnet], live: new Map([[key(vpc), { kind: 'VPC', ...synced }], [key(subnet), { kind: 'Subnet', ...synced }]]) }));
    expect(s).toMatchObject({ phase: 'Ready', summary: '2/2', observedGeneration: 3 });
    expect(s.conditions!.map((c) => [c.type, c.status, c.observedGeneration])).toEqual([['Ready', 'True', 3], ['Progressing', 'False', 3], ['Degraded', 'False', 3]]);
  });

  it.each([
    ['a child not created yet', { live: new Map([[key(vpc), { kind: 'VPC', ...synced }]]) }, 'Progressing', 'Reconciling', 'NotCreated'],
    ['a child waiting for a binding', { live: new Map([[key(vpc), { kind: 'VPC', ...synced }]]), heldBack: new Map([[key(subnet), [{ path: '/x', from: { apiVersion: 'v', kind: 'Key', name: 'k' }, fieldPath: 'status.arn', required: true }]]]) }, 'Progressing', 'WaitingForDependencies', 'WaitingForDependency'],
    ['an apply error', { live: new Map([[key(vpc), { kind: 'VPC', ...synced }]]), applyErrors: new Map([[key(subnet), 'HTTP 500: field not declared in schema']]) }, 'Degraded', 'ApplyFailed', 'ApplyFailed'],
    ['a kind the server does not serve', { live: new Map([[key(vpc), { kind: 'VPC', ...synced }]]), unserved: new Set(['x.services.k8s.aws/v1alpha1/Subnet']) }, 'Degraded', 'KindNotInstalled', 'KindNotInstalled'],
    ['a child ACK reports terminal', { live: new Map([[key(vpc), { kind: 'VPC', ...synced }], [key(subnet), { kind: 'Subnet', status: { conditions: [{ type: 'ACK.Terminal', status: 'True', reason: 'InvalidSubnet.Range', message: 'The CIDR is invalid' }] } }]]) }, 'Degraded', 'ComponentFailed', 'InvalidSubnet.Range'],
  ] as const)('with %s', (_name, over, phase, readyReason, subnetReason) => {
    const s = computeStatus(base({ desired: [vpc, subnet], ...over }));
    expect(s.phase).toBe(phase);
    expect(s.conditions!.find((c) => c.type === 'Ready')).toMatchObject({ status: 'False', reason: readyReason });
    expect(s.components!.find((c) => c.name === 'e-subnet')?.reason).toBe(subnetReason);
    expect(s.conditions!.find((c) => c.type === 'Ready')!.message).toContain('Subnet/e-subnet');
    if (phase === 'Degraded') expect(s.conditions!.find((c) => c.type === 'Degraded')).toMatchObject({ status: 'True', reason: readyReason });
    expect(validateStatus(s) ? [] : validateStatus.errors).toEqual([]);
  });

  it('puts ACK\'s reason and message into the condition message and the component, never into a condition reason', () => {
    const terminal = (reason?: string) => ({ kind: 'Subnet', status: { conditions: [{ type: 'ACK.Terminal', status: 'True', ...(reason === undefined ? {} : { reason }), message: 'The CIDR is invalid' }] } });
    for (const ackReason of ['InvalidSubnet.Range', '', undefined]) {
      const s = computeStatus(base({ desired: [vpc, subnet], live: new Map([[key(vpc), { kind: 'VPC', ...synced }], [key(subnet), terminal(ackReason)]]) }));
      const degraded = s.conditions!.find((c) => c.type === 'Degraded')!;
      expect(degraded.reason).toBe(REASONS.ComponentFailed);
      const detail = ackReason ? `${ackReason}: The CIDR is invalid` : 'The CIDR is invalid';
      expect(degraded.message).toBe(`1 failed: Subnet/e-subnet (${detail})`);
      expect(s.components!.find((c) => c.name === 'e-subnet')).toMatchObject({ state: 'Failed', reason: ackReason || 'ACKTerminal', message: 'The CIDR is invalid' });
      expect(validateStatus(s) ? [] : validateStatus.errors).toEqual([]);
    }
  });

  it('names a dependency once when several fields wait for the same value', () => {
    const from = { apiVersion: 'v', kind: 'OriginAccessControl', name: 'oac' };
    const binding = (path: string) => ({ path, from, fieldPath: 'status.id', required: true });
    const s = computeStatus(base({ desired: [vpc, subnet], live: new Map([[key(vpc), { kind: 'VPC', ...synced }]]), heldBack: new Map([[key(subnet), [binding('/a'), binding('/b')]]]) }));
    expect(s.components!.find((c) => c.name === 'e-subnet')?.message).toBe('waiting for OriginAccessControl/oac status.id');
  });

  it('reports an invalid spec on all three conditions, keeping the previous components', () => {
    const s = computeStatus(base({ invalid: [{ field: 'spec.network.subnets', message: 'do not fit' }], previous: { components: [{ component: 'network', kind: 'VPC', name: 'e-vpc', state: 'Ready' }] } }));
    expect(s.phase).toBe('Degraded');
    expect(s.conditions!.map((c) => c.reason)).toEqual(['InvalidSpec', 'InvalidSpec', 'InvalidSpec']);
    expect(s.conditions![0]!.message).toContain('spec.network.subnets: do not fit');
    expect(s.components).toHaveLength(1);
  });

  it('reports deletion progress', () => {
    const s = computeStatus(base({ deleting: { kinds: ['Subnet'], remaining: 4 } }));
    expect(s.phase).toBe('Deleting');
    expect(s.conditions![0]!.message).toBe('deleting Subnet; 4 children left');
  });
});

describe('computeStatus with the error that stopped the reconcile', () => {
  const vpc = obj('VPC', 'e-vpc');
  const ready = { desired: [vpc], live: new Map([[key(vpc), { kind: 'VPC', ...synced }]]) };
  const conditions = (s: ReturnType<typeof computeStatus>) => Object.fromEntries(s.conditions!.map((c) => [c.type, [c.status, c.reason, c.message]]));

  it('a transient one: never Ready, Progressing with the error (the queue retries), not Degraded', () => {
    const failure = { reason: REASONS.PruneFailed, message: 'prune: HTTP 500: etcd timeout', terminal: false };
    const s = computeStatus(base({ ...ready, failure }));
    expect(conditions(s)).toEqual({
      Ready: ['False', 'PruneFailed', 'prune: HTTP 500: etcd timeout'],
      Progressing: ['True', 'PruneFailed', 'retrying: prune: HTTP 500: etcd timeout'],
      Degraded: ['False', 'AsExpected', ''],
    });
    expect(s.phase).toBe('Progressing');
    expect(validateStatus(s) ? [] : validateStatus.errors).toEqual([]);
  });

  it('a terminal one: Degraded with the error, not Progressing', () => {
    const failure = { reason: REASONS.SecretGenerationFailed, message: 'generated secrets: refused', terminal: true };
    const s = computeStatus(base({ ...ready, failure }));
    expect(conditions(s)).toMatchObject({ Ready: ['False', 'SecretGenerationFailed', 'generated secrets: refused'], Progressing: ['False', 'SecretGenerationFailed', expect.any(String)], Degraded: ['True', 'SecretGenerationFailed', 'generated secrets: refused'] });
    expect(s.phase).toBe('Degraded');
  });

  it('during deletion: still Deleting', () => {
    const s = computeStatus(base({ deleting: { kinds: [], remaining: 0 }, failure: { reason: REASONS.DeletionFailed, message: 'list children: HTTP 503', terminal: false } }));
    expect(s.phase).toBe('Deleting');
    expect(conditions(s).Progressing).toEqual(['True', 'DeletionFailed', 'retrying: list children: HTTP 503']);
  });
});

describe('the condition vocabulary', () => {
  it('is the CRD\'s enum: a reason outside it does not validate', () => {
    const s = computeStatus(base({}));
    expect(validateStatus(s)).toBe(true);
    const withAckReason = { ...s, conditions: s.conditions!.map((c) => (c.type === 'Degraded' ? { ...c, reason: 'InvalidParameterCombination' } : c)) };
    expect(validateStatus(withAckReason)).toBe(false);
  });
});

describe('mergeConditions', () => {
  const prev = [{ type: 'Ready' as const, status: 'False' as const, reason: REASONS.Reconciling, message: 'm', lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 1 }];
  it('keeps lastTransitionTime while the status does not change', () => {
    expect(mergeConditions(prev, [{ type: 'Ready', status: 'False', reason: REASONS.WaitingForDependencies, message: 'n' }], 2, 'NOW')[0]).toMatchObject({ lastTransitionTime: '2026-01-01T00:00:00Z', observedGeneration: 2, reason: 'WaitingForDependencies' });
  });
  it('stamps now on a transition', () => {
    expect(mergeConditions(prev, [{ type: 'Ready', status: 'True', reason: REASONS.AllComponentsReady, message: '' }], 2, 'NOW')[0]!.lastTransitionTime).toBe('NOW');
  });
});

describe('needsApply (no-op detection)', () => {
  const desired = { metadata: { name: 'a', labels: { l: '1' } }, spec: { cidr: 'x', tags: [{ key: 'k', value: 'v' }] } };
  it.each([
    ['absent', undefined, true],
    ['identical', { metadata: { name: 'a', labels: { l: '1' }, uid: 'u' }, spec: { cidr: 'x', tags: [{ key: 'k', value: 'v' }] } }, false],
    ['with late-initialised extra fields', { metadata: { name: 'a', labels: { l: '1', other: 'x' } }, spec: { cidr: 'x', tags: [{ key: 'k', value: 'v' }], extra: true } }, false],
    ['a rendered field changed', { metadata: { name: 'a', labels: { l: '1' } }, spec: { cidr: 'y', tags: [{ key: 'k', value: 'v' }] } }, true],
    ['a list grew', { metadata: { name: 'a', labels: { l: '1' } }, spec: { cidr: 'x', tags: [{ key: 'k', value: 'v' }, { key: 'z', value: 'z' }] } }, true],
    ['a label changed', { metadata: { name: 'a', labels: { l: '2' } }, spec: { cidr: 'x', tags: [{ key: 'k', value: 'v' }] } }, true],
  ])('%s → %s', (_name, live, expected) => {
    expect(needsApply(desired, live)).toBe(expected);
  });
  it('compares scalars strictly', () => {
    expect(isSubset({ a: 1 }, { a: '1' })).toBe(false);
  });
});

describe('resolveBindings', () => {
  const binding = (required: boolean, template?: string) => ({ path: '/spec/target/id', from: { apiVersion: 'v', kind: 'Key', name: 'k' }, fieldPath: 'status.ackResourceMetadata.arn', required, ...(template ? { template } : {}) });
  const withBindings = (...b: object[]) => obj('Bucket', 'b', { 'marketplace.platform.dev/bindings': JSON.stringify(b) });
  const source = { status: { ackResourceMetadata: { arn: 'arn:k' } } };

  it('fills a value, creating the path, without mutating the input', () => {
    const input = withBindings(binding(true));
    const r = resolveBindings(input, () => source);
    expect(r.waitingFor).toEqual([]);
    expect(r.object.spec).toEqual({ a: 1, target: { id: 'arn:k' } });
    expect(input.spec).toEqual({ a: 1 });
  });
  it('holds back on a missing required value and leaves an optional one as rendered', () => {
    expect(resolveBindings(withBindings(binding(true)), () => undefined).waitingFor).toHaveLength(1);
    const optional = resolveBindings(withBindings(binding(false)), () => ({ status: {} }));
    expect(optional.waitingFor).toEqual([]);
    expect(optional.object.spec).toEqual({ a: 1 });
  });
  it('renders a template', () => {
    expect(resolveBindings(withBindings(binding(true, '{"arn":"{{value}}"}')), () => source).object.spec?.target).toEqual({ id: '{"arn":"arn:k"}' });
  });
  it('sets a JSON template as the parsed value', () => {
    const b = { ...binding(false, '[{"key":"k","value":"{{value}}"}]'), json: true };
    expect(resolveBindings(withBindings(b), () => source).object.spec?.target).toEqual({ id: [{ key: 'k', value: 'arn:k' }] });
    expect(resolveBindings(withBindings(b), () => undefined).object.spec).toEqual({ a: 1 });
  });
  it('joins the values of one path in declaration order, and sets the field only once all are known', () => {
    const subnet = (name: string) => ({ path: '/spec/zones', from: { apiVersion: 'v', kind: 'Subnet', name }, fieldPath: 'status.subnetID', required: true, join: ',' });
    const input = withBindings(subnet('b'), subnet('a'), subnet('c'));
    const ids: Record<string, string> = { a: 'subnet-1', b: 'subnet-2', c: 'subnet-3' };
    expect(resolveBindings(input, (_v, _k, name) => ({ status: { subnetID: ids[name] } })).object.spec).toEqual({ a: 1, zones: 'subnet-2,subnet-1,subnet-3' });
    const partial = resolveBindings(input, (_v, _k, name) => (name === 'c' ? undefined : { status: { subnetID: ids[name] } }));
    expect(partial.object.spec).toEqual({ a: 1 });
    expect(partial.waitingFor.map((b) => b.from.name)).toEqual(['c']);
  });
});

describe('transitionEvents', () => {
  it('records a phase change and each newly failed component once', () => {
    const next = { phase: 'Degraded' as const, conditions: [], components: [{ component: 'database', kind: 'DBCluster', name: 'db', state: 'Failed' as const, reason: 'InvalidParameter', message: 'bad' }] };
    const events = transitionEvents({ phase: 'Progressing' }, next, []);
    // Our reason, as on the conditions; ACK's is in the component's message.
    expect(events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'PhaseDegraded'], ['Warning', 'ComponentFailed']]);
    expect(events[1]!.note).toBe('DBCluster/db: bad');
    expect(transitionEvents(next, next, [])).toEqual([]);
  });
});
