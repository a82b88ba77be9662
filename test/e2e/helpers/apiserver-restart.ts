/**
 * Stops the e2e stack's kube-apiserver and starts it again on the same port, certificates and etcd, as a control-plane
 * restart does (test/e2e/faults-cluster.test.ts, fault f). The stack's ControlPlane object lives in Jest's global setup,
 * out of a test file's reach, so the process is found by its port in /proc and started again with the very argv it had
 * (/proc/<pid>/cmdline), through localcluster's spawnComponent, appending to the same log.
 *
 * The new process is not one of the stack's components, so the stack's stop would not stop it: it is recorded in the
 * run dir's `pgids` (the reaper kills it if the Jest process dies hard) and a watchdog ends it once the run dir is
 * removed or etcd is gone, which every teardown of the stack does (localcluster/control-plane.ts).
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { readSelfSignedCa } from '../../../localcluster/credentials.js';
import { recordPgid } from '../../../localcluster/lifecycle.js';
import { probe } from '../../../localcluster/net.js';
import { isAlive, killGroup, spawnComponent } from '../../../localcluster/processes.js';
import { waitFor } from '../../integration/helpers/wait.js';

/** A running local kube-apiserver as found in /proc. */
export interface ApiserverProcess {
  readonly pid: number;
  /** argv, the binary first. */
  readonly argv: readonly string[];
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** The control plane's run dir (parent of --cert-dir). */
  readonly runDir: string;
  /** Directory of kube-apiserver.log. */
  readonly logDir: string;
  /** Bearer token of the kubeconfig (for /readyz). */
  readonly token: string;
}

/** argv of every process of ours, by pid. */
function processes(): { pid: number; argv: string[] }[] {
  const out: { pid: number; argv: string[] }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').filter(Boolean);
      if (argv.length > 0) out.push({ pid: Number(entry), argv });
    } catch {
      // Gone meanwhile, or not ours.
    }
  }
  return out;
}

/** Value of `--name=value` in argv. */
export const flagOf = (argv: readonly string[], name: string): string | undefined =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

/** The kube-apiserver serving the kubeconfig's server URL (a local control plane's; not for MPE_KUBECONFIG clusters). */
export function findApiserver(kubeconfigPath: string): ApiserverProcess {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const url = kc.getCurrentCluster()?.server ?? '';
  const port = new URL(url).port;
  const found = processes().find((p) => p.argv[0]?.endsWith('kube-apiserver') && flagOf(p.argv, 'secure-port') === port);
  if (!found) throw new Error(`no local kube-apiserver process serves ${url} (MPE_KUBECONFIG cluster?)`);
  const certDir = flagOf(found.argv, 'cert-dir');
  if (!certDir) throw new Error('kube-apiserver without --cert-dir');
  const log = readlinkSafe(`/proc/${found.pid}/fd/1`);
  return { pid: found.pid, argv: found.argv, url, runDir: dirname(certDir), logDir: log ? dirname(log) : dirname(certDir), token: kc.getCurrentUser()?.token ?? '' };
}

/** Target of a symlink (the apiserver's stdout: its log file), or undefined. */
function readlinkSafe(path: string): string | undefined {
  try {
    return readlinkSync(path);
  } catch {
    return undefined;
  }
}

/** Whether /readyz answers 200 now. */
export async function apiserverReady(api: ApiserverProcess): Promise<boolean> {
  const ca = readSelfSignedCa(join(flagOf(api.argv, 'cert-dir')!, 'apiserver.crt'));
  return (await probe(`${api.url}/readyz`, { ca, token: api.token })).status === 200;
}

/** Sends `signal` to the apiserver's process group, SIGKILL after `graceMs`, and waits until it is gone. */
export async function stopApiserver(api: ApiserverProcess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> {
  killGroup(api.pid, signal);
  const deadline = Date.now() + graceMs;
  while (isAlive(api.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(api.pid)) killGroup(api.pid, 'SIGKILL');
  await waitFor('kube-apiserver gone', async () => !isAlive(api.pid), 10_000, 100);
}

/** Starts the apiserver again with the same argv and waits for /readyz; returns the new process. */
export async function restartApiserver(api: ApiserverProcess, timeoutMs = 90_000): Promise<ApiserverProcess> {
  const [binary, ...args] = api.argv;
  const component = spawnComponent('kube-apiserver', binary!, args, api.logDir);
  recordPgid(api.runDir, component.pid);
  const etcd = processes().find((p) => p.argv[0]?.endsWith('etcd') && flagOf(p.argv, 'data-dir') === join(api.runDir, 'etcd'));
  // Ends the new process with the stack: once its run dir is removed or its etcd is gone (every stop does one of both).
  const watchdog = spawn(
    'sh',
    [
      '-c',
      [
        'dir=$1; etcd=$2; pg=$3',
        'while [ -d "$dir" ] && { [ "$etcd" = 0 ] || kill -0 "$etcd" 2>/dev/null; } && kill -0 "$pg" 2>/dev/null; do sleep 1; done',
        'kill -s TERM -- "-$pg" 2>/dev/null; sleep 5; kill -s KILL -- "-$pg" 2>/dev/null; exit 0',
      ].join('\n'),
      'mpe-apiserver-watchdog',
      api.runDir,
      String(etcd?.pid ?? 0),
      String(component.pid),
    ],
    { detached: true, stdio: 'ignore' },
  );
  watchdog.unref();
  const restarted: ApiserverProcess = { ...api, pid: component.pid };
  let exited: number | string | undefined;
  void component.exited.then((code) => (exited = code));
  await waitFor('kube-apiserver /readyz after the restart', async () => {
    if (exited !== undefined) throw new Error(`kube-apiserver exited (${exited}) while starting again`);
    return apiserverReady(restarted);
  }, timeoutMs, 250);
  return restarted;
}

/** A running ACK controller of the stack (or of a test file): pid, service and metrics address. */
export interface AckProcess {
  readonly pid: number;
  readonly service: string;
  /** `http://127.0.0.1:<port>/metrics`. */
  readonly metrics: string;
}

/** Every ACK controller process whose KUBECONFIG is `kubeconfigPath`. */
export function ackControllersOf(kubeconfigPath: string): AckProcess[] {
  const out: AckProcess[] = [];
  for (const p of processes()) {
    const m = /\/bin\/ack\/([^/]+)\/controller$/.exec(p.argv[0] ?? '');
    if (!m) continue;
    let environ = '';
    try {
      environ = readFileSync(`/proc/${p.pid}/environ`, 'utf8');
    } catch {
      continue;
    }
    if (!environ.split('\0').includes(`KUBECONFIG=${kubeconfigPath}`)) continue;
    out.push({ pid: p.pid, service: m[1]!, metrics: `http://${flagOf(p.argv, 'metrics-addr')}/metrics` });
  }
  return out;
}

/** Sum of the Prometheus samples of `name` at `url` whose labels match `labels` (substring of the label set); undefined if unreachable. */
export async function scrape(url: string, name: string, labels = ''): Promise<number | undefined> {
  const res = await probe(url);
  if (res.status !== 200) return undefined;
  let sum = 0;
  for (const line of res.body.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
  }
  return sum;
}
