import { describe, expect, it } from '@jest/globals';
import {
  createConfiguration,
  ResponseContext,
  ServerConfiguration,
  wrapHttpLibrary,
  type KubernetesObject,
  type RequestContext,
} from '@kubernetes/client-node';
import { ClientNodeKubeClient } from '../../../controllers/runtime/client-node-kube-client.js';
import { isConflict, isNotFound } from '../../../controllers/runtime/errors.js';
import { refOf } from '../../../controllers/runtime/kube-client.js';
import { RawObjectApi } from '../../../controllers/runtime/object-api.js';
import { ManualClock } from './manual-clock.js';

interface Sent {
  readonly method: string;
  readonly url: URL;
  readonly contentType: string | undefined;
  readonly body: unknown;
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string> };

const DISCOVERY: Record<string, unknown> = {
  '/apis/example.com/v1': {
    kind: 'APIResourceList',
    groupVersion: 'example.com/v1',
    resources: [
      { name: 'things', kind: 'Thing', namespaced: true, verbs: [] },
      { name: 'things/status', kind: 'Thing', namespaced: true, verbs: [] },
      { name: 'globals', kind: 'Global', namespaced: false, verbs: [] },
    ],
  },
  '/api/v1': {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [{ name: 'configmaps', kind: 'ConfigMap', namespaced: true, verbs: [] }],
  },
};

/** A fake API server: answers discovery itself, everything else from `replies` (FIFO), records requests. */
function fakeServer(replies: Reply[] = []) {
  const sent: Sent[] = [];
  const httpApi = wrapHttpLibrary({
    send: async (ctx: RequestContext) => {
      const url = new URL(ctx.getUrl());
      const discovery = ctx.getHttpMethod() === 'GET' ? DISCOVERY[url.pathname] : undefined;
      const rawBody = ctx.getBody();
      if (discovery === undefined) {
        sent.push({
          method: ctx.getHttpMethod(),
          url,
          contentType: ctx.getHeaders()['Content-Type'],
          body: typeof rawBody === 'string' ? JSON.parse(rawBody) : undefined,
        });
      }
      const notFound: Reply = { status: 404, body: { kind: 'Status', code: 404 } };
      const reply = discovery === undefined ? (replies.shift() ?? notFound) : { status: 200, body: discovery };
      const text = reply.body === undefined ? '' : JSON.stringify(reply.body);
      const headers = { 'content-type': 'application/json', ...reply.headers };
      return new ResponseContext(reply.status, headers, { text: async () => text, binary: async () => Buffer.from(text) });
    },
  });
  const api = new RawObjectApi(createConfiguration({ baseServer: new ServerConfiguration('https://api.test', {}), httpApi }));
  return { api, sent };
}

function client(replies: Reply[] = [], fieldValidation?: 'Strict' | 'Warn') {
  const server = fakeServer(replies);
  const clock = new ManualClock(Date.UTC(2025, 0, 2, 3, 4, 5, 678));
  const kube = new ClientNodeKubeClient(server.api, { fieldManager: 'marketplace-operator', fieldValidation, clock });
  return { ...server, kube };
}

const thing: KubernetesObject & { spec: unknown } = {
  apiVersion: 'example.com/v1',
  kind: 'Thing',
  metadata: { name: 'a', namespace: 'ns', labels: { env: 'dev' } },
  spec: { size: 3 },
};
const ref = refOf(thing);

