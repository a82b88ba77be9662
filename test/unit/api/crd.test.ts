import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { crdYaml, CRD_PATH } from '../../../hack/crd-yaml.js';
import { ROOT } from '../helpers/ack-schemas.js';

type Node = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const crd = parse(readFileSync(join(ROOT, CRD_PATH), 'utf8')) as Node;
const version = crd.spec.versions[0];
const root = version.schema.openAPIV3Schema;

/** Every schema node below `node` with its path. */
function walk(node: Node, path: string, visit: (n: Node, p: string) => void): void {
  visit(node, path);
  for (const [key, child] of Object.entries((node.properties ?? {}) as Node)) walk(child, `${path}.${key}`, visit);
  if (node.items) walk(node.items, `${path}[]`, visit);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') walk(node.additionalProperties, `${path}{}`, visit);
}

describe('crds/marketplaceenvironments.yaml', () => {
  it('is what `npm run crd` generates from api/ (regenerate when this fails)', () => {
    expect(readFileSync(join(ROOT, CRD_PATH), 'utf8')).toBe(crdYaml());
  });

  it('names the resource for kubectl', () => {
    expect(crd.spec.names).toMatchObject({ kind: 'MarketplaceEnvironment', plural: 'marketplaceenvironments', shortNames: ['mpe', 'mpenv'], categories: ['marketplace'] });
    expect(crd.spec.scope).toBe('Namespaced');
    expect(version.subresources).toEqual({ status: {} });
    expect(version.additionalPrinterColumns.map((c: Node) => c.name)).toEqual(['Ready', 'Phase', 'Reason', 'Children', 'Region', 'Message', 'Age']);
  });

  it('is a structural schema (no additionalProperties: false, no uniqueItems, no fractional multipleOf, every node typed)', () => {
    const problems: string[] = [];
    walk(root.properties.spec, 'spec', (n, p) => {
      if (n.additionalProperties === false) problems.push(`${p}: additionalProperties false`);
      if ('uniqueItems' in n) problems.push(`${p}: uniqueItems`);
      // go-openapi validates whole-number values against multipleOf as integers, truncating a fractional factor to 0.
      if ('multipleOf' in n && !Number.isInteger(n.multipleOf)) problems.push(`${p}: fractional multipleOf`);
      if (n.default !== undefined && (n.required ?? []).length > 0 && typeof n.default === 'object') problems.push(`${p}: default object with required fields`);
      if (!n.type) problems.push(`${p}: no type`);
    });
    expect(problems).toEqual([]);
  });

  it('describes every spec and status field (kubectl explain)', () => {
    const missing: string[] = [];
    for (const part of ['spec', 'status']) walk(root.properties[part], part, (n, p) => { if (!n.description) missing.push(p); });
    expect(missing).toEqual([]);
  });

  it('gives every CEL rule a message, and cross-field rules a fieldPath', () => {
    const rules: Node[] = [];
    // Below the root: a root rule can only be about metadata, which no fieldPath may name.
    for (const part of ['spec', 'status']) walk(root.properties[part], part, (n) => rules.push(...((n['x-kubernetes-validations'] ?? []) as Node[])));
    expect(rules.length).toBeGreaterThanOrEqual(15);
    for (const r of rules) expect(r.message).toEqual(expect.any(String));
    expect(rules.filter((r) => !r.rule.includes('oldSelf') && !r.fieldPath)).toEqual([]);
    expect(root['x-kubernetes-validations'].map((r: Node) => r.message)).toEqual([expect.stringContaining('metadata.name')]);
  });

  it('makes region, project, suffix and VPC CIDR immutable', () => {
    const spec = root.properties.spec.properties;
    for (const field of [spec.region, spec.project, spec.environmentSuffix, spec.network.properties.vpcCIDR]) {
      expect(field['x-kubernetes-validations']).toContainEqual(expect.objectContaining({ rule: 'self == oldSelf' }));
    }
  });
});
