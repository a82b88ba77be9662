// ClientNodeKubeClient against a real API server: SSA with strict field validation, status and metadata
// merge patches with optimistic concurrency, paginated label-selected lists, background delete, events.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { isConflict, isInvalid, statusCodeOf } from '../../controllers/runtime/errors.js';
import type { ObjectRef } from '../../controllers/runtime/kube-client.js';
import { loadTestKubeConfig, uniqueName, waitFor } from './helpers/kube.js';

const TIMEOUT_MS = 60_000;
const GROUP = 'runtime-test.example.com';
const CRD_NAME = `widgets.${GROUP}`;

/** A small namespaced CRD with a status subresource, so the test does not depend on ACK's schemas. */
const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: CRD_NAME },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', properties: { size: { type: 'integer' } } },
              status: { type: 'object', properties: { observedGeneration: { type: 'integer' }, phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

interface Widget extends KubernetesObject {
  spec?: { size?: number; bogus?: string };
  status?: { observedGeneration?: number; phase?: string };
}

describe('ClientNodeKubeClient on a real API server', () => {
  let kc: KubeConfig;
  let kube: ClientNodeKubeClient;
  const namespace = uniqueName('runtime-kc');
  const widget = (name: string, size = 1, labels: Record<string, string> = { suite: 'runtime' }): Widget => ({
    apiVersion: `${GROUP}/v1`,
    kind: 'Widget',
    metadata: { name, namespace, labels },
    spec: { size },
  });
  const ref = (name: string): ObjectRef => ({ apiVersion: `${GROUP}/v1`, kind: 'Widget', name, namespace });

  beforeAll(async () => {
    kc = loadTestKubeConfig();
    kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'runtime-it', listPageSize: 2 });
    await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
    await kube.apply(widgetCrd);
    await waitFor('the Widget CRD to be Established', async () => {
      const crd = await kube.get<{ status?: { conditions?: Array<{ type: string; status: string }> } } & KubernetesObject>({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: CRD_NAME,
      });
      return crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ?? false;
    });
    // Discovery of the new group can lag behind Established by a moment.
    const listWidgets = (): Promise<unknown> => kube.list({ apiVersion: `${GROUP}/v1`, kind: 'Widget', namespace });
    await waitFor('the Widget API to be served', async () => (await listWidgets().catch(() => undefined)) !== undefined);
  }, TIMEOUT_MS);

  afterAll(async () => {
    await kube?.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
    await kube?.delete({ apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name: CRD_NAME });
  }, TIMEOUT_MS);

  test('server-side apply creates, is a no-op when repeated, and records our field manager', async () => {
    const created = await kube.apply(widget('ssa', 3));
    const again = await kube.apply(widget('ssa', 3));

    expect(again.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(again.metadata?.managedFields?.map((f) => [f.manager, f.operation])).toContainEqual(['runtime-it', 'Apply']);
    const changed = await kube.apply(widget('ssa', 4));
    expect(changed.metadata?.generation).toBe(2);
  }, TIMEOUT_MS);

  test('createIfAbsent creates once and never changes an existing object', async () => {
    const created = await kube.createIfAbsent(widget('once', 1));
    expect(created?.spec?.size).toBe(1);
    expect(await kube.createIfAbsent(widget('once', 2))).toBeUndefined();
    expect((await kube.get<Widget>(ref('once')))?.spec?.size).toBe(1);
  }, TIMEOUT_MS);

  test('unknown fields: SSA refuses them in every mode; Strict makes merge patches refuse them too', async () => {
    const bad: Widget = { ...widget('strict'), spec: { size: 1, bogus: 'typo' } };
    const lenient = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'runtime-it', fieldValidation: 'Ignore' });
    // Server-side apply types the patch against the schema first: a field it does not know is a 500
    // ("field not declared in schema") whatever fieldValidation says.
    for (const client of [kube, lenient]) {
      const err = await client.apply(bad).catch((e: unknown) => e);
      expect(statusCodeOf(err)).toBe(500);
      expect(isInvalid(err)).toBe(true);
      expect((err as Error).message).toMatch(/field not declared in schema/);
    }

    // Merge patches are where Strict matters: without it the unknown status field is silently pruned.
    await kube.apply(widget('strict'));
    const strictErr = await kube.patchStatus(ref('strict'), { phase: 'x', bogus: 'y' }).catch((e: unknown) => e);
    expect(statusCodeOf(strictErr)).toBe(422);
    expect(isInvalid(strictErr)).toBe(true);
    expect((strictErr as Error).message).toMatch(/unknown field/);
    const pruned = await lenient.patchStatus<Widget>(ref('strict'), { phase: 'x', bogus: 'y' });
    expect(pruned.status).toEqual({ phase: 'x' });
  }, TIMEOUT_MS);

  test('patchStatus writes only the status subresource, and honours the resourceVersion precondition', async () => {
    const live = await kube.apply(widget('status', 2));
    const patched = await kube.patchStatus<Widget>(ref('status'), { observedGeneration: 1, phase: 'Ready' });
    expect(patched.status).toEqual({ observedGeneration: 1, phase: 'Ready' });
    expect(patched.spec).toEqual({ size: 2 });
    expect(patched.metadata?.generation).toBe(live.metadata?.generation);

    const precondition = { resourceVersion: live.metadata?.resourceVersion };
    const stale = await kube.patchStatus(ref('status'), { phase: 'Stale' }, precondition).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);
    expect((await kube.get<Widget>(ref('status')))?.status?.phase).toBe('Ready');
  }, TIMEOUT_MS);

  test('finalizers: patchMetadata with optimistic concurrency, delete waits for them, then the object goes', async () => {
    const live = await kube.apply(widget('final'));
    const precondition = { resourceVersion: live.metadata?.resourceVersion };
    const finalizers = ['runtime-test.example.com/cleanup'];
    const withFinalizer = await kube.patchMetadata(ref('final'), { finalizers }, precondition);
    expect(withFinalizer.metadata?.finalizers).toEqual(['runtime-test.example.com/cleanup']);
    const stale = await kube.patchMetadata(ref('final'), { finalizers: [] }, precondition).catch((e: unknown) => e);
    expect(isConflict(stale)).toBe(true);

    await expect(kube.delete(ref('final'))).resolves.toBe(true);
    const terminating = await kube.get(ref('final'));
    expect(terminating?.metadata?.deletionTimestamp).toBeDefined();
    await kube.patchMetadata(ref('final'), { finalizers: [] });
    await waitFor('the widget to be gone', async () => (await kube.get(ref('final'))) === undefined);
    await expect(kube.delete(ref('final'))).resolves.toBe(false);
  }, TIMEOUT_MS);

  test('lists every page of a label selection, with apiVersion and kind on each item', async () => {
    for (const name of ['l1', 'l2', 'l3', 'l4', 'l5']) {
      await kube.apply(widget(name, 1, { suite: 'runtime', list: 'yes' }));
    }
    await kube.apply(widget('l-other', 1, { suite: 'runtime', list: 'no' }));
    const items = await kube.list<Widget>({ apiVersion: `${GROUP}/v1`, kind: 'Widget', namespace, labelSelector: 'list=yes' });
    expect(items.map((i) => i.metadata?.name).sort()).toEqual(['l1', 'l2', 'l3', 'l4', 'l5']);
    expect(new Set(items.map((i) => `${i.apiVersion} ${i.kind}`))).toEqual(new Set([`${GROUP}/v1 Widget`]));

    const configMaps = await kube.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace });
    expect(configMaps.every((c) => c.apiVersion === 'v1' && c.kind === 'ConfigMap')).toBe(true);
  }, TIMEOUT_MS);

  test('creates an events.k8s.io/v1 Event the server accepts, and counts writes by verb', async () => {
    const before = kube.writes.snapshot();
    const live = await kube.apply(widget('evt'));
    const regarding = { ...ref('evt'), uid: live.metadata?.uid };
    await kube.createEvent({ regarding, type: 'Normal', reason: 'Applied', action: 'Apply', note: 'integration' });
    type EventJson = KubernetesObject & { reason?: string; regarding?: { name?: string } };
    const events = await kube.list<EventJson>({ apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace });
    expect(events.some((e) => e.reason === 'Applied' && e.regarding?.name === 'evt')).toBe(true);
    expect(kube.writes.get('apply') - before.apply).toBe(1);
    expect(kube.writes.get('create') - before.create).toBe(1);
  }, TIMEOUT_MS);
});
