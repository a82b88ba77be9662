/**
 * The pure parts of the steady-state measurement (test/e2e/helpers/write-audit.ts, steady-state.ts): telling the
 * operator's writes from other clients' by managedFields, reading ACK's update lines, choosing the environments and
 * the children a spec change touches. Each check is shown to fail on a case built to make it fail.
 */
import { validateEnvironment } from '../../../api/index.js';
import { renderEnvironment } from '../../../charts/render.js';
import { exampleEnvironments } from '../../../cli/examples.js';
import { changedChildren, coveringRuns, kindFigures, operatorRequests, type WindowFigures } from '../../e2e/helpers/steady-figures.js';
import { STEADY_CHANGE } from '../../e2e/helpers/steady-state.js';
import { ackUpdates, byKind, changedPaths, diffSnapshots, fieldPaths, subsetMismatches, writeSnapshot } from '../../e2e/helpers/write-audit.js';

const OURS = 'marketplace-operator';

/** A child as the API server returns it, with the operator's Apply entry and ACK's Update entry. */
function child(rv: string, ours: { time: string; fields: object }, ack?: { time: string; fields: object }, status: object = {}) {
  return {
    apiVersion: 'ec2.services.k8s.aws/v1alpha1',
    kind: 'SecurityGroup',
    status,
    metadata: {
      name: 'sg',
      namespace: 'ns',
      resourceVersion: rv,
      managedFields: [
        { manager: OURS, operation: 'Apply', time: ours.time, fieldsType: 'FieldsV1', fieldsV1: ours.fields },
        ...(ack ? [{ manager: 'controller', operation: 'Update', time: ack.time, fieldsV1: ack.fields }, { manager: 'controller', operation: 'Update', subresource: 'status', time: ack.time, fieldsV1: {} }] : []),
      ],
    },
  };
}

const SPEC = { 'f:spec': { 'f:description': {}, 'f:ingressRules': {}, 'f:tags': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } } };

describe('fieldPaths', () => {
  it('flattens a fieldsV1 set to leaf paths, keeping list keys and dropping "."', () => {
    expect(fieldPaths({ 'f:spec': { 'f:tags': { 'k:{"key":"Name"}': { '.': {}, 'f:value': {} } }, 'f:cidrBlocks': { 'v:"10.0.0.0/16"': {} } }, 'f:metadata': { 'f:labels': { '.': {} } } }).sort()).toEqual([
      'metadata.labels',
      'spec.cidrBlocks.v:"10.0.0.0/16"',
      'spec.tags.k:{"key":"Name"}.value',
    ]);
    expect(fieldPaths(undefined)).toEqual([]);
  });
});

describe('diffSnapshots', () => {
  const before = writeSnapshot([child('1', { time: '2026-11-28T10:00:00Z', fields: SPEC })], OURS);

  it('sees nothing when nothing changed', () => {
    expect(diffSnapshots(before, writeSnapshot([child('1', { time: '2026-11-28T10:00:00Z', fields: SPEC })], OURS))).toEqual({ written: [], changedByOthers: [], taken: {}, othersChanged: {}, appeared: [], disappeared: [] });
  });

  it("counts a new time on the operator's entry as its write, not another client's change", () => {
    const after = writeSnapshot([child('2', { time: '2026-11-28T10:00:05Z', fields: SPEC })], OURS);
    expect(diffSnapshots(before, after)).toMatchObject({ written: ['ns/SecurityGroup/sg'], changedByOthers: [] });
  });

  it('counts a new resourceVersion without a new time of ours as another client, and names the fields it took from us', () => {
    const fewer = { 'f:spec': { 'f:description': {}, 'f:tags': {} }, 'f:metadata': SPEC['f:metadata'] };
    const after = writeSnapshot([child('3', { time: '2026-11-28T10:00:00Z', fields: fewer }, { time: '2026-11-28T10:00:07Z', fields: { 'f:spec': { 'f:ingressRules': {} } } }, { conditions: [{ type: 'ACK.ResourceSynced' }] })], OURS);
    expect(diffSnapshots(before, after)).toEqual({
      written: [],
      changedByOthers: ['ns/SecurityGroup/sg'],
      taken: { 'ns/SecurityGroup/sg': ['spec.ingressRules'] },
      othersChanged: { 'ns/SecurityGroup/sg': ['status.conditions'] },
      appeared: [],
      disappeared: [],
    });
  });

  it('reports objects that appeared or disappeared, and a first entry of ours as a write', () => {
    const other = { ...child('1', { time: 't', fields: {} }), metadata: { ...child('1', { time: 't', fields: {} }).metadata, name: 'other', managedFields: [] } };
    const b = writeSnapshot([other, child('1', { time: 't', fields: SPEC })], OURS);
    const a = writeSnapshot([{ ...other, metadata: { ...other.metadata, resourceVersion: '5', managedFields: [{ manager: OURS, operation: 'Update', subresource: 'status', time: 'u', fieldsV1: {} }] } }, { ...other, metadata: { ...other.metadata, name: 'new' } }], OURS);
    expect(diffSnapshots(b, a)).toEqual({ written: ['ns/SecurityGroup/other'], changedByOthers: [], taken: {}, othersChanged: {}, appeared: ['ns/SecurityGroup/new'], disappeared: ['ns/SecurityGroup/sg'] });
  });
});

