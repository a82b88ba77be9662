/**
 * The MarketplaceEnvironment controller, wired: informers on MarketplaceEnvironments and on every served child kind →
 * a de-duplicating work queue → the reconciler. With leader election, the queue only works while this process holds
 * the Lease, so two replicas never reconcile at once.
 */
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import { GROUP, PLURAL, VERSION, type MarketplaceEnvironment } from '../api/index.js';
import type { AwsGapActions } from './aws-gaps/actions.js';
import { InformerChildCache } from './marketplace-environment/child-cache.js';
import { Reconciler } from './marketplace-environment/reconciler.js';
import { instrumentHandler, type ReconcileMetrics } from './metrics.js';
import { ApiWriteCounter } from './runtime/api-write-counter.js';
import { ClientNodeKubeClient } from './runtime/client-node-kube-client.js';
import { ResilientInformer } from './runtime/informer.js';
import { reuseConnections } from './runtime/keep-alive.js';
import type { KubeClient } from './runtime/kube-client.js';
import { LeaderElector } from './runtime/leader-election.js';
import { KubeLeaseLock } from './runtime/lease-lock.js';
import type { Logger } from './runtime/logger.js';
import { WorkQueue } from './runtime/work-queue.js';
import type { WorkQueueMetrics } from './runtime/work-queue-metrics.js';

/** Field manager of every write the operator makes (server-side apply ownership). */
export const FIELD_MANAGER = 'marketplace-operator';

/** Options of {@link EnvironmentController}. */
export interface EnvironmentControllerOptions {
  /** Cluster access; the controller switches connection reuse on for it (see reuseConnections). */
  readonly kubeConfig: KubeConfig;
  readonly logger: Logger;
  /** Namespaces to watch; empty = all. @default [] */
  readonly namespaces?: readonly string[];
  /** Environments reconciled in parallel. @default 4 */
  readonly concurrency?: number;
  /** Full resync of every environment (ACK status changes arrive on children; this is the safety net). @default 300_000 */
  readonly resyncPeriodMs?: number;
  /** Leader election on a coordination.k8s.io Lease; omit to run without. */
  readonly leaderElection?: {
    readonly namespace: string;
    readonly name: string;
    readonly identity: string;
    /** Lease timings; default client-go's 15 s / 10 s / 2 s (see LeaderElectorOptions). */
    readonly leaseDurationMs?: number;
    readonly renewDeadlineMs?: number;
    readonly retryPeriodMs?: number;
  };
  /** Called when leadership is lost: the process should exit, as controller-runtime does. */
  readonly onLostLeadership?: () => void;
  readonly metrics?: WorkQueueMetrics;
  /** Counts and times every reconcile (controller_runtime_reconcile_*); see controllers/metrics.ts. */
  readonly reconcileMetrics?: ReconcileMetrics;
  /** Counts writes by verb (for benchmarks and the zero-writes check). */
  readonly writes?: ApiWriteCounter;
  /** Poll interval while an environment is not ready. @default 30_000 */
  readonly progressRequeueMs?: number;
  /** Window in which events of one environment's children are batched into one reconcile. @default 1_000 */
  readonly childEventBatchMs?: number;
  /**
   * Carries out the AWS actions ACK lacks, passed to the Reconciler (tests inject fake AWS clients).
   * @default the Reconciler's: AWS SDK clients with the default credential chain and endpoint settings (docs/aws-gaps.md)
   */
  readonly awsGaps?: AwsGapActions;
}

/** What the health endpoints report (see {@link EnvironmentController.health}). */
export interface ControllerHealth {
  /** Informer caches (environments and children) have loaded their first list. */
  readonly synced: boolean;
  /** {@link EnvironmentController.stop} was called: the informers are stopped or stopping. */
  readonly stopped: boolean;
  /** The workers run: leading the Lease, or started without leader election. */
  readonly leading: boolean;
}

/** The running MarketplaceEnvironment controller. */
export class EnvironmentController {
  /** The client every reconcile writes through. */
  readonly kube: KubeClient;
  /** Writes by verb since start. */
  readonly writes: ApiWriteCounter;
  private readonly queue: WorkQueue;
  private readonly children: InformerChildCache;
  private readonly informers: ResilientInformer<KubernetesObject>[] = [];
  private elector?: LeaderElector;
  private synced = false;
  private stopped = false;
  private working = false;

