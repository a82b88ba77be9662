/**
 * kro (kubernetes-sigs/kro v0.9.4), the peer the benchmark compares the operator with (`npm run bench -- --peer kro`):
 * its controller binary (built by hack/build-kro.sh) run out of cluster against a kubeconfig, and the install of its
 * CRDs and of one ResourceGraphDefinition (bench/kro/marketplace-three-tier.rgd.yaml).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { KubeClient } from '../controllers/runtime/kube-client.js';
import { loadCrds } from './crds.js';
import { registerCleanup } from './lifecycle.js';
import { LOOPBACK, freePorts, probe, waitUntil } from './net.js';
import { isExecutable, REPO_ROOT } from './paths.js';
import { killGroup, logTail, spawnComponent, stopComponent } from './processes.js';

/** Where hack/build-kro.sh puts the binary, and the symlink to the module's helm/crds. */
export const KRO_BIN_DIR = join(REPO_ROOT, 'bin', 'kro');
const CRD_API = 'apiextensions.k8s.io/v1';
const RGD_API = 'kro.run/v1alpha1';

/** Path of kro's controller binary when hack/build-kro.sh built it, else undefined (the kro side is then skipped). */
export function kroBinary(binDir = KRO_BIN_DIR): string | undefined {
  const path = join(binDir, 'controller');
  return isExecutable(path) ? path : undefined;
}

/** Why kro cannot run here (no binary), or undefined when it can: for skip messages. */
export function kroUnavailable(binDir = KRO_BIN_DIR): string | undefined {
  return kroBinary(binDir) ? undefined : `kro's controller is not built (${join(binDir, 'controller')}): run \`bash hack/build-kro.sh\``;
}

/** Options of {@link startKro}. */
export interface KroOptions {
  /** Admin kubeconfig of the cluster (`--kubeconfig`). */
  readonly kubeconfigPath: string;
  /** `--dynamic-controller-concurrent-reconciles`: instance workers. @default kro's default, 1 */
  readonly concurrentReconciles?: number;
  /** `--dynamic-controller-default-resync-period` in seconds. @default kro's default, 36000 (10 h) */
  readonly resyncPeriodS?: number;
  /** Further flags, e.g. `--client-qps=200`. */
  readonly extraArgs?: readonly string[];
  /** Receives one line per step (start, ready, stop); kro's own output goes to `logPath`. */
  readonly log: (line: string) => void;
  /** File receiving kro's stdout and stderr (appended; named `<stem>.log`). @default .cache/kro/kro-<start time>.log */
  readonly logPath?: string;
  /** How long kro may take to answer /healthz. @default 60 s */
  readonly readyTimeoutMs?: number;
  /** @default kroBinary() */
  readonly binary?: string;
}

/** A running kro controller. */
export interface RunningKro {
  /** The controller process itself (its own process group), e.g. for /proc/<pid>/status. */
  readonly pid: number;
  /** `http://127.0.0.1:<port>/metrics` (controller-runtime and kro metrics, Prometheus text). */
  readonly metricsUrl: string;
  readonly logPath: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL to its group after 10 s; idempotent. */
  stop(): Promise<void>;
}

/**
 * Starts kro's controller and resolves once its /healthz answers. That is all "ready" can mean here: its controllers
 * start their workers only once kro's CRDs are served, and kro only proves it works by accepting an RGD, which
 * {@link installKro} waits for. Order: {@link installKroCrds}, startKro, installKro. (Started before its CRDs exist,
 * kro retries every 10 s and exits after 2 minutes, controller-runtime's CacheSyncTimeout.)
 */
