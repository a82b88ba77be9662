/**
 * The operator's steady state against real ACK controllers (issue 15, item 3), free of Jest so that both
 * test/e2e/steady-state.test.ts and the longer `bench/ack-steady.ts` run it:
 *
 * 1. a few example environments that together render every kind a controller here syncs ({@link coveringRuns}), each
 *    in a namespace of its own with AWS names of its own (environmentSuffix + `ss`), so they meet nothing of the suite's;
 * 2. an ACK controller set of their own (localcluster/ack-controllers.ts) watching only those namespaces, with a short
 *    resync (`--reconcile-default-resync-seconds`): ACK re-reads AWS and writes back what it finds, which is where a
 *    fight with the operator would start; and the operator (in-process) with a short resync and progress poll;
 * 3. once every environment has settled (its components exactly as the stack allows: test/e2e/helpers/expectations.ts),
 *    windows in which the operator's writes are counted three ways: its own write counter; kube-apiserver's
 *    `apiserver_request_total` (server-side APPLY to ACK kinds and every write to our kind: no ACK controller sends
 *    either); and the `metadata.managedFields` of every child and environment (write-audit.ts), which also name the
 *    objects written and the fields another client took from the operator;
 * 4. one spec change ({@link STEADY_CHANGE}): exactly the rendered children it changes must be applied, each once.
 *
 * ACK's own updates (its "desired resource state has changed" log lines: AWS calls, no Kubernetes write) are
 * reported per object, not counted as the operator's.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { API_VERSION, KIND, validateEnvironment } from '../../../api/index.js';
import { CHILD_KINDS } from '../../../charts/child-kinds.js';
import { renderEnvironment, type RenderedObject } from '../../../charts/render.js';
import { exampleEnvironments } from '../../../cli/examples.js';
import { AwsGapActions } from '../../../controllers/aws-gaps/actions.js';
import { SdkAwsClients, type AwsClients } from '../../../controllers/aws-gaps/clients.js';
import { EnvironmentController, FIELD_MANAGER } from '../../../controllers/environment-controller.js';
import { WRITE_VERBS, type WriteCounts } from '../../../controllers/runtime/api-write-counter.js';
import { ClientNodeKubeClient } from '../../../controllers/runtime/client-node-kube-client.js';
import { createLogger } from '../../../controllers/runtime/logger.js';
import { findAckControllers, startAckControllers, type AckControllers } from '../../../localcluster/ack-controllers.js';
import { apiserverMetrics } from '../../../bench/lib/cluster.js';
import { delta } from '../../../bench/lib/prom.js';
import { round } from '../../../bench/lib/stats.js';
import { sleep } from '../../../bench/lib/util.js';
import { e2eNamespace } from '../env.js';
import { ACK_CONCURRENT_SYNCS } from '../stack.js';
import { listChildren, serviceOf } from './children.js';
import { componentMismatches, expectedComponents, type Expected } from './expectations.js';
import { changedChildren, coveringRuns, operatorRequests, othersByKind, updatesByKind, type WindowFigures } from './steady-figures.js';
import { ackUpdatesInLogs, auditKey, byKind, diffSnapshots, subsetMismatches, writeSnapshot, type WriteSnapshot } from './write-audit.js';

type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, any> }; // eslint-disable-line @typescript-eslint/no-explicit-any


/**
 * The spec change: example 004's load balancer admits one more CIDR, its logs bucket keeps objects 60 days instead of
 * 30, and its database keeps backups 14 days instead of 30. One rendered child each (SecurityGroup, Bucket,
 * DBInstance), of three ACK services, all synced here; nothing else renders differently (checked by the test).
 */
export const STEADY_CHANGE = {
  id: '004',
  description: "004: securityGroups.loadBalancer.ingressCIDRs + 10.20.0.0/16, storage.buckets[alb-logs].expirationDays 30 → 60, database.backupRetentionDays 30 → 14",
  apply(spec: Manifest['spec']): void {
    spec.securityGroups.loadBalancer.ingressCIDRs = [...spec.securityGroups.loadBalancer.ingressCIDRs, '10.20.0.0/16'];
    spec.storage.buckets = spec.storage.buckets.map((b: { name: string }) => (b.name === 'alb-logs' ? { ...b, expirationDays: 60 } : b));
    spec.database.backupRetentionDays = 14;
  },
} as const;

