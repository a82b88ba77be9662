/**
 * The reconciler on the shared in-memory fake client (test/helpers/fake-kube-client.ts). Its child cache is the real
 * ChildStore, fed from the fake's changes with the informers' label selector, as InformerChildCache feeds it from
 * watches; ACK's part (child status) is played with the integration suite's simulator, AWS's part (the actions ACK
 * lacks, controllers/aws-gaps/) by the in-memory AWS of the aws-gaps suite (FakeWafv2), so no reconcile reaches AWS.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND, validateEnvironment, type Condition, type MarketplaceEnvironment, type MarketplaceEnvironmentStatus } from '../../../api/index.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/index.js';
import { ENVIRONMENT_LABEL, MANAGED_BY } from '../../../charts/naming.js';
import { ChildStore } from '../../../controllers/marketplace-environment/child-cache.js';
import { AwsGapActions } from '../../../controllers/aws-gaps/actions.js';
import { CHILD_KINDS, gvkKey } from '../../../controllers/marketplace-environment/child-kinds.js';
import { Reconciler, type EnvironmentReader } from '../../../controllers/marketplace-environment/reconciler.js';
import { silentLogger } from '../../../controllers/runtime/logger.js';
import type { HandlerResult } from '../../../controllers/runtime/work-queue.js';
import { validApplicationBase, validBase, type Manifest } from '../../fixtures/invalid-specs.js';
import { FakeKubeClient, type Call, type StoredObject } from '../../helpers/fake-kube-client.js';
import { markSynced } from '../../integration/helpers/ack-simulator.js';
import { FakeWafv2 } from '../aws-gaps/fake-aws.js';

export const NAMESPACE = 'ns';
export const NAME = 'shop';
/** The environment under test. */
export const ENV_REF = { apiVersion: API_VERSION, kind: KIND, namespace: NAMESPACE, name: NAME } as const;

/** The environment's manifest (every section of the shared valid base), changed by `mutate`. */
export function manifest(mutate?: (m: Manifest) => void): Manifest {
  const m = validBase(NAME);
  m.metadata.namespace = NAMESPACE;
  mutate?.(m);
  return m;
}

/** The environment's manifest with the application tier too (load balancer, containers, registry), changed by `mutate`. */
export function applicationManifest(mutate?: (m: Manifest) => void): Manifest {
  const m = validApplicationBase(NAME);
  m.metadata.namespace = NAMESPACE;
  mutate?.(m);
  return m;
}

/** The child kind of `o`, if it is one. */
const kindOf = (o: KubernetesObject) => CHILD_KINDS.find((k) => k.apiVersion === o.apiVersion && k.kind === o.kind);

/** What one reconcile did. */
export interface Outcome {
  readonly result?: HandlerResult;
  /** What it threw (undefined when it resolved). */
  readonly error?: unknown;
  /** The fake's calls made during it. */
  readonly calls: readonly Call[];
}

/** Options of {@link harness}. */
export interface HarnessOptions {
  /** Stored before the first reconcile (skipped when undefined). @default manifest() */
  readonly manifest?: Manifest | null;
  /** `apiVersion/kind` keys the API server does not serve. @default none */
  readonly unserved?: readonly string[];
  /** Where the reconciler reads the environment. @default a GET from the fake */
  readonly environments?: (kube: FakeKubeClient) => EnvironmentReader;
  /** The AWS the reconciler's AwsGapActions call. @default a new FakeWafv2 */
  readonly aws?: FakeWafv2;
}

/** A reconciler wired to a fresh fake; see the module comment. */
export function harness(options: HarnessOptions = {}) {
  const kube = new FakeKubeClient();
  const unserved = new Set(options.unserved ?? []);
  const children = new ChildStore(unserved);
  kube.subscribe((change, o) => {
    const kind = kindOf(o);
    if (kind && !unserved.has(gvkKey(kind)) && o.metadata.labels?.['app.kubernetes.io/managed-by'] === MANAGED_BY) children.update(change, kind, o);
  });
  if (options.manifest !== null) kube.put((options.manifest ?? manifest()) as KubernetesObject);
  const aws = options.aws ?? new FakeWafv2();
  const awsGaps = new AwsGapActions({ clients: aws, logger: silentLogger() });
  const reconciler = new Reconciler({ kube, children, environments: options.environments?.(kube), logger: silentLogger(), now: () => new Date('2026-02-03T04:05:06Z'), awsGaps });

  const env = () => kube.object<MarketplaceEnvironment & { status?: MarketplaceEnvironmentStatus; metadata: { finalizers?: string[]; deletionTimestamp?: string } }>(ENV_REF);
  /** The environment's children on the "API server". */
  const live = (): StoredObject[] => kube.objects((o) => kindOf(o) !== undefined && o.metadata.namespace === NAMESPACE && o.metadata.labels?.[ENVIRONMENT_LABEL] === NAME);

  return {
    kube,
    children,
    reconciler,
    aws,
    env,
    live,
    /** The status's condition of `type`. */
    condition: (type: Condition['type']) => env()?.status?.conditions?.find((c) => c.type === type),
    /** What the stored environment renders to. */
    desired: (): RenderedObject[] => renderEnvironment(validateEnvironment(env() as MarketplaceEnvironment)),
    /** Reconciles the environment once. */
    async reconcile(): Promise<Outcome> {
      const from = kube.calls.length;
      try {
        const result = await reconciler.reconcile(`${NAMESPACE}/${NAME}`);
        return { result, calls: kube.calls.slice(from) };
      } catch (error) {
        return { error, calls: kube.calls.slice(from) };
      }
    },
    /**
     * Changes the stored environment's spec as a user's `kubectl apply` does: fields `mutate` removes are removed, and
     * the generation grows (a `put` would start again at generation 1, which the reconciler's render cache takes for
     * the spec it has already rendered).
     */
    async respec(mutate: (spec: Manifest['spec']) => void): Promise<void> {
      const current = env()!;
      const ref = { apiVersion: current.apiVersion, kind: current.kind, metadata: { name: NAME, namespace: NAMESPACE } };
      // The first apply only takes ownership of the spec as it is (no change), so that the second one can drop fields.
      await kube.apply({ ...ref, spec: current.spec } as KubernetesObject);
      const spec = JSON.parse(JSON.stringify(current.spec)) as Manifest['spec'];
      mutate(spec);
      await kube.apply({ ...ref, spec } as KubernetesObject);
    },
    /** Plays ACK: marks every child that has no conditions yet synced, with its ids and ARNs (except `except` kinds). */
    async sync(except: readonly string[] = []): Promise<void> {
      for (const c of live()) if (!except.includes(c.kind!) && !(c.status as { conditions?: unknown[] } | undefined)?.conditions?.length) await markSynced(kube, c);
    },
  };
}

/** A harness. */
export type Harness = ReturnType<typeof harness>;

/** Reconciles and plays ACK until the environment is Ready (held-back children appear as their sources sync). */
export async function untilReady(h: Harness): Promise<void> {
  for (let pass = 0; pass < 10; pass++) {
    const { error } = await h.reconcile();
    if (error) throw error;
    if (h.env()?.status?.phase === 'Ready') return;
    await h.sync();
  }
  throw new Error(`not Ready after 10 passes: ${JSON.stringify(h.env()?.status?.conditions)}`);
}

/** The writes among `calls`. */
export const writes = (calls: readonly Call[]) => calls.filter((c) => c.verb !== 'get' && c.verb !== 'list');
