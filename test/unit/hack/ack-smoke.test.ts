/**
 * The ACK smoke test's object set (hack/ack-smoke-cases.ts) and its cluster-free checks (hack/ack-smoke-checks.ts).
 * The smoke itself needs controllers and moto (`npm run ack-smoke`, docs/e2e.md); what it creates must still be valid
 * ACK objects, and its checks must be able to fail.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { smokeCases, type Case } from '../../../hack/ack-smoke-cases.js';
import { awsIdOf, bindSpec, diffsSince, factMismatches, mergePatch, specNotKept, unboundSources } from '../../../hack/ack-smoke-checks.js';
import { crdErrors, crdTest } from '../helpers/ack-schemas.js';

const NS = 'ack-smoke-test';
const cases = smokeCases(NS, 'test');
const key = (c: Case): string => `${c.kind}/${c.object.metadata?.name}`;
const fakeArns = new Map(cases.map((c) => [key(c), `arn:aws:test:::${key(c)}`]));
const objectsAsWritten = cases.flatMap((c) => {
  const created = { ...c.object, spec: bindSpec(c.object.spec ?? {}, c, fakeArns) };
  const updated = c.update ? [{ ...created, spec: mergePatch(created.spec, bindSpec(c.update.spec, c, fakeArns)) as Record<string, unknown> }] : [];
  return [created, ...updated];
}) as { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, unknown> }[];

describe('the smoke set', () => {
  crdTest(objectsAsWritten)('is valid against the ACK CRDs, as created and after each update', () => {
    expect(crdErrors(objectsAsWritten)).toEqual([]);
  });

  it('has one object name per kind and binds only to objects created before', () => {
    expect(new Set(cases.map(key)).size).toBe(cases.length);
    for (const [i, c] of cases.entries()) {
      const earlier = new Set(cases.slice(0, i).map(key));
      for (const b of c.bind ?? []) expect([key(c), earlier.has(`${b.from.kind}/${b.from.name}`)]).toEqual([key(c), true]);
    }
  });

  it('renders target groups inside listener and rule actions as bound ARNs, never as refs', () => {
    const actions = cases.filter((c) => c.kind === 'Listener' || c.kind === 'Rule');
    expect(actions).toHaveLength(4);
    expect(JSON.stringify(actions.map((c) => c.object.spec))).not.toContain('targetGroupRef');
    for (const c of actions.filter((a) => JSON.stringify(a.object.spec).includes('targetGroupARN'))) {
      expect(unboundSources(c, new Map())).not.toEqual([]);
      expect(JSON.stringify(bindSpec(c.object.spec ?? {}, c, fakeArns))).not.toContain('"targetGroupARN":""');
    }
  });

  it('sets the load balancer default moto and elbv2-controller need', () => {
    const lb = cases.find((c) => c.kind === 'LoadBalancer');
    expect(lb?.object.spec?.enablePrefixForIPv6SourceNAT).toBe('off');
  });
});

describe('the smoke checks', () => {
  const listener = cases.find((c) => key(c) === 'Listener/http') as Case;

  it('binds late values at their paths without touching the case', () => {
    const blue = 'arn:aws:test:::TargetGroup/blue';
    const action = (arn: string): unknown => ({
      order: 1,
      type: 'forward',
      targetGroupARN: arn,
      forwardConfig: { targetGroups: [{ targetGroupARN: arn, weight: 1 }], targetGroupStickinessConfig: { enabled: false } },
    });
    expect(bindSpec(listener.object.spec ?? {}, listener, fakeArns).defaultActions).toEqual([action(blue)]);
    expect(listener.object.spec?.defaultActions).toEqual([action('')]);
    expect(() => bindSpec(listener.object.spec ?? {}, listener, new Map())).toThrow('no ARN of TargetGroup/blue');
    expect(unboundSources(listener, new Map())).toEqual(['TargetGroup/blue']);
  });

  it('merge-patches like the API server (objects merge, arrays replace, null removes)', () => {
    expect(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] }, d: null, e: 'x' })).toEqual({ a: { b: 1, c: [3] }, e: 'x' });
  });

  it('finds a spec field ACK rewrote, as the operator would (a nested ref replaced by an ARN)', () => {
    const written = { loadBalancerRef: { from: { name: 'app' } }, defaultActions: [{ type: 'forward', targetGroupRef: { from: { name: 'blue' } } }] };
    const live = { spec: { loadBalancerRef: { from: { name: 'app' } }, port: 80, defaultActions: [{ type: 'forward', targetGroupARN: 'arn:x' }] } };
    expect(specNotKept(written, live)).toEqual(['defaultActions']);
    expect(specNotKept({ defaultActions: [{ type: 'forward', targetGroupARN: 'arn:x' }] }, live)).toEqual([]);
  });

  it("compares moto's facts field by field", () => {
    expect(factMismatches({ port: 80, weights: { a: 1 } }, { port: 80, weights: { a: 1 }, extra: true })).toEqual([]);
    expect(factMismatches({ port: 80 }, { port: 81 })).toEqual(['port: want 80, moto says 81']);
    expect(factMismatches({ port: 80 }, undefined)).toEqual(['moto does not list it']);
  });

  it('takes the AWS id inventory.py lists from what ACK recorded', () => {
    const arn = { status: { ackResourceMetadata: { arn: 'arn:lb' }, id: 'lt-1' }, spec: { name: 'n' } };
    const byKind = (kind: string): string | undefined => awsIdOf(cases.find((c) => c.kind === kind) as Case, arn);
    expect([byKind('LoadBalancer'), byKind('Policy'), byKind('Role'), byKind('Repository'), byKind('LaunchTemplate'), byKind('VPC')]).toEqual([
      'arn:lb',
      'arn:lb',
      'n',
      'n',
      'lt-1',
      undefined,
    ]);
  });

  it("reads the diffs ACK logged after a time, for the smoke's namespace only", () => {
    const dir = mkdtempSync(join(tmpdir(), 'ack-smoke-'));
    try {
      const log = join(dir, 'ack-ec2.log');
      const line = (ts: string, ns: string, path: string[]): string =>
        JSON.stringify({ msg: 'desired resource state has changed', ts, namespace: ns, kind: 'Subnet', name: 'subnet-a', diff: [{ Path: { Parts: path } }] });
      const before = `${line('2026-01-01T00:00:00Z', NS, ['Spec', 'Old'])}\n`;
      writeFileSync(log, `${before}${line('2026-01-01T00:01:00Z', NS, ['Spec', 'MapPublicIPOnLaunch'])}\n${line('2026-01-01T00:01:00Z', 'other', ['Spec', 'X'])}\n{"cut`);
      const found = diffsSince([{ logPath: log, logOffset: 0 }], NS, Date.parse('2026-01-01T00:00:30Z'));
      expect([...found].map(([k, v]) => [k, [...v]])).toEqual([['Subnet/subnet-a', ['Spec.MapPublicIPOnLaunch']]]);
      expect(diffsSince([{ logPath: log, logOffset: Buffer.byteLength(before) + 10 }], NS, 0).size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
