/**
 * A local Kubernetes control plane for tests and for `npm run cluster:up`: etcd, kube-apiserver (token
 * authentication, RBAC) and kube-controller-manager (garbage collector, namespace and serviceaccount
 * controllers) on free 127.0.0.1 ports, built by hack/build-control-plane.sh. Or, when `MPE_KUBECONFIG` is
 * set, an existing cluster (e.g. kind). Either way the ACK CRDs and ours are installed and Established.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { startApiserver, startControllerManager, startEtcd, type ComponentContext } from './components.js';
import { describeError, installCrds } from './crds.js';
import { generateCredentials } from './credentials.js';
import { writeKubeconfig } from './kubeconfig.js';
import { killAndRemoveSync, recordPgid, registerCleanup, startReaper } from './lifecycle.js';
import { BYO_KUBECONFIG_ENV, REPO_ROOT, findBinaries } from './paths.js';
import { peakRssKiB, stopComponent, type Component } from './processes.js';

/** Options of {@link startControlPlane}; all optional. */
export interface StartOptions {
  /** Where to write the admin kubeconfig; default `<runDir>/kubeconfig`. Removed again on stop. */
  kubeconfigPath?: string;
  /** Working directory (certs, keys, etcd data); default a fresh `$TMPDIR/mpe-cp-*`. Removed on stop. */
  runDir?: string;
  /** Component logs; default `<runDir>/logs` (so removed with it). */
  logDir?: string;
  /** Directory with etcd, kube-apiserver, kube-controller-manager; default `<repo>/bin`. */
  binDir?: string;
  /** Repository root whose ACK CRDs (localcluster/ack-crd-sources.ts) and `crds/` are installed; default this repository. */
  root?: string;
  /** Install the CRDs (default true). */
  installCrds?: boolean;
  /** Existing cluster to use instead of starting one; default `process.env.MPE_KUBECONFIG`. */
  byoKubeconfig?: string;
  /** Time each component may take to become healthy; default 90 s (2-core CI machines). */
  componentTimeoutMs?: number;
  /** Progress output; default one line per step on stderr. */
  log?: (line: string) => void;
}

/** Seconds spent in each start step. */
export interface StartTimings {
  etcd: number;
  apiserver: number;
  /** Server-side apply of all CRDs until each is Established. */
  crds: number;
  controllerManager: number;
  total: number;
}

/** What {@link ControlPlane.stop} measured before stopping. */
export interface StopReport {
  /** Peak RSS (VmHWM) per component in KiB, read from /proc just before the component was stopped. */
  peakRssKiB: Record<string, number>;
}

/** A running (or borrowed) cluster. */
export interface ControlPlane {
  /** Admin kubeconfig (group system:masters), or the `MPE_KUBECONFIG` file. */
  readonly kubeconfigPath: string;
  /** True when this is an existing cluster from `MPE_KUBECONFIG`; stop() then leaves it alone. */
  readonly external: boolean;
  /** API server URL. */
  readonly server: string;
  /** Component pids (each is also its process-group id); empty for an external cluster. */
  readonly pids: Readonly<Record<string, number>>;
  /** Names of the installed CRDs. */
  readonly crds: readonly string[];
  readonly timings: StartTimings;
  /** Stops the components (KCM and apiserver first, etcd last) and removes the run dir and kubeconfig. */
  stop(): Promise<StopReport>;
}

const seconds = (fromMs: number): number => Math.round((Date.now() - fromMs) / 100) / 10;

