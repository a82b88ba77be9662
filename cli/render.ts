/**
 * `npm run render -- FILE`: renders a MarketplaceEnvironment manifest into the ACK objects the operator would apply,
 * as multi-document YAML on stdout. Needs no cluster. Exit codes: 0 rendered, 1 invalid spec (each offending field
 * on stderr), 2 usage or unreadable file.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments, stringify } from 'yaml';
import { SpecValidationError } from '../api/index.js';
import { renderManifest } from '../charts/index.js';

function main(argv: readonly string[]): number {
  const file = argv[0];
  if (!file || argv.length > 1 || file === '--help') {
    process.stderr.write('usage: npm run render -- FILE   (a MarketplaceEnvironment manifest; - for stdin)\n');
    return 2;
  }
  let docs: unknown[];
  try {
    const text = readFileSync(file === '-' ? 0 : file, 'utf8');
    docs = parseAllDocuments(text).map((d) => d.toJS()).filter((d) => d !== null);
  } catch (err) {
    process.stderr.write(`render: cannot read ${file}: ${(err as Error).message}\n`);
    return 2;
  }
  const out: string[] = [];
  for (const doc of docs) {
    try {
      // YAML 1.1 quoting (as cdk8s synth does): kubectl and Argo CD read YAML 1.1, where a bare `off` is false.
      for (const obj of renderManifest(doc)) out.push(stringify(obj, { lineWidth: 0, version: '1.1' }));
    } catch (err) {
      if (!(err instanceof SpecValidationError)) throw err;
      const name = (doc as { metadata?: { name?: string } })?.metadata?.name ?? '(unnamed)';
      process.stderr.write(`render: ${file}: MarketplaceEnvironment ${name} is invalid:\n`);
      for (const e of err.errors) process.stderr.write(`  ${e.field}: ${e.message}\n`);
      return 1;
    }
  }
  process.stdout.write(out.join('---\n'));
  return 0;
}

process.exitCode = main(process.argv.slice(2));
