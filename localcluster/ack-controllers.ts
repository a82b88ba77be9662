/**
 * Real ACK controller binaries (built by hack/build-ack-controllers.sh into bin/ack/<svc>/controller) run
 * out of cluster against a kubeconfig and an emulated AWS endpoint (localcluster/aws-emulator.ts).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerCleanup } from './lifecycle.js';
import { LOOPBACK, freePorts, probe, waitUntil } from './net.js';
import { isExecutable, REPO_ROOT } from './paths.js';
import { killGroup, logTail } from './processes.js';

/** Where hack/build-ack-controllers.sh puts one directory per service. */
export const ACK_BIN_DIR = join(REPO_ROOT, 'bin', 'ack');
/** The region everything runs in: moto's S3 behaves like AWS only in us-east-1. */
export const ACK_REGION = 'us-east-1';

/** One line of hack/ack-versions.txt. */
export interface AckVersion {
  service: string;
  pinned: string;
  /** Newest tag the module proxy serves, or undefined (`-`). */
  fallback?: string;
}

/** Reads hack/ack-versions.txt (`<service> <pinned tag> <fallback tag|->`). */
export function readAckVersions(root = REPO_ROOT): AckVersion[] {
  return readFileSync(join(root, 'hack', 'ack-versions.txt'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [service = '', pinned = '', fallback] = line.split(/\s+/);
      return { service, pinned, fallback: fallback && fallback !== '-' ? fallback : undefined };
    });
}

/** A built controller binary. */
export interface AckControllerBinary {
  service: string;
  path: string;
  /** Tag it was built from (bin/ack/<svc>/.stamp). */
  tag: string;
}

/** A service without a binary, and why (from bin/ack/build-summary.tsv when the build recorded it). */
export interface MissingAckController {
  service: string;
  reason: string;
}

/** Splits the services of hack/ack-versions.txt into built binaries and missing ones. */
export function findAckControllers(binDir = ACK_BIN_DIR): { available: AckControllerBinary[]; missing: MissingAckController[] } {
  const summary = readBuildSummary(binDir);
  const available: AckControllerBinary[] = [];
  const missing: MissingAckController[] = [];
  for (const { service } of readAckVersions()) {
    const path = join(binDir, service, 'controller');
    const stamp = join(binDir, service, '.stamp');
    if (isExecutable(path) && existsSync(stamp)) {
      // .stamp: "<tag> recipe=<n> seconds=<s>"
      available.push({ service, path, tag: readFileSync(stamp, 'utf8').trim().split(/\s+/)[0] ?? '' });
    } else {
      missing.push({ service, reason: summary.get(service) ?? 'not built: run `bash hack/build-ack-controllers.sh`' });
    }
  }
  return { available, missing };
}

function readBuildSummary(binDir: string): Map<string, string> {
  const file = join(binDir, 'build-summary.tsv');
  const reasons = new Map<string, string>();
  if (!existsSync(file)) return reasons;
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [service, , status, , detail] = line.split('\t');
    if (service && status === 'FAILED') reasons.set(service, `build failed: ${detail ?? ''}`.trim());
  }
  return reasons;
}

/** Long flags a binary lists in `--help` (pflag prints usage on stderr). */
export function supportedFlags(binary: string): Set<string> {
  const out = spawnSync(binary, ['--help'], { encoding: 'utf8', timeout: 30_000 });
  return new Set([...`${out.stdout}${out.stderr}`.matchAll(/--([a-z0-9-]+)/g)].map((m) => m[1] ?? ''));
}

