/**
 * The kubectl experience of the MarketplaceEnvironment CRD, checked with the repo's own kubectl (bin/kubectl, built by
 * `npm run setup`) against the local control plane: printer columns with values from a status patched onto an
 * applied example, the `marketplace` category, the short names, and `kubectl explain` showing the field descriptions.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { ClientNodeKubeClient } from '../../controllers/runtime/client-node-kube-client.js';
import { REPO_ROOT } from '../../localcluster/paths.js';
import { loadTestKubeConfig, testKubeconfigPath, uniqueName, waitFor } from './helpers/kube.js';

const KUBECTL = join(REPO_ROOT, 'bin/kubectl');
const kube = ClientNodeKubeClient.fromKubeConfig(loadTestKubeConfig(), { fieldManager: 'mpe-kubectl-ux-test', fieldValidation: 'Strict' });
const namespace = uniqueName('kubectl-ux');
const name = uniqueName('three-tier');
const manifest = { ...parse(readFileSync(join(REPO_ROOT, 'examples/000-marketplace-three-tier.yaml'), 'utf8')), metadata: { name, namespace } };
const crd = parse(readFileSync(join(REPO_ROOT, 'crds/marketplaceenvironments.yaml'), 'utf8'));
const schema = crd.spec.versions[0].schema.openAPIV3Schema;
let cacheDir: string;

/** Runs bin/kubectl against the test cluster, with a private discovery cache. */
function kubectl(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(KUBECTL, ['--kubeconfig', testKubeconfigPath(), '--cache-dir', cacheDir, ...args], { encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** kubectl output must succeed: returns stdout, or fails with kubectl's stderr. */
function ok(...args: string[]): string {
  const r = kubectl(...args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.stdout;
}

/** Collapses whitespace, so wrapped `kubectl explain` text compares with one-line descriptions. */
const flat = (s: string) => s.replace(/\s+/g, ' ').trim();

/** Splits a `kubectl get` table into rows of cells (columns are separated by 3+ spaces or a run ending a column). */
function tableOf(text: string): Record<string, string>[] {
  const lines = text.trimEnd().split('\n');
  const header = lines[0]!;
  const starts = [...header.matchAll(/\S+/g)].map((m) => m.index!);
  const names = [...header.matchAll(/\S+/g)].map((m) => m[0]);
  return lines.slice(1).map((line) => Object.fromEntries(names.map((n, i) => [n, line.slice(starts[i], starts[i + 1]).trim()])));
}

beforeAll(async () => {
  cacheDir = mkdtempSync(join(tmpdir(), 'mpe-kubectl-cache-'));
  await kube.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } } as never);
  const env = await kube.apply(manifest as KubernetesObject);
  const generation = (env.metadata as { generation?: number }).generation ?? 1;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string) => ({ type, status, reason, message, lastTransitionTime: now, observedGeneration: generation });
  await kube.patchStatus({ apiVersion: manifest.apiVersion, kind: manifest.kind, name, namespace }, {
    observedGeneration: generation,
    phase: 'Progressing',
    summary: '38/40',
    conditions: [
      condition('Ready', 'False', 'Reconciling', '38/40 children ready; not ready: DBCluster/x (status is creating)'),
      condition('Progressing', 'True', 'Reconciling', '38/40 children ready'),
      condition('Degraded', 'False', 'AsExpected', ''),
    ],
  });
}, 60_000);

afterAll(async () => {
  await kube.delete({ apiVersion: 'v1', kind: 'Namespace', name: namespace });
  rmSync(cacheDir, { recursive: true, force: true });
});

test('bin/kubectl exists (run `npm run setup`)', () => {
  expect(existsSync(KUBECTL)).toBe(true);
});

test('kubectl get mpe shows the printer columns with the status values', () => {
  const out = ok('get', 'mpe', '-n', namespace);
  expect(out.split('\n')[0]).toMatch(/^NAME +READY +PHASE +REASON +CHILDREN +REGION +AGE$/);
  expect(tableOf(out)).toEqual([{ NAME: name, READY: 'False', PHASE: 'Progressing', REASON: 'Reconciling', CHILDREN: '38/40', REGION: 'us-east-1', AGE: expect.stringMatching(/^\d+s$/) }]);
});

test('kubectl get mpe -o wide adds the Ready message', () => {
  const out = ok('get', 'mpe', name, '-n', namespace, '-o', 'wide');
  expect(out.split('\n')[0]).toMatch(/^NAME +READY +PHASE +REASON +CHILDREN +REGION +MESSAGE +AGE$/);
  expect(out).toContain('38/40 children ready; not ready: DBCluster/x (status is creating)');
});

test('the marketplace category lists it', () => {
  const out = ok('get', 'marketplace', '-n', namespace, '-o', 'name');
  expect(out.trim().split('\n')).toEqual([`marketplaceenvironment.marketplace.platform.dev/${name}`]);
  // The table form has the same printer columns (kubectl prefixes the kind only when several kinds match).
  const table = ok('get', 'marketplace', '-n', namespace);
  expect(table.split('\n')[0]).toMatch(/^NAME +READY +PHASE +REASON +CHILDREN +REGION +AGE$/);
  expect(tableOf(table)).toEqual([expect.objectContaining({ NAME: expect.stringMatching(new RegExp(`(^|/)${name}$`)), PHASE: 'Progressing', CHILDREN: '38/40' })]);
});

test('the short names mpe and mpenv and the singular name resolve to the kind', () => {
  for (const resource of ['mpenv', 'mpe', 'marketplaceenvironment', 'marketplaceenvironments.marketplace.platform.dev']) {
    expect(ok('get', resource, name, '-n', namespace, '-o', 'jsonpath={.kind}/{.status.phase}')).toBe('MarketplaceEnvironment/Progressing');
  }
  expect(ok('api-resources', '--api-group', 'marketplace.platform.dev')).toMatch(/^marketplaceenvironments +mpe,mpenv +marketplace\.platform\.dev\/v1alpha1 +true +MarketplaceEnvironment$/m);
});

describe('kubectl explain', () => {
  // The API server publishes a new CRD's OpenAPI v3 document a little after the CRD is Established.
  beforeAll(async () => {
    await waitFor('the CRD OpenAPI schema to be published', async () => kubectl('explain', 'mpe.spec').code === 0, { timeoutMs: 60_000, intervalMs: 1000 });
  }, 90_000);

  test('marketplaceenvironment.spec.database.serverless.minACU prints the description', () => {
    const out = ok('explain', 'marketplaceenvironment.spec.database.serverless.minACU');
    const description: string = schema.properties.spec.properties.database.properties.serverless.properties.minACU.description;
    expect(description).toMatch(/Aurora capacity units/);
    expect(out).toMatch(/^FIELD: +minACU <number>$/m);
    expect(flat(out)).toContain(flat(description));
  });

  test('mpe.spec.network shows the description of every field', () => {
    const out = ok('explain', 'mpe.spec.network');
    const network = schema.properties.spec.properties.network;
    expect(flat(out)).toContain(flat(network.description));
    const fields = Object.entries(network.properties as Record<string, { description: string }>);
    expect(fields.length).toBeGreaterThan(2);
    for (const [field, { description }] of fields) {
      expect(out).toMatch(new RegExp(`^ {2}${field}\\s+<`, 'm'));
      expect(flat(out)).toContain(flat(description));
    }
  });
});
