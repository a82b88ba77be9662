/**
 * The install manifests on a real API server (RBAC on, PodSecurity admission on):
 * - `kubectl apply --server-side` of the synthesized chart works, and the Deployment's pod template passes the
 *   `restricted` Pod Security Standard the namespace enforces (a dry-run Pod create runs the admission);
 * - the RBAC is sufficient: the EnvironmentController, in-process, authenticated as the ServiceAccount (TokenRequest token), with
 *   leader election on, takes example 003 through creation (children, generated Secret, status, Events), readiness
 *   (the tests play ACK) and deletion (ordered teardown, finalizer removal) without one 403;
 * - the RBAC is minimal: a sample of requests the operator never makes is denied.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { App } from 'cdk8s';
import { parse, parseAllDocuments } from 'yaml';
import { validateEnvironment, type MarketplaceEnvironmentStatus } from '../../api/index.js';
import { renderEnvironment } from '../../charts/index.js';
import { readManifests } from '../../cli/examples.js';
import { LEASE_NAME, OPERATOR_NAME, OPERATOR_NAMESPACE, OperatorInstallChart, type CrdManifest } from '../../charts/install/index.js';
import { EnvironmentController } from '../../controllers/environment-controller.js';
import { bindingsOf } from '../../controllers/marketplace-environment/resolve-bindings.js';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { createLogger } from '../../controllers/runtime/logger.js';
import { RawObjectApi } from '../../controllers/runtime/object-api.js';
import { REPO_ROOT } from '../../localcluster/paths.js';
import { AckCrdSources } from '../../localcluster/ack-crd-sources.js';
import { testRequiring } from '../helpers/requirements.js';
import { markSynced } from './helpers/ack-simulator.js';
import { failureStatus, kubeConfigForToken, loadTestKubeConfig, testKubeconfigPath, uniqueName } from './helpers/kube.js';
import { waitFor } from './helpers/wait.js';

const run = promisify(execFile);
const TIMEOUT_MS = 180_000;
const API = 'marketplace.platform.dev/v1alpha1';
const EXAMPLE = join(REPO_ROOT, 'examples', '003-trading-platform.yaml');

type Obj = KubernetesObject & { spec?: any; status?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any
type Env = KubernetesObject & { status?: MarketplaceEnvironmentStatus };

const admin: KubeConfig = loadTestKubeConfig();
const adminKube = ClientNodeKubeClient.fromKubeConfig(admin, { fieldManager: 'install-rbac-it' });
const namespace = uniqueName('install-rbac');
const outdir = mkdtempSync(join(tmpdir(), 'mpe-install-'));
let manifestFile: string;
let saKubeConfig: KubeConfig;
let controller: EnvironmentController | undefined;
/** Every warn/error line the controller logged (a 403 anywhere shows up here). */
const problems: string[] = [];

/** The first environment of example 003 (us-east-1): one environment is enough to exercise the RBAC. */
const example = (): Obj => {
  const m = readManifests(EXAMPLE)[0] as Obj;
  m.metadata = { ...m.metadata, namespace };
  return m;
};
const name = example().metadata!.name!;
const rendered = renderEnvironment(validateEnvironment(example() as never));
/** Children applied before any ACK status exists: those that wait for no other child's value (a late binding). */
/** The example's lifecycle needs every kind it renders to be served; else skipped with why (fails under CI=true). */
const exampleTest = testRequiring(new AckCrdSources().unavailable(rendered));
const appliedAtOnce = rendered.filter((o) => !bindingsOf(o).some((b) => b.required && b.from.name !== o.metadata.name));
const getEnv = () => adminKube.get<Env>({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name });
const children = async (): Promise<Obj[]> => {
  const kinds = [...new Map(rendered.map((o) => [`${o.apiVersion}/${o.kind}`, o])).values()];
  const lists = await Promise.all(kinds.map((k) => adminKube.list<Obj>({ apiVersion: k.apiVersion, kind: k.kind, namespace, labelSelector: `marketplace.platform.dev/environment=${name}` })));
  return lists.flat();
};

/** Synthesizes the install chart exactly as `npm run synth` does (main.ts), into a temp dir. */
function synthInstall(): string {
  const app = new App({ outdir, recordConstructMetadata: false });
  const crd = parse(readFileSync(join(REPO_ROOT, 'crds', 'marketplaceenvironments.yaml'), 'utf8')) as CrdManifest;
  new OperatorInstallChart(app, 'marketplace-operator', { crd });
  app.synth();
  return join(outdir, 'marketplace-operator.k8s.yaml');
}