/** Flags that point a controller at the emulator; see docs/e2e.md and docs/ack-facts.md ("Pointing a controller at an emulated AWS"). */
export function controllerArgs(
  service: string,
  flags: ReadonlySet<string>,
  endpoint: string,
  ports: { metrics: number; healthz: number },
  logLevel = 'info',
): string[] {
  for (const required of ['aws-endpoint-url', 'aws-identity-endpoint-url', 'allow-unsafe-aws-endpoint-urls']) {
    if (!flags.has(required)) throw new Error(`${service} controller has no --${required} flag: it cannot use an emulated AWS`);
  }
  const args = [
    `--aws-region=${ACK_REGION}`,
    `--aws-endpoint-url=${endpoint}`,
    `--aws-identity-endpoint-url=${endpoint}`,
    '--allow-unsafe-aws-endpoint-urls',
    '--enable-leader-election=false',
    `--metrics-addr=${LOOPBACK}:${ports.metrics}`,
    `--healthz-addr=${LOOPBACK}:${ports.healthz}`,
    `--log-level=${logLevel}`,
  ];
  // Cross-account resource management (a ConfigMap the controller would watch) exists only in newer runtimes; the sns
  // controller v1.0.11 has no such flag and refuses unknown ones.
  if (flags.has('enable-carm')) args.push('--enable-carm=false');
  // Only s3-controller >= v1.4.0 has it; older ones rely on the SDK choosing path style for an IP endpoint.
  if (service === 's3' && flags.has('aws-endpoint-use-path-style')) args.push('--aws-endpoint-use-path-style');
  return args;
}

/** Environment of a controller: fake credentials, no IMDS, no shared AWS config, no proxies. */
export function controllerEnv(kubeconfigPath: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(AWS_|KUBECONFIG$|HTTPS?_PROXY$|https?_proxy$)/.test(key)) env[key] = value;
  }
  return {
    ...env,
    KUBECONFIG: kubeconfigPath,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: ACK_REGION,
    AWS_DEFAULT_REGION: ACK_REGION,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    NO_PROXY: LOOPBACK,
    no_proxy: LOOPBACK,
  };
}

/** A controller process (its own process group). */
export interface RunningAckController extends AckControllerBinary {
  pid: number;
  logPath: string;
  args: string[];
  healthz: string;
  /** Size of the (appended) log file when this process started: its own lines come after it. */
  logOffset: number;
  exited: Promise<number | string>;
}

/** Options of {@link startAckControllers}. */
export interface AckControllersOptions {
  /** Admin kubeconfig of the cluster (passed as KUBECONFIG: the binaries have no --kubeconfig flag). */
  kubeconfigPath: string;
  /** Emulated AWS endpoint, e.g. `AwsEmulator.endpoint`. */
  endpoint: string;
  /** Directory for `ack-<svc>.log`; created if missing. */
  logDir: string;
  /** Services to start (default: every built one). Asking for a missing one is an error. */
  services?: readonly string[];
  /** `--log-level` (default info). */
  logLevel?: string;
  /** Per-controller readiness timeout (STS call, then /healthz); default 60 s. */
  readyTimeoutMs?: number;
  /** More flags for every controller, e.g. `--reconcile-default-max-concurrent-syncs=3`. */
  extraArgs?: readonly string[];
  binDir?: string;
}