  constructor(private readonly options: EnvironmentControllerOptions) {
    // One keep-alive connection pool for every request and watch of this process (controllers/runtime/keep-alive.ts).
    reuseConnections(options.kubeConfig);
    this.writes = options.writes ?? new ApiWriteCounter();
    this.kube = ClientNodeKubeClient.fromKubeConfig(options.kubeConfig, { fieldManager: FIELD_MANAGER, writes: this.writes });
    const namespaces = options.namespaces ?? [];
    // A new environment's children report ADDED one by one, and ACK updates them in bursts: batching their events per
    // environment turns each burst into one reconcile (docs/benchmarks.md).
    const batchMs = options.childEventBatchMs ?? 1_000;
    this.children = new InformerChildCache({ kubeConfig: options.kubeConfig, namespaces, enqueue: (k) => this.queue.addBatched(k, batchMs), logger: options.logger });
    // Environments are read from the informers' store (this.informers, filled in start() before the workers run).
    const environments = { get: (namespace: string, name: string) => this.cachedEnvironment(namespace, name) };
    const reconciler = new Reconciler({ kube: this.kube, children: this.children, environments, logger: options.logger, progressRequeueMs: options.progressRequeueMs, awsGaps: options.awsGaps });
    this.queue = new WorkQueue({
      name: 'marketplaceenvironment',
      handler: instrumentHandler('marketplaceenvironment', (key) => reconciler.reconcile(key), options.reconcileMetrics),
      concurrency: options.concurrency ?? 4,
      logger: options.logger,
      metrics: options.metrics,
    });
  }

  /** Starts caches and informers, then (once leading, if electing) the workers. */
  async start(): Promise<void> {
    await this.children.start();
    const paths = (this.options.namespaces ?? []).length
      ? this.options.namespaces!.map((ns) => `/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}`)
      : [`/apis/${GROUP}/${VERSION}/${PLURAL}`];
    for (const path of paths) {
      const informer = new ResilientInformer<KubernetesObject>({
        kubeConfig: this.options.kubeConfig,
        path,
        resyncPeriodMs: this.options.resyncPeriodMs ?? 300_000,
        logger: this.options.logger,
        slim: true,
        handler: (_event, o) => this.queue.add(`${o.metadata?.namespace}/${o.metadata?.name}`),
      });
      this.informers.push(informer);
      await informer.start();
    }
    await Promise.all(this.informers.map((i) => i.waitForSync()));
    this.synced = true;
    const le = this.options.leaderElection;
    if (!le) {
      this.working = true;
      this.queue.start();
      this.options.logger.info({ namespaces: this.options.namespaces ?? 'all' }, 'controller started');
      return;
    }
    this.elector = new LeaderElector({
      lock: KubeLeaseLock.fromKubeConfig(this.options.kubeConfig, { namespace: le.namespace, name: le.name }),
      identity: le.identity,
      leaseDurationMs: le.leaseDurationMs,
      renewDeadlineMs: le.renewDeadlineMs,
      retryPeriodMs: le.retryPeriodMs,
      onStartedLeading: () => {
        this.options.logger.info({ identity: le.identity }, 'leading: starting workers');
        this.working = true;
        this.queue.start();
      },
      onStoppedLeading: (reason) => {
        this.working = false;
        this.options.logger.warn({ reason }, 'stopped leading');
        if (reason === 'lost') this.options.onLostLeadership?.();
      },
    });
    this.elector.start();
  }

  private cachedEnvironment(namespace: string, name: string): MarketplaceEnvironment | undefined {
    for (const i of this.informers) {
      const found = i.get(name, namespace);
      if (found) return found as MarketplaceEnvironment;
    }
    return undefined;
  }

  /** State for the health endpoints: liveness = !stopped; readiness = synced (a standby is ready too). */
  health(): ControllerHealth {
    return { synced: this.synced && !this.stopped, stopped: this.stopped, leading: this.working && !this.stopped };
  }

  /** Stops workers first, then releases the lease, then stops informers. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue.shutdown();
    await this.elector?.stop();
    await Promise.all(this.informers.map((i) => i.stop()));
    await this.children.stop();
  }
}
