/**
 * The reconciler, end to end on the shared in-memory fake client: every path writes the status once (at most one
 * patch, errors included, before the error goes back to the work queue), with our own condition reasons; then the
 * life of one environment: finalizer, bindings held back and released, an environment gone mid-reconcile, deletion
 * wave by wave, and the deletion policy on data-bearing children.
 */
import { describe, expect, it } from '@jest/globals';
import { REASONS, type ConditionReason, type MarketplaceEnvironmentStatus } from '../../../api/index.js';
import { DELETION_POLICY_ANNOTATION } from '../../../charts/context.js';
import { ENVIRONMENT_LABEL } from '../../../charts/naming.js';
import { FINALIZER } from '../../../controllers/marketplace-environment/reconciler.js';
import { isConflict, retryDecision, TerminalError, type RetryDecision } from '../../../controllers/runtime/errors.js';
import { apiError, type Call } from '../../helpers/fake-kube-client.js';
import { ENV_REF, harness, manifest, NAME, NAMESPACE, untilReady, writes, type Harness, type Outcome } from './harness.js';

type ConditionType = 'Ready' | 'Progressing' | 'Degraded';

/** One path through a reconcile. */
interface Path {
  readonly name: string;
  /** Harness options (manifest, unserved kinds). */
  readonly setup?: Parameters<typeof harness>[0];
  /** Brings the world into the state the path starts from (its calls are not counted). */
  readonly arrange?: (h: Harness) => Promise<void>;
  /** How the reconcile ends: resolving with a result, or throwing with a retry decision. */
  readonly ends: { readonly resolves: Outcome['result'] } | { readonly rejects: RetryDecision['kind'] };
  /** Status and reason of each condition afterwards. */
  readonly conditions: Readonly<Record<ConditionType, readonly ['True' | 'False', ConditionReason]>>;
  readonly phase: MarketplaceEnvironmentStatus['phase'];
  /** Status patches made: 1, or 0 when nothing changed. @default 1 */
  readonly statusWrites?: 0 | 1;
  /** Further checks. */
  readonly check?: (h: Harness, outcome: Outcome) => void;
}

/** Children on hold by an ACK-like finalizer, then the environment deleted. */
async function deleting(h: Harness): Promise<void> {
  await h.reconcile();
  for (const c of h.live()) await h.kube.patchMetadata({ apiVersion: c.apiVersion!, kind: c.kind!, namespace: NAMESPACE, name: c.metadata.name }, { finalizers: ['test/ack-hold'] });
  await h.kube.delete(ENV_REF);
}

const condition = (h: Harness, type: ConditionType) => h.condition(type)!;
const applied = (calls: readonly Call[]) => calls.filter((c) => c.verb === 'apply').map((c) => `${c.ref.kind}/${c.ref.name}`);

