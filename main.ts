/**
 * cdk8s app (`cdk8s synth`, `npm run synth`): renders every example environment in examples/ (every document of
 * every file: example 003 holds one environment per region) with the same pure function the controller uses, into
 * dist/<environment>.k8s.yaml for GitOps review.
 * It also writes the operator's install manifests to dist/install/ (charts/install/; image from OPERATOR_IMAGE,
 * default marketplace-operator:dev). The controller process does not start here: see controllers/ (`npm run controller`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { validateEnvironment } from './api/index.js';
import { MarketplaceEnvironmentChart } from './charts/index.js';
import { OperatorInstallChart, type CrdManifest } from './charts/install/index.js';
import { exampleEnvironments } from './cli/examples.js';

const app = new App({ outdir: 'dist', recordConstructMetadata: false });
for (const { manifest } of exampleEnvironments()) {
  const env = validateEnvironment(manifest);
  new MarketplaceEnvironmentChart(app, env.metadata.name, { env });
}
app.synth();

const install = new App({ outdir: join('dist', 'install'), recordConstructMetadata: false });
const crd = parse(readFileSync(join('crds', 'marketplaceenvironments.yaml'), 'utf8')) as CrdManifest;
new OperatorInstallChart(install, 'marketplace-operator', { crd, image: process.env.OPERATOR_IMAGE || undefined });
install.synth();
