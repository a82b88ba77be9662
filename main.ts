/**
 * cdk8s app (`cdk8s synth`, `npm run synth`): renders every example environment in examples/ with the same pure
 * function the controller uses, into dist/<environment>.k8s.yaml for GitOps review.
 * It also writes the operator's install manifests to dist/install/ (charts/install/; image from OPERATOR_IMAGE,
 * default marketplace-operator:dev). The controller process does not start here: see controllers/ (`npm run controller`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'cdk8s';
import { parse } from 'yaml';
import { validateEnvironment } from './api/index.js';
import { MarketplaceEnvironmentChart } from './charts/index.js';
import { OperatorInstallChart, type CrdManifest } from './charts/install/index.js';

const EXAMPLES = 'examples';

const app = new App({ outdir: 'dist', recordConstructMetadata: false });
for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort()) {
  const env = validateEnvironment(parse(readFileSync(join(EXAMPLES, file), 'utf8')));
  new MarketplaceEnvironmentChart(app, env.metadata.name, { env });
}
app.synth();

const install = new App({ outdir: join('dist', 'install'), recordConstructMetadata: false });
const crd = parse(readFileSync(join('crds', 'marketplaceenvironments.yaml'), 'utf8')) as CrdManifest;
new OperatorInstallChart(install, 'marketplace-operator', { crd, image: process.env.OPERATOR_IMAGE || undefined });
install.synth();