const PATHS: readonly Path[] = [
  {
    name: 'first pass: children applied, the CDN held back',
    ends: { resolves: { requeueAfterMs: 30_000 } },
    conditions: { Ready: ['False', REASONS.Reconciling], Progressing: ['True', REASONS.Reconciling], Degraded: ['False', REASONS.AsExpected] },
    phase: 'Progressing',
    check: (h, { calls }) => {
      expect(applied(calls)).toContain(`VPC/${NAME}-vpc`);
      expect(applied(calls)).not.toContain(`Distribution/${NAME}-cdn`);
      expect(h.env()!.status!.components!.find((c) => c.kind === 'Distribution')).toMatchObject({ state: 'Waiting', reason: 'WaitingForDependency', message: expect.stringContaining(`OriginAccessControl/${NAME}-oac status.id`) });
    },
  },
  {
    name: 'the last child synced: Ready',
    arrange: async (h) => {
      await untilReady(h);
      const vpc = { apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'VPC', namespace: NAMESPACE, name: `${NAME}-vpc` };
      await h.kube.patchStatus(vpc, { conditions: [] });
      await h.reconcile();
      await h.sync();
    },
    ends: { resolves: undefined },
    conditions: { Ready: ['True', REASONS.AllComponentsReady], Progressing: ['False', REASONS.Complete], Degraded: ['False', REASONS.AsExpected] },
    phase: 'Ready',
  },
  {
    name: 'Ready and nothing changed: no write at all',
    arrange: untilReady,
    ends: { resolves: undefined },
    conditions: { Ready: ['True', REASONS.AllComponentsReady], Progressing: ['False', REASONS.Complete], Degraded: ['False', REASONS.AsExpected] },
    phase: 'Ready',
    statusWrites: 0,
    check: (_h, { calls }) => expect(writes(calls)).toEqual([]),
  },
  {
    name: 'invalid spec: InvalidSpec, no child, not retried',
    setup: { manifest: manifest((m) => { m.spec.network.vpcCIDR = '10.20.0.0/22'; m.spec.network.subnets.private = { countPerAZ: 2, prefixLength: 23 }; }) },
    ends: { resolves: undefined },
    conditions: { Ready: ['False', REASONS.InvalidSpec], Progressing: ['False', REASONS.InvalidSpec], Degraded: ['True', REASONS.InvalidSpec] },
    phase: 'Degraded',
    check: (h, { calls }) => {
      expect(condition(h, 'Degraded').message).toContain('spec.network.subnets');
      expect(calls.filter((c) => c.verb === 'apply' || c.verb === 'createIfAbsent')).toEqual([]);
      expect(h.live()).toEqual([]);
    },
  },
  {
    name: 'a child kind the API server does not serve: KindNotInstalled',
    setup: { unserved: ['cloudfront.services.k8s.aws/v1alpha1/Distribution'] },
    ends: { resolves: { requeueAfterMs: 30_000 } },
    conditions: { Ready: ['False', REASONS.KindNotInstalled], Progressing: ['True', REASONS.Reconciling], Degraded: ['True', REASONS.KindNotInstalled] },
    phase: 'Degraded',
    check: (h) => expect(condition(h, 'Degraded').message).toContain(`Distribution/${NAME}-cdn`),
  },
  {
    name: 'apply refused: Degraded ApplyFailed naming the child, prune skipped, retried with backoff',
    arrange: async (h) => h.kube.failOn('apply', { kind: 'VPC' }, apiError(500, 'failed to create typed patch object: .spec.cidrBlocks: field not declared in schema')),
    ends: { rejects: 'backoff' },
    conditions: { Ready: ['False', REASONS.ApplyFailed], Progressing: ['True', REASONS.ApplyFailed], Degraded: ['True', REASONS.ApplyFailed] },
    phase: 'Degraded',
    check: (h, { error, calls }) => {
      expect(condition(h, 'Degraded').message).toMatch(new RegExp(`^1 failed: VPC/${NAME}-vpc \\(.*field not declared in schema`));
      expect(condition(h, 'Progressing').message).toBe(`retrying: apply failed for VPC/${NAME}-vpc`);
      expect((error as Error).message).toBe(`apply failed for VPC/${NAME}-vpc`);
      expect(h.env()!.status!.components!.find((c) => c.kind === 'VPC')).toMatchObject({ state: 'Failed', reason: 'ApplyFailed' });
      expect(calls.filter((c) => c.verb === 'delete')).toEqual([]);
    },
  },
  {
    name: 'generated Secret not created (transient): Progressing with the error, retried',
    arrange: async (h) => h.kube.failOn('createIfAbsent', { kind: 'Secret' }, apiError(503, 'etcdserver: leader changed')),
    ends: { rejects: 'backoff' },
    conditions: { Ready: ['False', REASONS.SecretGenerationFailed], Progressing: ['True', REASONS.SecretGenerationFailed], Degraded: ['False', REASONS.AsExpected] },
    phase: 'Pending',
    check: (h, { calls }) => {
      expect(condition(h, 'Progressing').message).toBe('retrying: generated secrets: HTTP 503: etcdserver: leader changed');
      expect(applied(calls)).toEqual([]);
    },
  },
  {
    name: 'generated Secret refused for good (terminal): Degraded, not retried',
    arrange: async (h) => h.kube.failOn('createIfAbsent', { kind: 'Secret' }, new TerminalError('quota exceeded for secrets')),
    ends: { rejects: 'none' },
    conditions: { Ready: ['False', REASONS.SecretGenerationFailed], Progressing: ['False', REASONS.SecretGenerationFailed], Degraded: ['True', REASONS.SecretGenerationFailed] },
    phase: 'Degraded',
    check: (h) => expect(condition(h, 'Degraded').message).toBe('generated secrets: quota exceeded for secrets'),
  },
  {
    name: 'prune refused: PruneFailed, retried',
    arrange: async (h) => {
      h.kube.put({ apiVersion: 'ec2.services.k8s.aws/v1alpha1', kind: 'SecurityGroup', metadata: { name: `${NAME}-sg-old`, namespace: NAMESPACE, labels: { 'app.kubernetes.io/managed-by': 'marketplace-operator', [ENVIRONMENT_LABEL]: NAME } } });
      h.kube.failOn('delete', { name: `${NAME}-sg-old` }, apiError(403, 'securitygroups is forbidden'));
    },
    ends: { rejects: 'backoff' },
    conditions: { Ready: ['False', REASONS.PruneFailed], Progressing: ['True', REASONS.PruneFailed], Degraded: ['False', REASONS.AsExpected] },
    phase: 'Progressing',
    check: (h) => expect(condition(h, 'Ready').message).toBe('prune: HTTP 403: securitygroups is forbidden'),
  },
  {
    name: 'being deleted: the first wave, Deleting',
    arrange: deleting,
    ends: { resolves: { requeueAfterMs: 2_000 } },
    conditions: { Ready: ['False', REASONS.Deleting], Progressing: ['True', REASONS.Deleting], Degraded: ['False', REASONS.AsExpected] },
    phase: 'Deleting',
  },
  {
    name: 'being deleted, a delete refused: DeletionFailed, retried',
    arrange: async (h) => {
      await deleting(h);
      h.kube.failOn('delete', {}, apiError(500, 'internal error'));
    },
    ends: { rejects: 'backoff' },
    conditions: { Ready: ['False', REASONS.DeletionFailed], Progressing: ['True', REASONS.DeletionFailed], Degraded: ['False', REASONS.AsExpected] },
    phase: 'Deleting',
    check: (h) => expect(condition(h, 'Ready').message).toBe('delete children: HTTP 500: internal error'),
  },
];