describe('subsetMismatches', () => {
  it("names where the desired object is not a subset of the live one, as the operator's no-op test decides", () => {
    const desired = { ingressRules: [{ fromPort: 443, ipRanges: [{ cidrIP: '0.0.0.0/0' }] }, { fromPort: 80 }], tags: [{ key: 'a', value: '1' }], name: 'x' };
    // Keys the live object has more (late-initialised) are fine; a longer list, a reordered one or another value is not.
    expect(subsetMismatches(desired, { ...structuredClone(desired), vpcID: 'vpc-1' }, 'spec')).toEqual([]);
    expect(subsetMismatches(desired, { ...desired, ingressRules: [{ fromPort: 80 }, { fromPort: 443, ipRanges: [{ cidrIP: '0.0.0.0/0' }] }] }, 'spec')).toEqual([
      'spec.ingressRules[0].fromPort: 443 ≠ 80',
      'spec.ingressRules[0].ipRanges: 1 items ≠ absent',
      'spec.ingressRules[1].fromPort: 80 ≠ 443',
    ]);
    expect(subsetMismatches(desired, { ...desired, tags: [...desired.tags, { key: 'services.k8s.aws/namespace', value: 'ns' }] }, 'spec')).toEqual(['spec.tags: 1 items ≠ 2']);
    expect(subsetMismatches(desired, undefined, 'spec')).toEqual(['spec: absent']);
  });
});

describe('changedPaths', () => {
  it('names where two objects differ, down to the depth asked, item by item in lists of one length', () => {
    const a = { spec: { tags: [{ key: 'a' }], name: 'x' }, status: { conditions: [{ type: 'A', t: 1 }, { type: 'B', t: 1 }], id: 'i' } };
    expect(changedPaths(a, structuredClone(a))).toEqual([]);
    expect(changedPaths(a, { ...a, status: { conditions: [{ type: 'A', t: 2 }, { type: 'B', t: 3 }], id: 'i', arn: 'r' } })).toEqual(['status.arn', 'status.conditions[].t']);
    expect(changedPaths(a, { ...a, spec: { tags: [{ key: 'a' }, { key: 'b' }], name: 'x' } })).toEqual(['spec.tags']);
    expect(changedPaths(a, { ...a, spec: { tags: [{ key: 'b' }], name: 'x' } }, 1)).toEqual(['spec']);
    expect(changedPaths(1, 2)).toEqual(['.']);
  });
});

describe('ackUpdates', () => {
  const line = (ts: string, ns: string, name: string, parts: string[][]) =>
    JSON.stringify({ level: 'info', ts, logger: 'ackrt', msg: 'desired resource state has changed', kind: 'Subnet', namespace: ns, name, diff: parts.map((p) => ({ Path: { Parts: p }, A: 1, B: 2 })) });
  const text = [
    line('2026-11-28T10:00:01.000Z', 'a', 's1', [['Spec', 'MapPublicIPOnLaunch']]),
    '{"level":"info","ts":"2026-11-28T10:00:02.000Z","msg":"updated resource","kind":"Subnet","namespace":"a","name":"s1"}',
    line('2026-11-28T10:00:11.000Z', 'a', 's1', [['Spec', 'MapPublicIPOnLaunch'], ['Spec', 'Tags']]),
    line('2026-11-28T10:00:12.000Z', 'b', 's2', [['Spec', 'Tags']]),
    line('2026-11-28T09:59:59.000Z', 'a', 's3', [['Spec', 'Tags']]),
    '{"msg":"desired resource state has changed", "cut',
  ].join('\n');

  it('counts the update lines of the namespaces asked for, inside the window, with their paths', () => {
    const found = ackUpdates(text, new Set(['a']), Date.parse('2026-11-28T10:00:00Z'), Date.parse('2026-11-28T10:01:00Z'));
    expect(Object.fromEntries(found)).toEqual({ 'a/Subnet/s1': { count: 2, paths: ['Spec.MapPublicIPOnLaunch', 'Spec.Tags'] } });
    expect(byKind(found.keys())).toEqual({ Subnet: 1 });
  });

  it('accepts epoch-second timestamps (older ACK runtimes)', () => {
    const epoch = JSON.stringify({ ts: Date.parse('2026-11-28T10:00:05Z') / 1000, msg: 'desired resource state has changed', kind: 'Key', namespace: 'a', name: 'k' });
    expect(ackUpdates(epoch, new Set(['a']), Date.parse('2026-11-28T10:00:00Z'), Date.parse('2026-11-28T10:00:10Z')).get('a/Key/k')?.count).toBe(1);
  });
});

