// The example Argo CD Applications in argocd/applications/ and the install instructions in argocd/README.md.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { exampleFiles, readManifests } from '../../../cli/examples.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const dir = join(root, 'argocd/applications');
const HEALTH_KEY = 'resource.customizations.health.marketplace.platform.dev_MarketplaceEnvironment';

interface Application {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; annotations?: Record<string, string> };
  spec: { source: { repoURL: string; path: string }; destination: { server?: string; namespace: string }; syncPolicy: { syncOptions: string[] } };
}
const apps = Object.fromEntries(
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => [f, parse(readFileSync(join(dir, f), 'utf8')) as Application]),
);

test('there is one Application for the operator install and one for the environments', () => {
  expect(Object.values(apps).map((a) => a.spec.source.path).sort()).toEqual(['dist/install', 'examples']);
});

test.each(Object.keys(apps))('%s is an Argo CD Application with server-side apply and server-side diff', (file) => {
  const app = apps[file]!;
  expect(app).toMatchObject({ apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { namespace: 'argocd' } });
  expect(app.spec.syncPolicy.syncOptions).toContain('ServerSideApply=true');
  expect(app.metadata.annotations?.['argocd.argoproj.io/compare-options']).toBe('ServerSideDiff=true');
  expect(app.spec.destination.namespace).toMatch(/^[a-z0-9-]+$/);
});

test('the environments Application points at a directory of MarketplaceEnvironments and does not prune automatically', () => {
  const app = Object.values(apps).find((a) => a.spec.source.path === 'examples')!;
  const files = exampleFiles(join(root, 'examples'));
  expect(files.length).toBeGreaterThan(0);
  // Every document of every file (a file may hold several environments, one per region).
  for (const f of files) for (const m of readManifests(f)) expect([f, m.kind]).toEqual([f, 'MarketplaceEnvironment']);
  expect((app.spec.syncPolicy as { automated?: { prune?: boolean } }).automated?.prune).toBe(false);
});

test('README documents the argocd-cm key and every file it names exists', () => {
  const readme = readFileSync(join(root, 'argocd/README.md'), 'utf8');
  expect(readme).toContain(`${HEALTH_KEY}=argocd/health.lua`);
  expect(readme).toContain(`${HEALTH_KEY}=health.lua`);
  for (const f of ['health.lua', 'applications/marketplace-operator.yaml', 'applications/marketplace-environments.yaml']) {
    expect(readme).toContain(`\`${f}\``);
    expect(existsSync(join(root, 'argocd', f))).toBe(true);
  }
});
