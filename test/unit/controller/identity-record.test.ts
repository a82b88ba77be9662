/**
 * The record of retained ids (controllers/marketplace-environment/identity-record.ts) on the shared in-memory fake:
 * written when ACK first reports a retained id-keyed child's id and only on change, kept when a Retain environment is
 * deleted, turned into ACK's adoption-fields for the children of the environment applied again that do not exist yet,
 * and neither read nor written with deletionPolicy Delete (deleted at the end of such a deletion).
 */
import { describe, expect, it } from '@jest/globals';
import { ADOPTION_FIELDS_ANNOTATION, IDENTITY_ANNOTATION, declaredIdentity } from '../../../charts/adoption.js';
import { ENVIRONMENT_LABEL } from '../../../charts/naming.js';
import type { RenderedObject } from '../../../charts/render.js';
import { objectKey } from '../../../controllers/marketplace-environment/child-kinds.js';
import { adoptionFieldsOf, recordKey, withAdoptionFields } from '../../../controllers/marketplace-environment/identity-record.js';
import type { LiveChild } from '../../../controllers/marketplace-environment/outputs.js';
import type { Call } from '../../helpers/fake-kube-client.js';
import { ENV_REF, harness, manifest, NAME, NAMESPACE, untilReady, writes, type Harness } from './harness.js';