/** The operator's applies until the environments settled (see AckSteadyState.creationApplies). */
export interface CreationApplies {
  readonly applies: number;
  /** Children that carry the operator's Apply entry. */
  readonly childrenApplied: number;
  /** Objects applied more than once, and where the live object differed from what was applied the last time. */
  readonly appliedAgain: Record<string, { applies: number; differed: string[] }>;
}

/** One environment of the measurement. */
export interface SteadyRun {
  readonly id: string;
  readonly namespace: string;
  readonly manifest: Manifest;
  readonly rendered: RenderedObject[];
  readonly expected: Expected[];
  /** `<service> <Kind>` of the children expected Ready. */
  readonly readyKinds: ReadonlySet<string>;
}

/** Options of {@link AckSteadyState.start}. */
export interface SteadyStateOptions {
  readonly kubeconfigPath: string;
  readonly awsEndpoint: string;
  /** The run's log directory: the ACK logs and operator.log go to `<logDir>/steady-state/`. */
  readonly logDir: string;
  /** Suffix of the namespaces (`e2e-steady-<id>-<suffix>`). */
  readonly namespaceSuffix: string;
  /** CRDs the API server serves (`<plural>.<group>`). */
  readonly crds: readonly string[];
  /** Operator resync and progress poll, seconds. @default 10 */
  readonly resyncS?: number;
  /** ACK controllers' `--reconcile-default-resync-seconds`. @default 15 */
  readonly ackResyncS?: number;
  readonly log?: (line: string) => void;
}