describe('choosing the environments and the changed children', () => {
  it('covers every kind with the fewest environments, always including the ones asked for', () => {
    const runs = [
      { id: '000', readyKinds: new Set(['a', 'b', 'c']) },
      { id: '001', readyKinds: new Set(['a', 'd']) },
      { id: '002', readyKinds: new Set(['b', 'c']) },
      { id: '003', readyKinds: new Set(['e']) },
    ];
    expect(coveringRuns(runs).map((r) => r.id)).toEqual(['000', '001', '003']);
    expect(coveringRuns(runs, ['002']).map((r) => r.id)).toEqual(['001', '002', '003']);
  });

  it('the spec change renders exactly one SecurityGroup, Bucket and DBInstance of its example differently', () => {
    const manifest = structuredClone(exampleEnvironments().find((e) => e.id === STEADY_CHANGE.id)!.manifest) as never as { spec: Record<string, never> };
    const before = renderEnvironment(validateEnvironment(structuredClone(manifest)));
    STEADY_CHANGE.apply(manifest.spec);
    const after = renderEnvironment(validateEnvironment(manifest));
    expect(changedChildren(before, after).map((c) => c.split('/')[0]).sort()).toEqual(['Bucket', 'DBInstance', 'SecurityGroup']);
    expect(changedChildren(before, before)).toEqual([]);
  });
});

describe('operatorRequests', () => {
  it("keeps only what no ACK controller and not the test sends: APPLY to the children, any write to our kind but the test's APPLY", () => {
    const sample = (verb: string, group: string, resource: string, subresource: string, n: number) =>
      `apiserver_request_total{code="200",component="apiserver",dry_run="",group="${group}",resource="${resource}",scope="resource",subresource="${subresource}",verb="${verb}",version="v1alpha1"} ${n}`;
    const text = [
      sample('APPLY', 'ec2.services.k8s.aws', 'securitygroups', '', 2),
      sample('PATCH', 'ec2.services.k8s.aws', 'securitygroups', 'status', 40),
      sample('PATCH', 'ec2.services.k8s.aws', 'securitygroups', '', 7),
      sample('PATCH', 'marketplace.platform.dev', 'marketplaceenvironments', 'status', 3),
      sample('APPLY', 'marketplace.platform.dev', 'marketplaceenvironments', '', 1),
      sample('APPLY', '', 'namespaces', '', 1),
      sample('GET', 'ec2.services.k8s.aws', 'securitygroups', '', 100),
    ].join('\n');
    expect(operatorRequests(text)).toEqual({ 'APPLY securitygroups': 2, 'PATCH marketplaceenvironments/status': 3 });
  });
});

describe('kindFigures', () => {
  const empty: WindowFigures = {
    seconds: 35,
    reconciles: 100,
    operator: { apply: 0, patchStatus: 0, patchMetadata: 0, delete: 0, create: 0, total: 0 },
    written: [],
    writtenByKind: {},
    changedByOthers: {},
    fieldsTaken: {},
    ackUpdates: {},
    ackUpdatesByKind: {},
    operatorAwsCalls: {},
    applies: {},
  };

  it("adds up one kind's writes and ACK's updates and writes over the windows", () => {
    const steady = { ...empty, ackUpdates: { 'a/Subnet/s1': { count: 2, paths: ['Spec.HostnameType'] } }, changedByOthers: { Subnet: { objects: 3, paths: ['status.conditions'] } } };
    const change = { ...empty, writtenByKind: { SecurityGroup: 1 } };
    const after = { ...empty, ackUpdates: { 'a/Subnet/s1': { count: 1, paths: ['Spec.IPv6Native'] } }, writtenByKind: { Subnet: 1 } };
    expect(kindFigures({ 'ec2 Subnet': 21, 'ec2 SecurityGroup': 11 }, steady, change, after)).toEqual({
      'ec2 Subnet': { children: 21, steadyWrites: 0, changeApplies: 0, afterChangeWrites: 1, ackUpdates: 3, ackUpdatePaths: ['Spec.HostnameType', 'Spec.IPv6Native'], ackWrites: 3, ackWritePaths: ['status.conditions'] },
      'ec2 SecurityGroup': { children: 11, steadyWrites: 0, changeApplies: 1, afterChangeWrites: 0, ackUpdates: 0, ackUpdatePaths: [], ackWrites: 0, ackWritePaths: [] },
    });
  });
});
