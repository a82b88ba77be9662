/**
 * The benchmark workload: environment manifests made from examples/*.yaml under new names and namespaces, and the
 * children each one must produce. "All children exist" means every rendered child except those held back for a late
 * binding (they wait for a value only an ACK controller would report, and none runs here).
 */
import { basename } from 'node:path';
import { validateEnvironment } from '../../api/index.js';
import { renderEnvironment, type RenderedObject } from '../../charts/index.js';
import { EXAMPLES_DIR, exampleFiles, readManifests } from '../../cli/examples.js';
import { resolveBindings } from '../../controllers/marketplace-environment/resolve-bindings.js';

/** A raw manifest (as a user would apply it). */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; uid?: string }; spec: Record<string, unknown> };

/** One example: its file stem and manifest. */
export interface Example {
  readonly id: string;
  readonly manifest: Manifest;
}

/**
 * The first environment of every examples/*.yaml, sorted by file name. A file of several environments (003: one per
 * region) differs only in region and names, which cost nothing to render or apply: its copies would only weigh
 * that example more in the P2 mix and break comparison with earlier results.
 */
export function loadExamples(dir = EXAMPLES_DIR): Example[] {
  return exampleFiles(dir).map((f) => ({ id: basename(f, '.yaml'), manifest: readManifests(f)[0]! }));
}

/** `example` under another name and namespace (a deep copy). */
export function instantiate(example: Example, namespace: string, name: string): Manifest {
  const m = structuredClone(example.manifest);
  m.metadata = { name, namespace };
  return m;
}

/**
 * The P2 workload: `n` environments of `namespace`, the examples in turn, named `env-0000`, `env-0001`, ... The
 * benchmark applies them; a ceiling worker renders the same list ahead (bench/worker.ts), so both must come from here.
 */
export function environmentManifests(examples: readonly Example[], namespace: string, n: number): Manifest[] {
  return Array.from({ length: n }, (_, i) => instantiate(examples[i % examples.length]!, namespace, `env-${String(i).padStart(4, '0')}`));
}

/** `namespace/kind/name` of an object: the observer's key. */
export const childKey = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string =>
  `${o.metadata?.namespace}/${o.kind}/${o.metadata?.name}`;

/**
 * The objects a controller can apply for `manifest` with no ACK controller running: rendered, minus those with a
 * required late binding (their input never gets an ARN here), minus kinds the API server does not serve.
 */
export function applicableChildren(manifest: Manifest, unserved: ReadonlySet<string> = new Set()): RenderedObject[] {
  return renderEnvironment(validateEnvironment(structuredClone(manifest)))
    .filter((o) => !unserved.has(`${o.apiVersion}/${o.kind}`))
    .map((o) => resolveBindings(o, () => undefined))
    .filter((r) => r.waitingFor.length === 0)
    .map((r) => r.object);
}