/** Starts the local control plane, or attaches to `MPE_KUBECONFIG`; see {@link StartOptions}. */
export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`[localcluster] ${line}\n`));
  const byo = opts.byoKubeconfig ?? process.env[BYO_KUBECONFIG_ENV];
  if (byo) return useExistingCluster(resolve(byo), opts, log);

  const t0 = Date.now();
  const bins = findBinaries(opts.binDir);
  const runDir = opts.runDir ? resolve(opts.runDir) : mkdtempSync(join(tmpdir(), 'mpe-cp-'));
  if (opts.runDir) {
    rmSync(runDir, { recursive: true, force: true });
    mkdirSync(runDir, { recursive: true, mode: 0o700 });
  }
  const logDir = opts.logDir ? resolve(opts.logDir) : join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const kubeconfigPath = resolve(opts.kubeconfigPath ?? join(runDir, 'kubeconfig'));

  const components: Component[] = [];
  const reaperPid = startReaper(process.pid, runDir);
  const removeFiles = (): void => {
    killAndRemoveSync(components.map((c) => c.pid), reaperPid, runDir);
    rmSync(kubeconfigPath, { force: true });
  };
  let stopped: Promise<StopReport> | undefined;
  const stop = (): Promise<StopReport> => (stopped ??= stopAll(components, removeFiles, unregister, log));
  const unregister = registerCleanup({ stop: async () => void (await stop()), killNow: removeFiles });

  const ctx: ComponentContext = {
    runDir,
    logDir,
    timeoutMs: opts.componentTimeoutMs ?? 90_000,
    onSpawn: (component) => {
      components.push(component);
      recordPgid(runDir, component.pid);
    },
  };
  try {
    const credentials = generateCredentials(runDir);
    let t = Date.now();
    const etcd = await startEtcd(bins.etcd, ctx);
    const etcdSeconds = seconds(t);

    t = Date.now();
    const apiserver = await startApiserver(bins.kubeApiserver, ctx, { etcdUrl: etcd.clientUrl, credentials });
    const apiserverSeconds = seconds(t);
    const kube = { server: apiserver.url, caPem: apiserver.caPem };
    writeKubeconfig(kubeconfigPath, { ...kube, user: credentials.admin.name, token: credentials.admin.token });
    const kcmKubeconfig = join(runDir, 'kube-controller-manager.kubeconfig');
    const kcmUser = credentials.controllerManager;
    writeKubeconfig(kcmKubeconfig, { ...kube, user: kcmUser.name, token: kcmUser.token });

    // CRDs before kube-controller-manager: the garbage collector builds its monitors from discovery at start
    // and refreshes only every 30 s, so owner references to or from a CRD kind installed later would be
    // ignored for up to 30 s.
    t = Date.now();
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    const crds = opts.installCrds === false ? [] : await installCrds(kc, opts.root ?? REPO_ROOT, log);
    const crdSeconds = seconds(t);

    t = Date.now();
    await startControllerManager(bins.kubeControllerManager, ctx, kcmKubeconfig);
    const timings: StartTimings = {
      etcd: etcdSeconds,
      apiserver: apiserverSeconds,
      crds: crdSeconds,
      controllerManager: seconds(t),
      total: seconds(t0),
    };
    log(
      `control plane ready in ${timings.total} s (etcd ${timings.etcd} s, kube-apiserver ${timings.apiserver} s, ` +
        `${crds.length} CRDs ${timings.crds} s, kube-controller-manager ${timings.controllerManager} s) ` +
        `at ${apiserver.url}; kubeconfig ${kubeconfigPath}`,
    );
    const pids = Object.fromEntries(components.map((c) => [c.name, c.pid]));
    return { kubeconfigPath, external: false, server: apiserver.url, pids, crds, timings, stop };
  } catch (err) {
    await stop();
    throw new Error(`starting the local control plane failed: ${describeError(err)}`, { cause: err });
  }
}

/** Stops components in reverse dependency order, measuring peak RSS first. */
async function stopAll(
  components: readonly Component[],
  removeFiles: () => void,
  unregister: () => void,
  log: (line: string) => void,
): Promise<StopReport> {
  const byName = new Map(components.map((c) => [c.name, c]));
  const peak: Record<string, number> = {};
  for (const c of components) {
    const kib = peakRssKiB(c.pid);
    if (kib !== undefined) peak[c.name] = kib;
  }
  const first = ['kube-controller-manager', 'kube-apiserver'].flatMap((name) => byName.get(name) ?? []);
  await Promise.all(first.map((c) => stopComponent(c)));
  await Promise.all(components.filter((c) => !first.includes(c)).map((c) => stopComponent(c)));
  removeFiles();
  unregister();
  const mib = (name: string): string => (peak[name] ? `${Math.round(peak[name] / 1024)} MiB` : 'n/a');
  if (components.length > 0) {
    log(
      `stopped; peak RSS (VmHWM): kube-apiserver ${mib('kube-apiserver')}, etcd ${mib('etcd')}, ` +
        `kube-controller-manager ${mib('kube-controller-manager')}`,
    );
  }
  return { peakRssKiB: peak };
}

/** Attaches to an existing cluster: checks it answers, installs the CRDs, starts nothing. */
async function useExistingCluster(
  kubeconfigPath: string,
  opts: StartOptions,
  log: (line: string) => void,
): Promise<ControlPlane> {
  const t0 = Date.now();
  if (!existsSync(kubeconfigPath)) {
    throw new Error(`${BYO_KUBECONFIG_ENV}=${kubeconfigPath}: no such file`);
  }
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const server = kc.getCurrentCluster()?.server ?? '(no current cluster)';
  try {
    const version = await kc.makeApiClient(VersionApi).getCode();
    log(`using the existing cluster ${server} (${version.gitVersion}) from ${BYO_KUBECONFIG_ENV}; starting nothing`);
  } catch (err) {
    throw new Error(`${BYO_KUBECONFIG_ENV}=${kubeconfigPath}: cluster ${server} does not answer: ${describeError(err)}`);
  }
  const crds = opts.installCrds === false ? [] : await installCrds(kc, opts.root ?? REPO_ROOT, log);
  const total = seconds(t0);
  log(`${crds.length} CRDs installed and Established in ${total} s`);
  return {
    kubeconfigPath,
    external: true,
    server,
    pids: {},
    crds,
    timings: { etcd: 0, apiserver: 0, crds: total, controllerManager: 0, total },
    stop: async () => ({ peakRssKiB: {} }),
  };
}