/** The counters of `to` that grew since `from`, by how much (sorted by name). */
const increments = (from: Readonly<Record<string, number>>, to: Readonly<Record<string, number>>): Record<string, number> =>
  Object.fromEntries(
    Object.entries(delta(from, to))
      .filter(([, n]) => n !== 0)
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** Wraps `clients` so that every AWS call is counted in `calls` by `service.method`. */
function countingClients(clients: AwsClients, calls: Record<string, number>): AwsClients {
  const wrap = <T extends object>(service: string, api: T): T =>
    new Proxy(api, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const key = `${service}.${String(prop)}`;
          calls[key] = (calls[key] ?? 0) + 1;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
  return {
    webAcl: (r) => wrap('wafv2', clients.webAcl(r)),
    autoScaling: (r) => wrap('autoscaling', clients.autoScaling(r)),
    rdsProxy: (r) => wrap('rds', clients.rdsProxy(r)),
    cognito: (r) => wrap('cognito', clients.cognito(r)),
  };
}

/** See the module comment. */
export class AckSteadyState {
  private readonly kube: ClientNodeKubeClient;
  private reconciles = 0;
  private readonly awsCalls: Record<string, number> = {};
  /** Server-side applies the operator sent, by `<namespace>/<Kind>/<name>` (its client, wrapped in start()). */
  private readonly applies: Record<string, number> = {};
  /** For an object applied again: where the live object differed from what was applied (read just before). */
  private readonly reapplied: Record<string, string[]> = {};
  private controller?: EnvironmentController;
  private ack?: AckControllers;
  private awsClients?: SdkAwsClients;
  private operatorLog?: WriteStream;
  private stopped?: Promise<number | undefined>;

  private constructor(
    readonly runs: readonly SteadyRun[],
    private readonly kc: KubeConfig,
    private readonly log: (line: string) => void,
  ) {
    this.kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: 'mpe-e2e-steady' });
  }

  /** Every example environment (the first of a file of several: they differ only by region), prepared for the measurement. */
  static candidates(options: Pick<SteadyStateOptions, 'namespaceSuffix' | 'crds'>, services: readonly string[]): SteadyRun[] {
    const crds = new Set(options.crds);
    const stack = {
      controlled: (apiVersion: string) => services.includes(serviceOf(apiVersion)),
      served: (o: { apiVersion: string; kind: string }) => crds.has(`${CHILD_KINDS.find((k) => k.apiVersion === o.apiVersion && k.kind === o.kind)?.plural}.${o.apiVersion.split('/')[0]}`),
    };
    return exampleEnvironments().filter((e) => e.index === 0).map((e): SteadyRun => {
      const manifest = structuredClone(e.manifest) as Manifest;
      const id = e.id.split('-')[0]!;
      manifest.metadata.namespace = e2eNamespace(`steady-${id}`, options.namespaceSuffix);
      manifest.spec.environmentSuffix = `${String(manifest.spec.environmentSuffix).slice(0, 10)}ss`;
      const rendered = renderEnvironment(validateEnvironment(structuredClone(manifest)));
      const expected = expectedComponents(rendered, stack);
      const readyKinds = new Set(rendered.filter((o) => expected.some((x) => x.state === 'Ready' && x.kind === o.kind && x.name === o.metadata.name)).map((o) => `${serviceOf(o.apiVersion)} ${o.kind}`));
      return { id, namespace: manifest.metadata.namespace, manifest, rendered, expected, readyKinds };
    });
  }

  /** The environments measured: {@link candidates} covering every kind synced here, with the one {@link STEADY_CHANGE} changes. */
  static plan(options: Pick<SteadyStateOptions, 'namespaceSuffix' | 'crds'>, services: readonly string[]): SteadyRun[] {
    return coveringRuns(AckSteadyState.candidates(options, services), [STEADY_CHANGE.id]);
  }

  /** Starts the ACK controllers and the operator for {@link plan}'s environments and applies them. */
  static async start(options: SteadyStateOptions): Promise<AckSteadyState> {
    const log = options.log ?? (() => undefined);
    const services = findAckControllers().available.map((b) => b.service);
    const runs = AckSteadyState.plan(options, services);
    const kc = new KubeConfig();
    kc.loadFromFile(options.kubeconfigPath);
    const self = new AckSteadyState(runs, kc, log);
    const dir = join(options.logDir, 'steady-state');
    mkdirSync(dir, { recursive: true });
    const resyncMs = (options.resyncS ?? 10) * 1000;
    try {
      self.ack = await startAckControllers({
        kubeconfigPath: options.kubeconfigPath,
        endpoint: options.awsEndpoint,
        logDir: dir,
        extraArgs: [`--reconcile-default-max-concurrent-syncs=${ACK_CONCURRENT_SYNCS}`, `--reconcile-default-resync-seconds=${options.ackResyncS ?? 15}`, `--watch-namespace=${runs.map((r) => r.namespace).join(',')}`],
      });
      log(`steady state: ${runs.map((r) => r.id).join(', ')}; ACK ${self.ack.running.map((c) => c.service).join(', ')} (resync ${options.ackResyncS ?? 15} s); operator resync ${resyncMs / 1000} s`);
      self.operatorLog = createWriteStream(join(dir, 'operator.log'), { flags: 'a' });
      const logger = createLogger({ level: 'debug', destination: self.operatorLog });
      self.awsClients = new SdkAwsClients({ clientConfig: { endpoint: options.awsEndpoint, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } } });
      self.controller = new EnvironmentController({
        kubeConfig: kc,
        logger,
        namespaces: runs.map((r) => r.namespace),
        concurrency: runs.length,
        resyncPeriodMs: resyncMs,
        progressRequeueMs: resyncMs,
        reconcileMetrics: { observeReconcile: () => void self.reconciles++ },
        awsGaps: new AwsGapActions({ clients: countingClients(self.awsClients, self.awsCalls), logger }),
      });
      // Per-object applies: the write counter has verbs only. The reconciler holds this very client.
      const kube = self.controller.kube;
      const apply = kube.apply.bind(kube);
      kube.apply = async (o) => {
        const key = auditKey(o);
        self.applies[key] = (self.applies[key] ?? 0) + 1;
        if (self.applies[key] > 1) {
          // Why again: the live object as it is now (a GET, so this costs the measurement, not the operator, a read).
          const ref = { apiVersion: o.apiVersion!, kind: o.kind!, namespace: o.metadata?.namespace, name: o.metadata!.name! };
          const live = (await self.kube.get(ref).catch(() => undefined)) as { spec?: unknown; metadata?: unknown } | undefined;
          const desired = o as { spec?: unknown; metadata?: unknown };
          self.reapplied[key] = [...subsetMismatches(desired.spec ?? {}, live?.spec ?? {}, 'spec'), ...subsetMismatches(desired.metadata, live?.metadata ?? {}, 'metadata')].slice(0, 10);
        }
        return apply(o);
      };
      await self.controller.start();
      for (const run of runs) {
        await self.kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: run.namespace } });
        await self.kube.apply(structuredClone(run.manifest) as never);
      }
    } catch (err) {
      await self.stop(0);
      throw err;
    }
    return self;
  }

  /** Seconds until every environment's components are exactly as expected for its newest generation. */
  async waitSettled(timeoutMs: number, runs: readonly SteadyRun[] = this.runs): Promise<number> {
    const t0 = Date.now();
    let last: string[] = [];
    let polls = 0;
    for (;;) {
      last = (await Promise.all(runs.map(async (run) => {
        const env = (await this.kube.get({ apiVersion: API_VERSION, kind: KIND, namespace: run.namespace, name: run.manifest.metadata.name })) as { metadata?: { generation?: number }; status?: { observedGeneration?: number; components?: [] } } | undefined;
        if (!env?.status || env.status.observedGeneration !== env.metadata?.generation) return [`${run.id}: generation ${env?.metadata?.generation} not observed yet`];
        return componentMismatches(run.expected, env.status.components ?? []).map((m) => `${run.id}: ${m}`);
      }))).flat();
      if (last.length === 0) return round((Date.now() - t0) / 1000);
      if (Date.now() - t0 > timeoutMs) throw new Error(`not settled after ${timeoutMs / 1000} s:\n${last.slice(0, 20).join('\n')}`);
      if (++polls % 30 === 0) this.log(`not settled after ${round((Date.now() - t0) / 1000)} s: ${last.slice(0, 5).join('; ')}${last.length > 5 ? `; and ${last.length - 5} more` : ''}`);
      await sleep(2_000);
    }
  }

  /**
   * Applies since the start against the children applied: more applies than children means the operator applied
   * some child again while the environments converged. Expected for a child with an optional late binding (applied
   * without the value, then with it: a target group's and a load balancer's attributes); anything else would be a
   * rewrite by another client or a stale cache. Read right after {@link waitSettled}, before any change.
   */
  async creationApplies(): Promise<CreationApplies> {
    const snapshot = writeSnapshot(await this.objects(), FIELD_MANAGER);
    const childrenApplied = [...snapshot.values()].filter((o) => o.entries.Apply).length;
    const again = Object.entries(this.applies).filter(([, n]) => n > 1);
    return { applies: this.controller!.writes.get('apply'), childrenApplied, appliedAgain: Object.fromEntries(again.map(([k, n]) => [k, { applies: n, differed: this.reapplied[k] ?? [] }])) };
  }

  /** Every child and environment of the runs, as the API server has them now (managedFields included). */
  private async objects(): Promise<KubernetesObject[]> {
    const lists = await Promise.all(this.runs.map(async (run) => {
      const kinds = CHILD_KINDS.filter((k) => run.rendered.some((o) => o.apiVersion === k.apiVersion && o.kind === k.kind));
      const children = await listChildren(this.kube, run.namespace, run.manifest.metadata.name, kinds);
      const env = await this.kube.get({ apiVersion: API_VERSION, kind: KIND, namespace: run.namespace, name: run.manifest.metadata.name });
      return [...children, ...(env ? [env] : [])];
    }));
    return lists.flat();
  }

  /** The state a window is measured from. */
  private async mark(): Promise<{ at: number; snapshot: WriteSnapshot; writes: WriteCounts; metrics?: string; reconciles: number; aws: Record<string, number>; applies: Record<string, number> }> {
    const snapshot = writeSnapshot(await this.objects(), FIELD_MANAGER);
    return { at: Date.now(), snapshot, writes: this.controller!.writes.snapshot(), metrics: await apiserverMetrics(this.kc), reconciles: this.reconciles, aws: { ...this.awsCalls }, applies: { ...this.applies } };
  }

  /** Counts what happens between `from` and now. */
  private async since(from: Awaited<ReturnType<AckSteadyState['mark']>>): Promise<WindowFigures> {
    const to = await this.mark();
    const diff = diffSnapshots(from.snapshot, to.snapshot);
    const writes = Object.fromEntries(WRITE_VERBS.map((v) => [v, to.writes[v] - from.writes[v]])) as Record<keyof WriteCounts, number>;
    const requests = from.metrics && to.metrics ? increments(operatorRequests(from.metrics), operatorRequests(to.metrics)) : undefined;
    const updates = ackUpdatesInLogs(this.ack?.running ?? [], new Set(this.runs.map((r) => r.namespace)), from.at, to.at);
    return {
      seconds: round((to.at - from.at) / 1000),
      reconciles: to.reconciles - from.reconciles,
      operator: { ...writes, total: Object.values(writes).reduce((a, b) => a + b, 0) },
      apiserver: requests && { total: Object.values(requests).reduce((a, b) => a + b, 0), byRequest: requests },
      written: diff.written,
      writtenByKind: byKind(diff.written),
      changedByOthers: othersByKind(diff.othersChanged),
      fieldsTaken: diff.taken,
      ackUpdates: Object.fromEntries(updates),
      ackUpdatesByKind: updatesByKind(updates),
      operatorAwsCalls: increments(from.aws, to.aws),
      applies: increments(from.applies, to.applies),
    };
  }

  /** Counts the writes of a window of `ms` in which nothing is changed. */
  async window(ms: number): Promise<WindowFigures> {
    const from = await this.mark();
    await sleep(ms);
    return this.since(from);
  }

  /**
   * Applies {@link STEADY_CHANGE}, waits until the environment has settled on it, then one more `quietMs` for ACK's
   * updates and the child events they cause; returns the children the change renders differently and what the window
   * from the change to then saw.
   */
  async change(settleTimeoutMs: number, quietMs: number): Promise<{ changed: string[]; settleSeconds: number; figures: WindowFigures }> {
    const index = this.runs.findIndex((r) => r.id === STEADY_CHANGE.id);
    const run = this.runs[index]!;
    const manifest = structuredClone(run.manifest);
    STEADY_CHANGE.apply(manifest.spec);
    const rendered = renderEnvironment(validateEnvironment(structuredClone(manifest)));
    const changed = changedChildren(run.rendered, rendered).map((c) => `${run.namespace}/${c}`);
    const from = await this.mark();
    await this.kube.apply(structuredClone(manifest) as never);
    (this.runs as SteadyRun[])[index] = { ...run, manifest, rendered };
    const settleSeconds = await this.waitSettled(settleTimeoutMs, [this.runs[index]!]);
    await sleep(quietMs);
    return { changed: changed.sort(), settleSeconds, figures: await this.since(from) };
  }

  /** Children synced per `<service> <Kind>` over every run (what the windows cover). */
  async syncedKinds(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const o of (await this.objects()) as (KubernetesObject & { status?: { conditions?: { type: string; status: string }[] } })[]) {
      if (!o.status?.conditions?.some((c) => c.type === 'ACK.ResourceSynced' && c.status === 'True')) continue;
      const key = `${serviceOf(o.apiVersion)} ${o.kind}`;
      out[key] = (out[key] ?? 0) + 1;
    }
    return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
  }

  /**
   * Deletes the environments and waits up to `deleteTimeoutMs` for them to go (the ACK controllers must still run to
   * release their finalizers), then stops the operator and the controllers. Seconds the deletion took, or undefined.
   */
  stop(deleteTimeoutMs = 300_000): Promise<number | undefined> {
    return (this.stopped ??= this.stopOnce(deleteTimeoutMs));
  }

  /** Tags of the ACK controllers running, by service. */
  get ackVersions(): Record<string, string> {
    return Object.fromEntries((this.ack?.running ?? []).map((c) => [c.service, c.tag]));
  }

  private async stopOnce(deleteTimeoutMs: number): Promise<number | undefined> {
    const t0 = Date.now();
    let seconds: number | undefined;
    if (this.controller && deleteTimeoutMs > 0) {
      for (const run of this.runs) await this.kube.delete({ apiVersion: API_VERSION, kind: KIND, namespace: run.namespace, name: run.manifest.metadata.name }).catch(() => undefined);
      while (Date.now() - t0 < deleteTimeoutMs) {
        const left = await Promise.all(this.runs.map((run) => this.kube.get({ apiVersion: API_VERSION, kind: KIND, namespace: run.namespace, name: run.manifest.metadata.name }).catch(() => undefined)));
        if (left.every((e) => e === undefined)) {
          seconds = round((Date.now() - t0) / 1000);
          break;
        }
        await sleep(2_000);
      }
    }
    await this.controller?.stop();
    await this.ack?.stop();
    this.awsClients?.close();
    for (const run of this.runs) await this.kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: run.namespace }).catch(() => undefined);
    await new Promise((r) => (this.operatorLog ? this.operatorLog.end(r) : r(undefined)));
    return seconds;
  }
}
