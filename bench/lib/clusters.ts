/**
 * The clusters the timed runs use. With the local control plane, every timed run (P1, each P2 side) gets a fresh one:
 * a later run would otherwise meet the earlier runs' objects in etcd, in the API server's watch cache and in its Go
 * heap (1.9 GiB after the N=500 runs), and the run order alone would favour whichever side runs first. With
 * MPE_KUBECONFIG there is one cluster for all runs, and their namespaces are deleted at the end.
 */
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { FIELD_MANAGER } from '../../controllers/environment-controller.js';
import { CHILD_KINDS } from '../../controllers/marketplace-environment/child-kinds.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { reuseConnections } from '../../controllers/runtime/keep-alive.js';
import { AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { startControlPlane } from '../../localcluster/control-plane.js';
import type { Ctx } from '../phases/context.js';
import { deleteNamespace, unservedKinds } from './cluster.js';
import { setPhase } from './load.js';
import { round } from './stats.js';
import type { Log } from './util.js';
import { liveWorkers } from './workers.js';

/** See the module comment. */
export class Clusters {
  /** What the last opened cluster was (for the results' `cluster`). */
  description: Record<string, unknown> | undefined;
  /** Peak RSS of each control-plane component over every plane started, MiB. */
  peakRssMiB: Record<string, number> | undefined;
  private shared: Ctx | undefined;
  private readonly open_ = new Set<Ctx>();
  private started = 0;

  /** @param fresh a new local control plane per timed run (ignored with MPE_KUBECONFIG) */
  constructor(
    private readonly log: Log,
    private readonly runId: string,
    private readonly fresh: boolean,
  ) {}

  /** A cluster for one timed run: a new local control plane, or the shared one. */
  async open(): Promise<Ctx> {
    if (this.shared) return this.shared;
    setPhase('setup');
    const plane = await startControlPlane({ log: this.log });
    this.started++;
    // The benchmark's own requests (creating environments, observing) reuse connections, as kubectl does, so
    // they cost the API server as little as possible in either run.
    const kc = reuseConnections(new KubeConfig());
    kc.loadFromFile(plane.kubeconfigPath);
    const kube = ClientNodeKubeClient.fromKubeConfig(kc, { fieldManager: `${FIELD_MANAGER}-bench` });
    // The control plane installed every CRD the sources have; those from ACK_CRDS_DIR serve the CDN and WAF children.
    const reference = new AckCrdSources().installSet().filter((crd) => crd.source.origin === 'dir');
    const unserved = await unservedKinds(kube);
    if (unserved.size) this.log(`not served (left out): ${[...unserved].join(', ')}`);
    const version = await kc.makeApiClient(VersionApi).getCode();
    const ctx: Ctx = { kc, kubeconfigPath: plane.kubeconfigPath, kube, plane, unserved, kinds: CHILD_KINDS.filter((k) => !unserved.has(`${k.apiVersion}/${k.kind}`)), namespaces: [], runId: this.runId };
    this.open_.add(ctx);
    if (plane.external || !this.fresh) this.shared = ctx;
    this.description = {
      mode: plane.external ? 'external (MPE_KUBECONFIG), shared by every run' : this.fresh ? 'local control plane, a fresh one per timed run' : 'local control plane, shared by every run',
      server: plane.server,
      version: version.gitVersion,
      referenceCrds: reference.length,
      unserved: [...unserved],
    };
    return ctx;
  }

  /** Ends a run: stops its control plane unless it is shared. */
  async close(ctx: Ctx): Promise<void> {
    if (ctx === this.shared) return;
    await this.stop(ctx);
  }

  /** Stops every worker and plane; cleans the shared cluster's namespaces when it is external. */
  async closeAll(): Promise<void> {
    for (const c of liveWorkers) c.kill('SIGKILL');
    for (const ctx of [...this.open_]) {
      if (ctx.plane.external) {
        setPhase('cleanup');
        for (const ns of ctx.namespaces) await deleteNamespace(ctx.kube, ns).catch((err: unknown) => this.log(`cleanup of ${ns} failed: ${String(err)}`));
      }
      await this.stop(ctx);
    }
    this.shared = undefined;
    if (this.description) this.description.controlPlanesStarted = this.started;
  }

  private async stop(ctx: Ctx): Promise<void> {
    if (!this.open_.delete(ctx)) return;
    const report = await ctx.plane.stop();
    for (const [k, v] of Object.entries(report?.peakRssKiB ?? {})) {
      this.peakRssMiB ??= {};
      this.peakRssMiB[k] = Math.max(this.peakRssMiB[k] ?? 0, round(v / 1024));
    }
  }
}
