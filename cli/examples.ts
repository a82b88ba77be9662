/**
 * The example environments (examples/*.yaml) as the tools and tests read them. A file holds one MarketplaceEnvironment
 * or several (multi-document YAML: example 003 is one environment per region), so nothing may assume one document
 * per file. The file I/O lives here, outside api/ and charts/, which stay pure.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT } from '../localcluster/paths.js';

/** The examples directory of the repository. */
export const EXAMPLES_DIR = join(REPO_ROOT, 'examples');

/** A Kubernetes object as written in a file, before validation: what `kubectl apply` would send. */
export type Manifest = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> };

/** One environment of an example file. */
export interface ExampleEnvironment {
  /**
   * Stable id, valid inside a namespace name: the file's 3-character prefix (`003`) when the file holds one
   * environment, `<prefix>-<region>` (`003-us-east-2`) when it holds several (they differ by region).
   */
  readonly id: string;
  /** File name inside the examples directory, e.g. `003-trading-platform.yaml`. */
  readonly file: string;
  /** Position of the environment among the file's environments (0 for a single-document file). */
  readonly index: number;
  /** Environments in the same file (1 for a single-document file). */
  readonly count: number;
  readonly manifest: Manifest;
}

/** Every examples/*.yaml in `dir`, as paths sorted by file name. */
export function exampleFiles(dir = EXAMPLES_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * The objects of a YAML file, in document order; empty documents (a leading or trailing `---`, a comment alone)
 * are dropped. Bad YAML, or a document that is not a Kubernetes object, throws an error naming the file and the
 * document (1-based, counting every document of the file).
 */
export function readManifests(path: string): Manifest[] {
  const documents = parseAllDocuments(readFileSync(path, 'utf8'));
  const where = (i: number) => `${path}: document ${i + 1} of ${documents.length}`;
  return documents.flatMap((doc, i): Manifest[] => {
    if (doc.errors.length > 0) throw new Error(`${where(i)}: invalid YAML: ${doc.errors[0]!.message}`);
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return [];
    const m = value as Partial<Manifest>;
    if (typeof m.apiVersion !== 'string' || typeof m.kind !== 'string' || typeof m.metadata?.name !== 'string') {
      throw new Error(`${where(i)}: not a Kubernetes object (apiVersion, kind and metadata.name are required)`);
    }
    return [value as Manifest];
  });
}

/** Every environment of every example in `dir`, in file order then document order. */
export function exampleEnvironments(dir = EXAMPLES_DIR): ExampleEnvironment[] {
  return exampleFiles(dir).flatMap((path) => {
    const file = basename(path);
    const manifests = readManifests(path);
    const idOf = (manifest: Manifest, index: number): string => {
      if (manifests.length === 1) return file.slice(0, 3);
      if (typeof manifest.spec?.region !== 'string') {
        throw new Error(`${path}: environment ${index + 1} has no spec.region, which tells the file's environments apart`);
      }
      return `${file.slice(0, 3)}-${manifest.spec.region}`;
    };
    const environments = manifests.map((manifest, index): ExampleEnvironment => ({ id: idOf(manifest, index), file, index, count: manifests.length, manifest }));
    const ids = environments.map((e) => e.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) throw new Error(`${path}: two environments in the same region (id ${duplicate}); a file holds one per region`);
    return environments;
  });
}
