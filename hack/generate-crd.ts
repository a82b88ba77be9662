/**
 * Writes crds/marketplaceenvironments.yaml from the TypeScript schema (api/). `npm run crd`.
 * With --check, exits non-zero when the committed file differs (used by CI through the unit tests too).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { crdYaml, CRD_PATH } from './crd-yaml.js';

const check = process.argv.includes('--check');
const wanted = crdYaml();
if (check) {
  const current = readFileSync(CRD_PATH, 'utf8');
  if (current !== wanted) {
    process.stderr.write(`${CRD_PATH} is stale: run npm run crd\n`);
    process.exit(1);
  }
} else {
  writeFileSync(CRD_PATH, wanted);
  process.stdout.write(`wrote ${CRD_PATH}\n`);
}