describe('every path writes the status once, errors included', () => {
  it.each(PATHS.map((p) => [p.name, p] as const))('%s', async (_name, path) => {
    const h = harness(path.setup);
    await path.arrange?.(h);
    const outcome = await h.reconcile();
    if ('resolves' in path.ends) {
      expect(outcome.error).toBeUndefined();
      expect(outcome.result).toEqual(path.ends.resolves);
    } else {
      expect(outcome.error).toBeDefined();
      expect(retryDecision(outcome.error).kind).toBe(path.ends.rejects);
    }
    const patches = outcome.calls.filter((c) => c.verb === 'patchStatus');
    expect(patches).toHaveLength(path.statusWrites ?? 1);
    // What the reconcile left in the status: written by this pass (before it threw), or unchanged.
    const status = h.env()!.status!;
    if (patches.length) expect(status).toEqual(JSON.parse(JSON.stringify((patches[0]!.body as { status: unknown }).status)));
    const conditions = Object.fromEntries(status.conditions!.map((c) => [c.type, [c.status, c.reason]]));
    expect(conditions).toEqual(path.conditions);
    expect(status.phase).toBe(path.phase);
    expect(status.conditions!.every((c) => c.observedGeneration === h.env()!.metadata.generation)).toBe(true);
    path.check?.(h, outcome);
  });

  it('when the status write fails too, the reconcile\'s own error goes back to the queue', async () => {
    const h = harness();
    h.kube.failOn('apply', { kind: 'VPC' }, apiError(500, 'refused'));
    h.kube.failOn('patchStatus', {}, apiError(500, 'status refused'));
    const { error } = await h.reconcile();
    expect((error as Error).message).toBe(`apply failed for VPC/${NAME}-vpc`);
  });

  it('a status the API server refuses (422): the conditions alone say so, naming the field; components and outputs kept; retried', async () => {
    const h = harness();
    const refusal = 'MarketplaceEnvironment.marketplace.platform.dev "shop" is invalid: status.components[0].id: Too long: may not be longer than 255';
    h.kube.failOn('patchStatus', {}, apiError(422, refusal), 1);
    const { error, calls } = await h.reconcile();
    expect(retryDecision(error).kind).toBe('backoff');
    expect((error as Error).message).toBe(`the API server refused the status: HTTP 422: ${refusal}`);
    const patches = calls.filter((c) => c.verb === 'patchStatus').map((c) => (c.body as { status: Record<string, unknown> }).status);
    expect(patches).toHaveLength(2);
    expect(patches[0]).toHaveProperty('components');
    expect(Object.keys(patches[1]!).sort()).toEqual(['conditions', 'observedGeneration', 'phase']);
    const status = h.env()!.status!;
    expect(status.components).toBeUndefined();
    expect(condition(h, 'Ready')).toMatchObject({ status: 'False', reason: REASONS.ReconcileFailed });
    expect(condition(h, 'Ready').message).toContain('status.components[0].id: Too long');
  });

  it('records component failures as events under our reason, ACK\'s in the note', async () => {
    const h = harness();
    h.kube.failOn('apply', { kind: 'VPC' }, apiError(500, 'refused'));
    await h.reconcile();
    await new Promise((resolve) => setImmediate(resolve));
    expect(h.kube.events.map((e) => [e.type, e.reason])).toEqual([['Warning', 'PhaseDegraded'], ['Warning', 'ApplyFailed']]);
    expect(h.kube.events[1]!.note).toMatch(new RegExp(`^VPC/${NAME}-vpc: HTTP-Code: 500`));
  });
});

