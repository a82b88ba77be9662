import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Credentials } from './credentials.js';
import { readSelfSignedCa } from './credentials.js';
import { LOOPBACK, freePorts, probe, waitUntil } from './net.js';
import { logTail, spawnComponent, type Component } from './processes.js';

/** Where a component writes its files and logs, and how long it may take to become healthy. */
export interface ComponentContext {
  runDir: string;
  logDir: string;
  timeoutMs: number;
  /** Called right after spawning, before waiting for health, so teardown can find a half-started process. */
  onSpawn: (component: Component) => void;
}

/** A running etcd and its client URL. */
export interface RunningEtcd {
  component: Component;
  clientUrl: string;
}

/** A running kube-apiserver: its URL and the PEM CA of its self-signed serving certificate. */
export interface RunningApiserver {
  component: Component;
  url: string;
  caPem: string;
}

/** Rejects with the log tail when the component exits before it became healthy. */
function exitedEarly(component: Component): Promise<string> {
  return component.exited.then(
    (code) => `exited (${code}) while starting; last lines of ${component.logPath}:\n${logTail(component.logPath)}`,
  );
}

/**
 * Starts etcd on two free loopback ports with its data in `<runDir>/etcd` and waits for `/health`.
 * `--unsafe-no-fsync`: the data is thrown away after the run, so durability only costs time.
 */
export async function startEtcd(binary: string, ctx: ComponentContext): Promise<RunningEtcd> {
  const [clientPort, peerPort] = await freePorts(2);
  const clientUrl = `http://${LOOPBACK}:${clientPort}`;
  const peerUrl = `http://${LOOPBACK}:${peerPort}`;
  const component = spawnComponent(
    'etcd',
    binary,
    [
      '--name=mpe',
      `--data-dir=${join(ctx.runDir, 'etcd')}`,
      `--listen-client-urls=${clientUrl}`,
      `--advertise-client-urls=${clientUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=mpe=${peerUrl}`,
      '--unsafe-no-fsync=true',
      '--log-level=warn',
    ],
    ctx.logDir,
  );
  ctx.onSpawn(component);
  let last = '';
  await waitUntil(
    'etcd',
    async () => {
      const res = await probe(`${clientUrl}/health`);
      last = `${res.status} ${res.body}`;
      return res.status === 200 && res.body.includes('"health":"true"');
    },
    { timeoutMs: ctx.timeoutMs, abort: exitedEarly(component), describe: () => `last /health: ${last}` },
  );
  return { component, clientUrl };
}

/** Inputs of {@link startApiserver}. */
export interface ApiserverInputs {
  etcdUrl: string;
  credentials: Credentials;
}

/**
 * Starts kube-apiserver on a free loopback port with token authentication and RBAC, lets it self-sign its
 * serving certificate into `<runDir>/apiserver-certs`, reads that certificate's CA back, and waits for
 * `/readyz` (which includes the RBAC bootstrap-roles and CRD post-start hooks).
 */
export async function startApiserver(binary: string, ctx: ComponentContext, inputs: ApiserverInputs): Promise<RunningApiserver> {
  const [port] = await freePorts(1);
  const url = `https://${LOOPBACK}:${port}`;
  const certDir = join(ctx.runDir, 'apiserver-certs');
  mkdirSync(certDir, { recursive: true });
  const { credentials } = inputs;
  const component = spawnComponent(
    'kube-apiserver',
    binary,
    [
      `--etcd-servers=${inputs.etcdUrl}`,
      `--bind-address=${LOOPBACK}`,
      // Without it kube-apiserver looks for the default-route interface and fails offline (controller-runtime#669).
      `--advertise-address=${LOOPBACK}`,
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${credentials.tokenFile}`,
      `--service-account-issuer=${url}`,
      `--service-account-key-file=${credentials.saPublicKeyFile}`,
      `--service-account-signing-key-file=${credentials.saPrivateKeyFile}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      // The default (lease) reconciler writes the advertise address into Endpoints/kubernetes, and Endpoints
      // validation rejects loopback IPs, so it would log an error every 10 s. Nothing runs in-cluster anyway.
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      '--profiling=false',
    ],
    ctx.logDir,
  );
  ctx.onSpawn(component);
  const abort = exitedEarly(component);

  let caPem: string | undefined;
  await waitUntil('kube-apiserver serving certificate', async () => (caPem = readSelfSignedCa(join(certDir, 'apiserver.crt'))) !== undefined, {
    timeoutMs: ctx.timeoutMs,
    abort,
  });
  let last = '';
  await waitUntil(
    'kube-apiserver',
    async () => {
      const res = await probe(`${url}/readyz`, { ca: caPem, token: credentials.admin.token });
      last = `${res.status} ${res.body.slice(0, 2000)}`;
      return res.status === 200;
    },
    { timeoutMs: ctx.timeoutMs, abort, intervalMs: 250, describe: () => `last /readyz: ${last}` },
  );
  return { component, url, caPem: caPem as string };
}

/**
 * Starts kube-controller-manager with only the controllers the tests rely on: garbage collection of owned
 * objects, namespace finalisation, and the `default` ServiceAccount per namespace (which the ServiceAccount
 * admission plugin requires before Pods can be created). It serves /healthz on a free loopback port with a
 * self-signed certificate in `<runDir>/kcm-certs`; waits for /healthz.
 */
export async function startControllerManager(binary: string, ctx: ComponentContext, kubeconfig: string): Promise<Component> {
  const [port] = await freePorts(1);
  const certDir = join(ctx.runDir, 'kcm-certs');
  mkdirSync(certDir, { recursive: true });
  const component = spawnComponent(
    'kube-controller-manager',
    binary,
    [
      `--kubeconfig=${kubeconfig}`,
      // Delegated authn/authz of its own /healthz etc.; without these it warns and falls back to in-cluster config.
      `--authentication-kubeconfig=${kubeconfig}`,
      `--authorization-kubeconfig=${kubeconfig}`,
      // Token auth only: kube-apiserver then never creates configmap kube-system/extension-apiserver-authentication
      // (it holds client and request-header CAs), and looking it up would fail in a loop.
      '--authentication-skip-lookup=true',
      `--bind-address=${LOOPBACK}`,
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      '--controllers=garbage-collector-controller,namespace-controller,serviceaccount-controller',
      '--leader-elect=false',
      '--use-service-account-credentials=false',
      '--profiling=false',
    ],
    ctx.logDir,
  );
  ctx.onSpawn(component);
  const abort = exitedEarly(component);
  let caPem: string | undefined;
  await waitUntil(
    'kube-controller-manager serving certificate',
    async () => (caPem = readSelfSignedCa(join(certDir, 'kube-controller-manager.crt'))) !== undefined,
    { timeoutMs: ctx.timeoutMs, abort },
  );
  let last = '';
  await waitUntil(
    'kube-controller-manager',
    async () => {
      const res = await probe(`https://${LOOPBACK}:${port}/healthz`, { ca: caPem });
      last = `${res.status} ${res.body.slice(0, 2000)}`;
      return res.status === 200;
    },
    { timeoutMs: ctx.timeoutMs, abort, intervalMs: 250, describe: () => `last /healthz: ${last}` },
  );
  return component;
}
