/**
 * The kro side of the benchmark's workload: the committed ResourceGraphDefinition (generated from our render of
 * example 000 by generate-rgd.ts), the kro instance that stands for one of our example-000 environments, and the
 * children kro creates for it when no ACK controller runs.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { childKey, loadExamples, type Manifest } from '../lib/workload.js';
import { kroOutcomes, type KroInstanceObject, type Rgd } from './evaluate.js';

/** The committed ResourceGraphDefinition (`npx tsx bench/kro/generate-rgd.ts` writes it). */
export const KRO_RGD_PATH = join(dirname(fileURLToPath(import.meta.url)), 'marketplace-three-tier.rgd.yaml');

/** The instance kind the RGD defines; kro serves it as `<plural>.kro.run`. */
export const KRO_INSTANCE = { apiVersion: 'kro.run/v1alpha1', kind: 'MarketplaceThreeTier', plural: 'marketplacethreetiers' } as const;

/** The example the RGD renders. */
export const KRO_EXAMPLE = '000-marketplace-three-tier';

/** The spec fields of the instance: what may differ between two environments of the example (AWS names). */
export const KRO_SPEC_FIELDS = ['environmentSuffix'] as const;

let cachedRgd: Rgd | undefined;

/** The committed RGD, parsed (read once). */
export function loadKroRgd(path = KRO_RGD_PATH): Rgd {
  if (path !== KRO_RGD_PATH) return parse(readFileSync(path, 'utf8')) as Rgd;
  return (cachedRgd ??= parse(readFileSync(KRO_RGD_PATH, 'utf8')) as Rgd);
}

/** `spec` without the fields the instance carries: what must equal the example's. */
function fixedSpec(spec: Record<string, unknown>): string {
  const rest = { ...spec };
  for (const f of KRO_SPEC_FIELDS) delete rest[f];
  return JSON.stringify(rest);
}

let exampleSpec: string | undefined;

/**
 * The kro instance standing for `manifest`: same name and namespace, and the spec fields of {@link KRO_SPEC_FIELDS}.
 * @throws when `manifest` is not example 000 under another name, namespace or environmentSuffix (the RGD renders
 * only that example; anything else would compare different workloads).
 */
export function kroInstance(manifest: Manifest): KroInstanceObject {
  exampleSpec ??= fixedSpec(loadExamples().find((e) => e.id === KRO_EXAMPLE)!.manifest.spec);
  if (fixedSpec(manifest.spec) !== exampleSpec) throw new Error(`kroInstance: ${manifest.metadata.name} is not example ${KRO_EXAMPLE} (the kro RGD renders only that spec)`);
  const { namespace } = manifest.metadata;
  if (!namespace) throw new Error(`kroInstance: ${manifest.metadata.name} has no namespace`);
  const spec = Object.fromEntries(KRO_SPEC_FIELDS.filter((f) => manifest.spec[f] !== undefined).map((f) => [f, manifest.spec[f]]));
  return { apiVersion: KRO_INSTANCE.apiVersion, kind: KRO_INSTANCE.kind, metadata: { name: manifest.metadata.name, namespace }, spec };
}

/**
 * `namespace/kind/name` ({@link childKey}) of every child kro creates for `manifest` with no ACK controller running:
 * the resources whose templates reference no other resource (a reference waits for that resource's readyWhen,
 * ACK.ResourceSynced, which never comes). Computed from the committed RGD; a unit test checks that it equals
 * applicableChildren(), the children our controller applies.
 * @param unserved `<apiVersion>/<kind>` the API server does not serve
 * @throws when the RGD has a kind of `unserved`: kro type-checks every template against its CRD and rejects the
 * whole graph, so it would create nothing.
 */
export function kroExpectedChildren(manifest: Manifest, unserved: ReadonlySet<string> = new Set()): string[] {
  const rgd = loadKroRgd();
  const missing = [...new Set(rgd.spec.resources.map((r) => `${r.template.apiVersion}/${r.template.kind}`).filter((k) => unserved.has(k)))];
  if (missing.length > 0) throw new Error(`kro rejects ${rgd.metadata.name}: kinds not served: ${missing.join(', ')}`);
  return kroOutcomes(rgd, kroInstance(manifest)).flatMap((o) => ('object' in o ? [childKey(o.object)] : []));
}