export async function startKro(opts: KroOptions): Promise<RunningKro> {
  const binary = opts.binary ?? kroBinary();
  if (!binary) throw new Error(kroUnavailable());
  const logPath = opts.logPath ?? join(REPO_ROOT, '.cache', 'kro', `kro-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  mkdirSync(dirname(logPath), { recursive: true });
  const [metrics = 0, health = 0] = await freePorts(2);
  const args = [
    `--kubeconfig=${opts.kubeconfigPath}`,
    // Loopback only: kro's defaults (:8078, :8079) listen on every interface and clash between runs.
    `--metrics-bind-address=${LOOPBACK}:${metrics}`,
    `--health-probe-bind-address=${LOOPBACK}:${health}`,
    // kro's Helm chart (how it is deployed) logs at info without development mode; the binary's own default is debug
    // in development mode, one multi-kilobyte line per requeue, which would bill kro for logging nobody runs with.
    '--zap-log-level=info',
    '--zap-encoder=console',
    '--zap-devel=false',
    ...(opts.concurrentReconciles !== undefined ? [`--dynamic-controller-concurrent-reconciles=${opts.concurrentReconciles}`] : []),
    ...(opts.resyncPeriodS !== undefined ? [`--dynamic-controller-default-resync-period=${opts.resyncPeriodS}`] : []),
    ...(opts.extraArgs ?? []),
  ];
  // Its own process group (stopComponent takes any helper along), no proxies, no inherited KUBECONFIG: only
  // --kubeconfig chooses the cluster.
  const component = spawnComponent(basename(logPath, '.log'), binary, args, dirname(logPath));
  const { pid, exited } = component;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await stopComponent(component);
      unregister();
      opts.log(`kro stopped (pid ${pid})`);
    })());
  const unregister = registerCleanup({ stop, killNow: () => killGroup(pid, 'SIGKILL') });
  opts.log(`kro started: pid ${pid}, ${args.slice(1).join(' ')}, log ${component.logPath}`);
  try {
    await waitUntil('kro controller', async () => (await probe(`http://${LOOPBACK}:${health}/healthz`)).status === 200, {
      timeoutMs: opts.readyTimeoutMs ?? 60_000,
      intervalMs: 200,
      abort: exited.then((code) => `exited (${code}) while starting:\n${logTail(component.logPath, 15)}`),
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { pid, metricsUrl: `http://${LOOPBACK}:${metrics}/metrics`, logPath: component.logPath, exited, stop };
}

/** A condition as kro and the API server report them. */
type Condition = { type?: string; status?: string; reason?: string; message?: string };
type WithConditions = KubernetesObject & { status?: { state?: string; conditions?: Condition[] } };

/** The objects of a YAML file (every document that is not empty). */
function readYamlObjects(path: string): KubernetesObject[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((doc) => doc.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o);
}

const crdRef = (name: string) => ({ apiVersion: CRD_API, kind: 'CustomResourceDefinition', name });
const established = (crd: WithConditions | undefined) => !!crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');

/**
 * Applies kro's CRDs (bin/kro/crds) and waits until they are Established. Call it before {@link startKro} when the
 * cluster is fresh: kro started without them retries its watches only every 10 s (controller-runtime), which
 * would delay the install by up to that much. Idempotent.
 */
export async function installKroCrds(kube: KubeClient, opts: { timeoutMs?: number; binDir?: string } = {}): Promise<void> {
  const crdDir = join(opts.binDir ?? KRO_BIN_DIR, 'crds');
  const crds = loadCrds(['kro.run_resourcegraphdefinitions.yaml', 'internal.kro.run_graphrevisions.yaml'].map((f) => join(crdDir, f)));
  for (const crd of crds) await kube.apply(crd.object);
  await waitUntil('kro CRDs Established', async () => (await Promise.all(crds.map((c) => kube.get<WithConditions>(crdRef(c.name))))).every(established), {
    timeoutMs: opts.timeoutMs ?? 60_000,
    intervalMs: 250,
  });
}

/**
 * Applies kro's CRDs ({@link installKroCrds}), then the ResourceGraphDefinition at `rgdPath`, and waits until kro
 * reports it Active and the CRD of its instance kind is Established, so that the first instance applied is served.
 * kro must be running ({@link startKro}); when kro rejects the graph (a template that does not type-check against
 * an ACK CRD, a kind not served), the error carries kro's condition messages.
 */
export async function installKro(kube: KubeClient, rgdPath: string, opts: { timeoutMs?: number; binDir?: string } = {}): Promise<void> {
  const timeoutMs = opts.timeoutMs ?? 120_000;
  await installKroCrds(kube, opts);
  const rgds = readYamlObjects(rgdPath).filter((o) => o.apiVersion === RGD_API && o.kind === 'ResourceGraphDefinition');
  if (rgds.length !== 1) throw new Error(`${rgdPath}: expected one ResourceGraphDefinition, found ${rgds.length}`);
  const rgd = rgds[0]!;
  await kube.apply(rgd);
  const ref = { apiVersion: RGD_API, kind: 'ResourceGraphDefinition', name: rgd.metadata!.name! };
  const schema = (rgd as { spec?: { schema?: { kind?: string; group?: string } } }).spec?.schema;
  // The CRD kro generates: <lower-case kind + s>.<group> (flect pluralisation; our kinds end in a consonant).
  const instanceCrd = `${schema?.kind?.toLowerCase()}s.${schema?.group ?? 'kro.run'}`;
  let last: WithConditions | undefined;
  const describe = () => {
    const conditions = (last?.status?.conditions ?? []).filter((c) => c.status !== 'True').map((c) => `${c.type}=${c.status} ${c.reason ?? ''}: ${c.message ?? ''}`);
    return last ? `state ${last.status?.state ?? 'none'}${conditions.length ? `; ${conditions.join('; ')}` : ''}` : 'not found';
  };
  await waitUntil(`kro ResourceGraphDefinition ${ref.name} Active (is kro running?)`, async () => {
    last = await kube.get<WithConditions>(ref);
    // kro marks a graph it rejected Inactive with a GraphAccepted=False condition: fail at once, with its message.
    const rejected = last?.status?.conditions?.find((c) => c.type === 'GraphAccepted' && c.status === 'False');
    if (rejected) throw new Error(`kro rejected ResourceGraphDefinition ${ref.name}: ${rejected.reason}: ${rejected.message}`);
    return last?.status?.state === 'Active' && established(await kube.get<WithConditions>(crdRef(instanceCrd)));
  }, { timeoutMs, intervalMs: 500, describe });
}