describe('one environment through its life', () => {
  it('adds the finalizer with a resourceVersion precondition; a conflict goes back to the queue before anything else', async () => {
    const h = harness();
    const before = h.env()!.metadata.resourceVersion;
    h.kube.failOn('patchMetadata', { name: NAME }, apiError(409, 'the object has been modified'), 1);
    const conflict = await h.reconcile();
    expect(isConflict(conflict.error)).toBe(true);
    expect(writes(conflict.calls).map((c) => c.verb)).toEqual(['patchMetadata']);
    const { calls } = await h.reconcile();
    expect(calls.find((c) => c.verb === 'patchMetadata')?.body).toEqual({ metadata: { finalizers: [FINALIZER] } });
    expect(h.env()!.metadata.finalizers).toEqual([FINALIZER]);
    expect(h.env()!.metadata.resourceVersion).not.toBe(before);
    // A stale copy (resourceVersion precondition) is refused by the fake as by the API server.
    await expect(h.kube.patchMetadata(ENV_REF, { finalizers: [] }, { resourceVersion: before })).rejects.toMatchObject({ code: 409 });
  });

  it('holds a child back until its source reports the value, then applies it with the value', async () => {
    const h = harness({ manifest: manifest((m) => m.spec.storage.buckets.push({ name: 'orders', purpose: 'files', encryption: 'KMS' })) });
    const bucket = { kind: 'Bucket', name: `${NAME}-bucket-orders` };
    await h.reconcile();
    expect(h.kube.callsTo('apply', bucket)).toEqual([]);
    expect(h.env()!.status!.components!.find((c) => c.name === bucket.name)).toMatchObject({ state: 'Waiting', message: `waiting for Key/${NAME}-kms status.ackResourceMetadata.arn` });
    // Nothing new from ACK: still held back.
    await h.reconcile();
    expect(h.kube.callsTo('apply', bucket)).toEqual([]);
    await h.sync(['Bucket']);
    await h.reconcile();
    const [apply] = h.kube.callsTo('apply', bucket);
    const arn = (h.kube.object({ apiVersion: 'kms.services.k8s.aws/v1alpha1', kind: 'Key', namespace: NAMESPACE, name: `${NAME}-kms` }) as { status: { ackResourceMetadata: { arn: string } } }).status.ackResourceMetadata.arn;
    expect((apply!.body as { spec: { encryption: { rules: { applyServerSideEncryptionByDefault: { kmsMasterKeyID: string } }[] } } }).spec.encryption.rules[0]!.applyServerSideEncryptionByDefault.kmsMasterKeyID).toBe(arn);
    expect(h.env()!.status!.components!.find((c) => c.name === bucket.name)?.state).not.toBe('Waiting');
  });

  it('ends quietly when the environment is gone mid-reconcile (404): no status, no error, nothing to retry', async () => {
    const h = harness();
    let removed = false;
    h.kube.intercept('apply', () => {
      if (!removed) h.kube.remove(ENV_REF);
      removed = true;
    });
    h.kube.failOn('apply', { kind: 'VPC' }, apiError(500, 'refused'));
    const { result, error, calls } = await h.reconcile();
    expect(error).toBeUndefined();
    expect(result).toBeUndefined();
    expect(calls.filter((c) => c.verb === 'patchStatus')).toHaveLength(1);
    expect(h.env()).toBeUndefined();
    // The next reconcile finds nothing and ends.
    const next = await h.reconcile();
    expect([next.result, next.error, writes(next.calls)]).toEqual([undefined, undefined, []]);
  });

  it('deletes the children wave by wave, then removes the finalizer', async () => {
    const h = harness();
    await untilReady(h);
    await deleting(h);
    expect(h.env()!.metadata.deletionTimestamp).toBeDefined();
    const waves: string[][] = [];
    for (let pass = 0; pass < 20 && h.env(); pass++) {
      const { error, calls } = await h.reconcile();
      expect(error).toBeUndefined();
      expect(calls.filter((c) => c.verb === 'patchStatus').length).toBeLessThanOrEqual(1);
      const marked = h.live().filter((c) => c.metadata.deletionTimestamp);
      if (marked.length === 0) continue;
      // A wave is deleted only once the previous one is gone.
      expect(calls.filter((c) => c.verb === 'delete').every((c) => marked.some((m) => m.metadata.name === c.ref.name))).toBe(true);
      waves.push([...new Set(marked.map((c) => c.kind!))].sort());
      expect(h.env()!.status!.phase).toBe('Deleting');
      // ACK deleted the AWS resources: it releases its finalizer.
      for (const c of marked) await h.kube.patchMetadata({ apiVersion: c.apiVersion!, kind: c.kind!, namespace: NAMESPACE, name: c.metadata.name }, { finalizers: [] });
    }
    expect(h.env()).toBeUndefined();
    expect(h.live()).toEqual([]);
    const wave = (kind: string) => waves.findIndex((w) => w.includes(kind));
    for (const [first, then] of [['Distribution', 'OriginAccessControl'], ['DBInstance', 'DBCluster'], ['DBCluster', 'SecurityGroup'], ['NATGateway', 'Subnet'], ['Subnet', 'RouteTable'], ['RouteTable', 'VPC'], ['VPC', 'Key']] as const) {
      expect([first, wave(first)]).toEqual([first, expect.any(Number)]);
      expect(wave(first)).toBeLessThan(wave(then));
    }
    expect(waves.length).toBeGreaterThan(5);
  });
});