/** The started controllers, the services that have no binary, and a stop for all of them. */
export interface AckControllers {
  running: RunningAckController[];
  missing: MissingAckController[];
  /** SIGTERM to every controller, SIGKILL to the groups after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts the controllers and resolves once each one's /healthz answers 200, which happens only after its
 * startup STS GetCallerIdentity succeeded. On any failure every controller started so far is stopped.
 */
export async function startAckControllers(opts: AckControllersOptions): Promise<AckControllers> {
  const { available, missing } = findAckControllers(opts.binDir);
  const wanted = opts.services ?? available.map((b) => b.service);
  const unknown = wanted.filter((s) => !available.some((b) => b.service === s));
  if (unknown.length > 0) {
    const why = unknown.map((s) => `${s}: ${missing.find((m) => m.service === s)?.reason ?? 'not in hack/ack-versions.txt'}`);
    throw new Error(`ACK controllers not available:\n${why.join('\n')}`);
  }
  mkdirSync(opts.logDir, { recursive: true });
  const running: RunningAckController[] = [];
  const unregister = registerCleanup({ stop: () => stopAll(), killNow: () => running.forEach((c) => killGroup(c.pid, 'SIGKILL')) });
  async function stopAll(graceMs = 10_000): Promise<void> {
    await Promise.all(running.map((c) => stopOne(c, graceMs)));
    unregister();
  }
  /** Starts one controller; a port taken by someone else between our probe and its bind gets one retry. */
  async function startOne(binary: AckControllerBinary, probed: readonly number[]): Promise<void> {
    let ports = probed;
    for (let attempt = 1; ; attempt++) {
      const c = spawnController(binary, opts, ports);
      running.push(c);
      try {
        return await waitHealthy(c, opts.readyTimeoutMs ?? 60_000);
      } catch (err) {
        if (attempt > 1 || !ownLog(c).includes('address already in use')) throw err;
        await stopOne(c, 1_000);
        running.splice(running.indexOf(c), 1);
        ports = await freePorts(2);
      }
    }
  }
  try {
    const binaries = available.filter((b) => wanted.includes(b.service));
    // All ports at once: ports probed one controller at a time could repeat before the previous one has bound them.
    const ports = await freePorts(2 * binaries.length);
    const started = await Promise.allSettled(binaries.map((b, i) => startOne(b, ports.slice(2 * i, 2 * i + 2))));
    const failure = started.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) throw failure.reason;
  } catch (err) {
    await stopAll(2_000);
    throw err;
  }
  return { running, missing: missing.filter((m) => opts.services === undefined || opts.services.includes(m.service)), stop: stopAll };
}

function spawnController(binary: AckControllerBinary, opts: AckControllersOptions, ports: readonly number[]): RunningAckController {
  const [metrics = 0, healthz = 0] = ports;
  const args = [...controllerArgs(binary.service, supportedFlags(binary.path), opts.endpoint, { metrics, healthz }, opts.logLevel), ...(opts.extraArgs ?? [])];
  const logPath = join(opts.logDir, `ack-${binary.service}.log`);
  const fd = openSync(logPath, 'a');
  const logOffset = fstatSync(fd).size;
  const child = spawn(binary.path, args, { detached: true, stdio: ['ignore', fd, fd], env: controllerEnv(opts.kubeconfigPath) });
  closeSync(fd);
  if (child.pid === undefined) throw new Error(`could not spawn ${binary.path}`);
  child.unref();
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
    child.once('error', (err) => resolve(`spawn error: ${err.message}`));
  });
  return { ...binary, pid: child.pid, logPath, args, healthz: `http://${LOOPBACK}:${healthz}/healthz`, logOffset, exited };
}

/**
 * Ready = /healthz answers 200 (so the startup STS call succeeded and the manager runs) and controller-runtime
 * logged "Starting workers", which it does only after the informer caches synced, i.e. the API server is
 * reachable with this kubeconfig and the CRDs are served. /healthz alone is a plain ping that answers even
 * when the API server cannot be reached.
 */
function waitHealthy(c: RunningAckController, timeoutMs: number): Promise<void> {
  return waitUntil(
    `ack ${c.service}-controller (${c.tag})`,
    async () => (await probe(c.healthz)).status === 200 && ownLog(c).includes('"msg":"Starting workers"'),
    {
      timeoutMs,
      intervalMs: 250,
      abort: c.exited.then((code) => `exited (${code}) while starting:\n${logTail(c.logPath, 15)}`),
      describe: () => `no "Starting workers" yet; log tail:\n${ownLog(c).trimEnd().split('\n').slice(-5).join('\n')}`,
    },
  );
}

function ownLog(c: RunningAckController): string {
  try {
    return readFileSync(c.logPath).subarray(c.logOffset).toString('utf8');
  } catch {
    return '';
  }
}

async function stopOne(c: RunningAckController, graceMs: number): Promise<void> {
  killGroup(c.pid, 'SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([c.exited, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
  clearTimeout(timer);
  killGroup(c.pid, 'SIGKILL');
}