const RECORD = { apiVersion: 'v1', kind: 'ConfigMap', namespace: NAMESPACE, name: `${NAME}-retained-ids` } as const;
const VPC = { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', namespace: NAMESPACE, name: `${NAME}-vpc` } as const;

type ConfigMap = { metadata: { ownerReferences?: unknown[]; labels?: Record<string, string> }; data?: Record<string, string> };
const record = (h: Harness) => h.kube.object<ConfigMap>(RECORD);
const onRecord = (calls: readonly Call[]) => calls.filter((c) => c.ref.kind === 'ConfigMap');
const annotationsOf = (body: unknown) => (body as { metadata: { annotations?: Record<string, string> } }).metadata.annotations ?? {};

/** Deletes the environment as a user does and reconciles until it is gone (the fake's children hold no ACK finalizer). */
async function deleteEnvironment(h: Harness): Promise<void> {
  await h.kube.delete(ENV_REF);
  for (let pass = 0; pass < 30 && h.env(); pass++) {
    const { error } = await h.reconcile();
    expect(error).toBeUndefined();
  }
  expect(h.env()).toBeUndefined();
}

/** What the record should hold for the children of `h` now: the id each declaring child's live copy shows. */
function expectedRecord(h: Harness): Record<string, string> {
  const live = new Map(h.live().map((o) => [objectKey(o), o as LiveChild]));
  return Object.fromEntries(h.desired().filter((o) => declaredIdentity(o)).map((o) => [recordKey(o), adoptionFieldsOf(declaredIdentity(o)!, live.get(objectKey(o)))!]));
}

describe('withAdoptionFields', () => {
  const declaring: RenderedObject = { apiVersion: VPC.apiVersion, kind: 'VPC', metadata: { name: VPC.name, labels: {}, annotations: { [IDENTITY_ANNOTATION]: '{"vpcID":"status.vpcID"}' } }, spec: {} };
  const plain: RenderedObject = { apiVersion: 'v1', kind: 'Other', metadata: { name: 'other', labels: {}, annotations: {} } };
  const recorded = { [`VPC.${VPC.name}`]: '{"vpcID":"vpc-1"}', 'Other.other': '{"id":"x"}' };

  it('adds the recorded id to a declaring child that does not exist yet, and nothing to any other', () => {
    const [vpc, other] = withAdoptionFields([declaring, plain], new Map(), recorded);
    expect(annotationsOf(vpc)[ADOPTION_FIELDS_ANNOTATION]).toBe('{"vpcID":"vpc-1"}');
    expect(other).toBe(plain);
    expect(declaring.metadata.annotations?.[ADOPTION_FIELDS_ANNOTATION]).toBeUndefined();
  });

  it('leaves a declaring child alone when nothing is recorded for it, or when it exists without the annotation', () => {
    expect(withAdoptionFields([declaring], new Map(), {})[0]).toBe(declaring);
    const live = new Map([[objectKey(declaring), { ...declaring, status: { vpcID: 'vpc-1' } } as LiveChild]]);
    expect(withAdoptionFields([declaring], live, recorded)[0]).toBe(declaring);
  });

  it('keeps the annotation an existing child was applied with (ACK ignores it once it manages the child; dropping it would be a write)', () => {
    const live = new Map([[objectKey(declaring), { ...declaring, metadata: { ...declaring.metadata, annotations: { [ADOPTION_FIELDS_ANNOTATION]: '{"vpcID":"vpc-0"}' } } } as LiveChild]]);
    expect(annotationsOf(withAdoptionFields([declaring], live, recorded)[0])[ADOPTION_FIELDS_ANNOTATION]).toBe('{"vpcID":"vpc-0"}');
  });

  it('reads a declared id only once it is a non-empty string', () => {
    expect(adoptionFieldsOf({ vpcID: 'status.vpcID' }, { status: { vpcID: 'vpc-9' } } as LiveChild)).toBe('{"vpcID":"vpc-9"}');
    expect(adoptionFieldsOf({ vpcID: 'status.vpcID' }, { status: { vpcID: '' } } as LiveChild)).toBeUndefined();
    expect(adoptionFieldsOf({ vpcID: 'status.vpcID' }, { status: {} } as LiveChild)).toBeUndefined();
    expect(adoptionFieldsOf({ vpcID: 'status.vpcID' }, undefined)).toBeUndefined();
  });
});

describe('deletionPolicy Retain', () => {
  it('records the ids ACK reports in a ConfigMap without an owner, once, and writes nothing more in the steady state', async () => {
    const h = harness();
    await untilReady(h);
    const cm = record(h);
    expect(cm).toBeDefined();
    expect(cm!.metadata.ownerReferences).toBeUndefined();
    expect(cm!.metadata.labels?.[ENVIRONMENT_LABEL]).toBe(NAME);
    const expected = expectedRecord(h);
    expect(Object.keys(expected).length).toBeGreaterThan(5);
    expect(cm!.data).toEqual(expected);
    const vpc = h.kube.object<{ status: { vpcID: string } }>(VPC)!;
    expect(cm!.data![`VPC.${NAME}-vpc`]).toBe(JSON.stringify({ vpcID: vpc.status.vpcID }));
    // The ids appear with one sync of every child: one write of the record for them.
    expect(h.kube.callsTo('apply', { kind: 'ConfigMap' })).toHaveLength(1);
    // Steady state: no write, and no read either (the record is kept in memory).
    const { calls } = await h.reconcile();
    expect(writes(calls)).toEqual([]);
    expect(onRecord(calls)).toEqual([]);
  });

  it('writes the record again when an id changes, then nothing', async () => {
    const h = harness();
    await untilReady(h);
    await h.kube.patchStatus(VPC, { vpcID: 'vpc-replaced' });
    const changed = await h.reconcile();
    // The record, and the status, whose vpcID output follows the VPC's status.
    expect(writes(changed.calls).map((c) => `${c.verb} ${c.ref.kind}`)).toEqual(['apply ConfigMap', 'patchStatus MarketplaceEnvironment']);
    expect(record(h)!.data![`VPC.${NAME}-vpc`]).toBe('{"vpcID":"vpc-replaced"}');
    expect(writes((await h.reconcile()).calls)).toEqual([]);
  });

  it('keeps the record when the environment is deleted; applied again, its children not created yet get the recorded ids as adoption-fields', async () => {
    const h = harness();
    await untilReady(h);
    const kept = record(h)!.data!;
    await deleteEnvironment(h);
    expect(h.live()).toEqual([]);
    expect(record(h)?.data).toEqual(kept);
    expect(h.kube.callsTo('delete', { kind: 'ConfigMap' })).toEqual([]);

    h.kube.put(manifest());
    const { calls } = await h.reconcile();
    const applies = calls.filter((c) => c.verb === 'apply' && c.ref.kind !== 'ConfigMap');
    expect(applies.length).toBeGreaterThan(10);
    const declaring = new Set(h.desired().filter((o) => declaredIdentity(o)).map((o) => `${o.kind}.${o.metadata.name}`));
    for (const c of applies) {
      const key = `${c.ref.kind}.${c.ref.name}`;
      expect([key, annotationsOf(c.body)[ADOPTION_FIELDS_ANNOTATION]]).toEqual([key, declaring.has(key) ? kept[key] : undefined]);
    }
    expect(annotationsOf(applies.find((c) => c.ref.kind === 'VPC')!.body)[ADOPTION_FIELDS_ANNOTATION]).toBe(kept[`VPC.${NAME}-vpc`]);
    // Once the children exist the annotation stays as it is, at no write; the ids ACK reports again are the same.
    await untilReady(h);
    expect(writes((await h.reconcile()).calls)).toEqual([]);
    expect(h.kube.object<{ metadata: { annotations: Record<string, string> } }>(VPC)!.metadata.annotations[ADOPTION_FIELDS_ANNOTATION]).toBe(kept[`VPC.${NAME}-vpc`]);
    expect(record(h)!.data).toEqual(kept);
  });
});

describe('deletionPolicy Delete', () => {
  it('neither reads nor writes a record, nothing gets adoption-fields, and a record left from an earlier Retain goes with the environment', async () => {
    const h = harness({ manifest: manifest((m) => { m.spec.deletionPolicy = 'Delete'; }) });
    await untilReady(h);
    expect(onRecord(h.kube.calls)).toEqual([]);
    expect(record(h)).toBeUndefined();
    expect(h.kube.callsTo('apply').filter((c) => annotationsOf(c.body)[ADOPTION_FIELDS_ANNOTATION] !== undefined)).toEqual([]);
    h.kube.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: RECORD.name, namespace: NAMESPACE }, data: { [`VPC.${NAME}-vpc`]: '{"vpcID":"vpc-old"}' } });
    await deleteEnvironment(h);
    expect(record(h)).toBeUndefined();
    expect(h.kube.callsTo('delete', { kind: 'ConfigMap', name: RECORD.name })).toHaveLength(1);
  });
});