describe('deletion policy', () => {
  const dataBearing = ['DBCluster', 'DBInstance', 'ReplicationGroup', 'Bucket', 'Key'];

  it.each([
    ['Retain', 'retain', false],
    ['Delete', 'delete', true],
  ] as const)('%s: data-bearing children carry ACK\'s deletion policy %s when deleted; generated Secrets owned: %s', async (policy, annotation, owned) => {
    const h = harness({ manifest: manifest((m) => { m.spec.deletionPolicy = policy; }) });
    await untilReady(h);
    await h.kube.delete(ENV_REF);
    const deleted: { apiVersion: string; kind: string; annotations: Record<string, string> }[] = [];
    h.kube.subscribe((change, o) => {
      if (change === 'delete' && o.metadata.labels?.[ENVIRONMENT_LABEL] === NAME) deleted.push({ apiVersion: o.apiVersion!, kind: o.kind!, annotations: o.metadata.annotations ?? {} });
    });
    for (let pass = 0; pass < 20 && h.env(); pass++) await h.reconcile();
    expect(h.env()).toBeUndefined();
    const data = deleted.filter((d) => dataBearing.includes(d.kind) || (d.kind === 'Secret' && d.apiVersion !== 'v1'));
    expect(new Set(data.map((d) => d.kind))).toEqual(new Set([...dataBearing, 'Secret']));
    for (const d of data) expect([d.kind, d.annotations[DELETION_POLICY_ANNOTATION]]).toEqual([d.kind, annotation]);
    // The generated Kubernetes Secret: never deleted by the reconciler; owned by the environment (and so collected
    // with it) only under Delete, so a retained database keeps its password.
    const secret = h.kube.object<{ metadata: { ownerReferences?: unknown[] } }>({ apiVersion: 'v1', kind: 'Secret', namespace: NAMESPACE, name: `${NAME}-secret-jwt` });
    expect(secret).toBeDefined();
    expect(Boolean(secret!.metadata.ownerReferences?.length)).toBe(owned);
    expect(h.kube.callsTo('delete', { kind: 'Secret', name: `${NAME}-secret-jwt` }).filter((c) => c.ref.apiVersion === 'v1')).toEqual([]);
  });
});