describe('ClientNodeKubeClient writes', () => {
  it('applies with SSA: PATCH, apply content type, field manager, force and fieldValidation=Strict', async () => {
    const { kube, sent } = client([{ status: 200, body: { ...thing, metadata: { ...thing.metadata, resourceVersion: '5' } } }]);
    const live = await kube.apply(thing);

    expect(live.metadata?.resourceVersion).toBe('5');
    expect(sent).toHaveLength(1);
    expect(sent[0].method).toBe('PATCH');
    expect(sent[0].url.pathname).toBe('/apis/example.com/v1/namespaces/ns/things/a');
    expect(Object.fromEntries(sent[0].url.searchParams)).toEqual({
      fieldManager: 'marketplace-operator',
      fieldValidation: 'Strict',
      force: 'true',
    });
    expect(sent[0].contentType).toBe('application/apply-patch+yaml');
    expect(sent[0].body).toEqual(thing);
    expect(kube.writes.snapshot()).toMatchObject({ apply: 1 });
  });

  it('passes a configured fieldValidation and addresses cluster-scoped kinds without a namespace', async () => {
    const { kube, sent } = client([{ status: 200, body: {} }], 'Warn');
    await kube.apply({ apiVersion: 'example.com/v1', kind: 'Global', metadata: { name: 'g' } });
    expect(sent[0].url.pathname).toBe('/apis/example.com/v1/globals/g');
    expect(sent[0].url.searchParams.get('fieldValidation')).toBe('Warn');
  });

  it('merge-patches status on the status subresource, with an optional resourceVersion precondition', async () => {
    const { kube, sent } = client([{ status: 200, body: {} }, { status: 200, body: {} }]);
    await kube.patchStatus(ref, { observedGeneration: 2 });
    await kube.patchStatus(ref, { observedGeneration: 3 }, { resourceVersion: '7' });

    expect(sent[0].url.pathname).toBe('/apis/example.com/v1/namespaces/ns/things/a/status');
    expect(sent[0].contentType).toBe('application/merge-patch+json');
    expect(sent[0].body).toEqual({ status: { observedGeneration: 2 } });
    expect(sent[0].url.searchParams.get('force')).toBeNull();
    expect(sent[1].body).toEqual({ metadata: { resourceVersion: '7' }, status: { observedGeneration: 3 } });
    expect(kube.writes.get('patchStatus')).toBe(2);
  });

  it('merge-patches metadata and surfaces a 409 on a stale resourceVersion', async () => {
    const { kube, sent } = client([{ status: 409, body: { kind: 'Status', code: 409, reason: 'Conflict' } }]);
    const err = await kube.patchMetadata(ref, { finalizers: ['x/cleanup'] }, { resourceVersion: '3' }).catch((e: unknown) => e);

    expect(isConflict(err)).toBe(true);
    expect(sent[0].url.pathname).toBe('/apis/example.com/v1/namespaces/ns/things/a');
    expect(sent[0].contentType).toBe('application/merge-patch+json');
    expect(sent[0].body).toEqual({ metadata: { finalizers: ['x/cleanup'], resourceVersion: '3' } });
    expect(kube.writes.get('patchMetadata')).toBe(1);
  });

  it('deletes in the background and reports an already-deleted object as false', async () => {
    const { kube, sent } = client([
      { status: 200, body: { kind: 'Status' } },
      { status: 404, body: { kind: 'Status', code: 404 } },
    ]);
    await expect(kube.delete(ref)).resolves.toBe(true);
    await expect(kube.delete(ref)).resolves.toBe(false);
    expect(sent[0].method).toBe('DELETE');
    expect(sent[0].url.searchParams.get('propagationPolicy')).toBe('Background');
    expect(kube.writes.get('delete')).toBe(2);
  });

  it('creates an events.k8s.io/v1 Event with a six-digit MicroTime', async () => {
    const { kube, sent } = client([{ status: 201, body: {} }]);
    const regarding = { ...ref, uid: 'u1' };
    await kube.createEvent({ regarding, type: 'Warning', reason: 'ApplyFailed', action: 'Apply', note: 'boom' });

    expect(sent[0].method).toBe('POST');
    expect(sent[0].url.pathname).toBe('/apis/events.k8s.io/v1/namespaces/ns/events');
    expect(sent[0].body).toMatchObject({
      eventTime: '2025-01-02T03:04:05.678000Z',
      reportingController: 'marketplace-operator',
      regarding: { kind: 'Thing', name: 'a', uid: 'u1' },
      reason: 'ApplyFailed',
      type: 'Warning',
    });
    expect((sent[0].body as { metadata: { name: string } }).metadata.name).toMatch(/^a\.[0-9a-f]+$/);
    expect(kube.writes.snapshot()).toEqual({ apply: 0, patchStatus: 0, patchMetadata: 0, delete: 0, create: 1 });
  });
});

describe('ClientNodeKubeClient reads', () => {
  it('gets an object as plain JSON, and undefined on 404', async () => {
    const body = { ...thing, metadata: { ...thing.metadata, creationTimestamp: '2025-01-01T00:00:00Z' } };
    const { kube } = client([{ status: 200, body }, { status: 404, body: { kind: 'Status', code: 404 } }]);
    const got = await kube.get(ref);
    expect(got?.metadata?.creationTimestamp).toBe('2025-01-01T00:00:00Z');
    await expect(kube.get(ref)).resolves.toBeUndefined();
    expect(kube.writes.total()).toBe(0);
  });

  it('does not mistake a missing API group for a missing object', async () => {
    const { kube } = client();
    const missing = { apiVersion: 'missing.example.com/v1', kind: 'Nope', name: 'a', namespace: 'ns' };
    const err = await kube.get(missing).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(isNotFound(err)).toBe(false);
    expect((err as Error).message).toMatch(/cannot resolve/);
  });

  it('lists all pages with the label selector and fills in apiVersion/kind', async () => {
    const { kube, sent } = client([
      { status: 200, body: { kind: 'ConfigMapList', metadata: { continue: 'tok' }, items: [{ metadata: { name: 'one' } }] } },
      { status: 200, body: { kind: 'ConfigMapList', metadata: {}, items: [{ metadata: { name: 'two' } }] } },
    ]);
    const items = await kube.list({ apiVersion: 'v1', kind: 'ConfigMap', namespace: 'ns', labelSelector: 'env=dev' });

    expect(items.map((i) => [i.apiVersion, i.kind, i.metadata?.name])).toEqual([
      ['v1', 'ConfigMap', 'one'],
      ['v1', 'ConfigMap', 'two'],
    ]);
    expect(sent.map((s) => s.url.pathname)).toEqual(['/api/v1/namespaces/ns/configmaps', '/api/v1/namespaces/ns/configmaps']);
    expect(sent[0].url.searchParams.get('labelSelector')).toBe('env=dev');
    expect(sent[0].url.searchParams.get('continue')).toBeNull();
    expect(sent[1].url.searchParams.get('continue')).toBe('tok');
  });
});