async function kubectl(...args: string[]): Promise<{ stdout: string; stderr: string }> {
  return run(join(REPO_ROOT, 'bin', 'kubectl'), ['--kubeconfig', testKubeconfigPath(), ...args], { timeout: 60_000 });
}

beforeAll(async () => {
  manifestFile = synthInstall();
  await adminKube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
}, TIMEOUT_MS);

afterAll(async () => {
  await controller?.stop();
  // If a test failed before the deletion test, no operator is left to run the finalizer: drop it.
  for (const env of await adminKube.list({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace })) {
    await adminKube.patchMetadata({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name: env.metadata!.name! }, { finalizers: [] });
  }
  await adminKube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  // The CRD stays: the rest of the suite needs it.
  for (const [apiVersion, kind] of [['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'], ['rbac.authorization.k8s.io/v1', 'ClusterRole']] as const) {
    await adminKube.delete({ apiVersion, kind, name: OPERATOR_NAME });
  }
  await adminKube.delete({ apiVersion: 'v1', kind: 'Namespace', name: OPERATOR_NAMESPACE });
  rmSync(outdir, { recursive: true, force: true });
}, TIMEOUT_MS);

describe('install manifests', () => {
  test('kubectl apply --server-side creates every object, without PodSecurity warnings; a second apply changes nothing', async () => {
    const { stdout, stderr } = await kubectl('apply', '--server-side', '-f', manifestFile);
    expect(stderr).not.toMatch(/PodSecurity|Warning/i);
    const docs = parseAllDocuments(readFileSync(manifestFile, 'utf8')).map((d) => d.toJS() as Obj);
    expect(stdout.trim().split('\n')).toHaveLength(docs.length);
    const versions = async () =>
      Promise.all(docs.map(async (doc) => {
        const live = await adminKube.get({ apiVersion: doc.apiVersion!, kind: doc.kind!, name: doc.metadata!.name!, namespace: doc.metadata?.namespace });
        return `${doc.kind}/${doc.metadata!.name}@${live?.metadata?.resourceVersion}`;
      }));
    const before = await versions();
    expect(before.filter((v) => v.endsWith('@undefined'))).toEqual([]);
    await kubectl('apply', '--server-side', '-f', manifestFile);
    expect(await versions()).toEqual(before);
  }, TIMEOUT_MS);

  test('the pod template passes the restricted Pod Security Standard the namespace enforces (dry-run Pod create)', async () => {
    const deployment = await adminKube.get<Obj>({ apiVersion: 'apps/v1', kind: 'Deployment', namespace: OPERATOR_NAMESPACE, name: OPERATOR_NAME });
    const template = deployment!.spec.template;
    const raw = RawObjectApi.fromKubeConfig(admin);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pss-check', namespace: OPERATOR_NAMESPACE, labels: template.metadata.labels }, spec: template.spec };
    await raw.send({ method: 'POST', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/pods`, query: { dryRun: 'All' }, body: pod });
    // The same pod with one violation is rejected, so the check above really ran the admission.
    const bad = structuredClone(pod);
    bad.spec.containers[0].securityContext.allowPrivilegeEscalation = true;
    expect(await failureStatus(raw.send({ method: 'POST', path: `/api/v1/namespaces/${OPERATOR_NAMESPACE}/pods`, query: { dryRun: 'All' }, body: bad }))).toBe(403);
  }, TIMEOUT_MS);
});

describe('the operator as its ServiceAccount', () => {
  beforeAll(async () => {
    const core = admin.makeApiClient(CoreV1Api);
    const request = await core.createNamespacedServiceAccountToken({
      name: OPERATOR_NAME,
      namespace: OPERATOR_NAMESPACE,
      body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600, audiences: [] } },
    });
    saKubeConfig = kubeConfigForToken(admin, request.status!.token, `system:serviceaccount:${OPERATOR_NAMESPACE}:${OPERATOR_NAME}`);
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        problems.push(...chunk.toString().split('\n').filter(Boolean));
        done();
      },
    });
    controller = new EnvironmentController({
      kubeConfig: saKubeConfig,
      logger: createLogger({ level: 'warn', destination }),
      concurrency: 2,
      resyncPeriodMs: 2_000,
      progressRequeueMs: 1_000,
      leaderElection: { namespace: OPERATOR_NAMESPACE, name: LEASE_NAME, identity: 'install-rbac-it', leaseDurationMs: 4_000, renewDeadlineMs: 3_000, retryPeriodMs: 500 },
    });
    await controller.start(); // cluster-wide list+watch of environments and every child kind, as the SA
    await waitFor('the controller to lead (Lease create/get/update as the SA)', async () => controller!.health().leading, 20_000);
  }, TIMEOUT_MS);

  exampleTest('example 003: children, generated Secret, status and Events are written', async () => {
    await adminKube.apply(example());
    // Everything but what waits for a late binding (the KMS-encrypted bucket waits for the key's ARN, the function for its
    // role, the REST API's resource for the API's root resource id, ...).
    expect(appliedAtOnce.length).toBeLessThan(rendered.length);
    await waitFor('children created', async () => ((await children()).length >= appliedAtOnce.length ? true : undefined), 60_000);
    const env = await waitFor('status written', async () => {
      const e = await getEnv();
      return e?.status?.conditions?.length ? e : undefined;
    }, 30_000);
    expect(env.metadata?.finalizers).toContain('marketplace.platform.dev/finalizer');
    expect(env.status?.observedGeneration).toBe(env.metadata?.generation);
    const secrets = await adminKube.list<Obj>({ apiVersion: 'v1', kind: 'Secret', namespace, labelSelector: `marketplace.platform.dev/environment=${name}` });
    expect(secrets.length).toBeGreaterThan(0);
    const events = await waitFor('an Event from the operator', async () => {
      const list = await adminKube.list<Obj & { reportingController?: string }>({ apiVersion: 'events.k8s.io/v1', kind: 'Event', namespace });
      return list.some((e) => e.reportingController === 'marketplace-operator') ? list : undefined;
    }, 30_000);
    expect(events.length).toBeGreaterThan(0);
  }, TIMEOUT_MS);

  exampleTest('goes Ready once ACK reports every child synced (status patches, late-bound apply)', async () => {
    const env = await waitFor('Ready', async () => {
      for (const c of await children()) if (!c.status?.conditions?.length) await markSynced(adminKube, c);
      const e = await getEnv();
      return e?.status?.phase === 'Ready' ? e : undefined;
    }, 90_000, 300);
    expect(env.status?.summary).toBe(`${rendered.length}/${rendered.length}`);
  }, TIMEOUT_MS);

  exampleTest('deletion: children deleted wave by wave, then the finalizer removed', async () => {
    await adminKube.delete({ apiVersion: API, kind: 'MarketplaceEnvironment', namespace, name });
    await waitFor('environment gone', async () => ((await getEnv()) === undefined ? true : undefined), 90_000, 300);
    expect(await children()).toHaveLength(0);
  }, TIMEOUT_MS);

  test('no request was denied by RBAC, and nothing failed', () => {
    // An RBAC denial reads `… is forbidden: User "system:serviceaccount:…" cannot <verb> resource …`. (Other 403s are
    // not about permissions, e.g. an Event in a namespace being deleted by another test file: the controller watches all.)
    expect(problems.filter((l) => /cannot \w+ resource/.test(l))).toEqual([]);
    // Errors about our environment, other than optimistic-concurrency conflicts (retried by design), would be a bug.
    expect(problems.filter((l) => l.includes(namespace) && /"level":(50|60)/.test(l) && !/409|conflict/i.test(l))).toEqual([]);
  });

  test('requests the operator never makes are denied', async () => {
    const raw = RawObjectApi.fromKubeConfig(saKubeConfig);
    const denied = (method: 'GET' | 'DELETE' | 'POST' | 'PUT', path: string, body?: unknown) => failureStatus(raw.send({ method, path, body }));
    expect(await denied('GET', '/api/v1/pods')).toBe(403);
    expect(await denied('GET', `/api/v1/namespaces/${namespace}/pods`)).toBe(403);
    expect(await denied('DELETE', `/api/v1/namespaces/${namespace}`)).toBe(403);
    expect(await denied('GET', `/api/v1/namespaces/${namespace}/secrets`)).toBe(403); // get by name only, no list
    expect(await denied('GET', `/api/v1/namespaces/${namespace}/configmaps`)).toBe(403);
    expect(await denied('GET', `/apis/ec2.services.k8s.aws/v1alpha1/namespaces/${namespace}/vpcs/any`)).toBe(403); // children come from the cache
    expect(await denied('DELETE', `/apis/${API}/namespaces/${namespace}/marketplaceenvironments/any`)).toBe(403);
    expect(await denied('POST', `/apis/${API}/namespaces/${namespace}/marketplaceenvironments`, { apiVersion: API, kind: 'MarketplaceEnvironment', metadata: { name: 'x' } })).toBe(403);
    expect(await denied('GET', `/apis/coordination.k8s.io/v1/namespaces/${OPERATOR_NAMESPACE}/leases/someone-else`)).toBe(403);
    expect(await denied('GET', `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${LEASE_NAME}`)).toBe(403);
    expect(await denied('GET', '/apis/rbac.authorization.k8s.io/v1/clusterroles')).toBe(403);
    expect(await denied('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions')).toBe(403);
  }, TIMEOUT_MS);
});
